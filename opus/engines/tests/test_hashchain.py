"""The audit hash chain: any change, insertion or removal is found."""

from hypothesis import given
from hypothesis import strategies as st

from opus.engines.hashchain import GENESIS, ChainLink, canonical_json, event_hash, verify_chain


def _chain(payloads):
    links, previous = [], GENESIS
    for sequence, payload in enumerate(payloads, start=1):
        payload = {"sequence": sequence, **payload}
        digest = event_hash(previous, payload)
        links.append(ChainLink(sequence, payload, previous, digest))
        previous = digest
    return links


def test_canonical_json_ignores_key_order_and_keeps_unicode():
    assert canonical_json({"b": 1, "a": "café"}) == canonical_json({"a": "café", "b": 1})
    assert canonical_json({"a": "café"}) == '{"a":"café"}'


def test_an_intact_chain_verifies():
    assert verify_chain(_chain([{"x": 1}, {"x": 2}, {"x": 3}])) is None


def test_a_changed_payload_is_reported_at_its_event():
    links = _chain([{"x": 1}, {"x": 2}, {"x": 3}])
    links[1] = ChainLink(2, {"sequence": 2, "x": 99}, links[1].previous_hash, links[1].hash)
    broken = verify_chain(links)
    assert broken is not None and broken.sequence == 2 and "content" in broken.reason


def test_a_removed_event_is_reported():
    links = _chain([{"x": 1}, {"x": 2}, {"x": 3}])
    broken = verify_chain([links[0], links[2]])
    assert broken is not None and broken.sequence == 3


def test_a_rehashed_event_breaks_the_next_link():
    links = _chain([{"x": 1}, {"x": 2}, {"x": 3}])
    forged = {"sequence": 2, "x": 99}
    links[1] = ChainLink(
        2, forged, links[1].previous_hash, event_hash(links[1].previous_hash, forged)
    )
    broken = verify_chain(links)
    assert broken is not None and broken.sequence == 3 and "previous hash" in broken.reason


@given(st.lists(st.dictionaries(st.text(max_size=5), st.integers(), max_size=3), max_size=8))
def test_any_chain_built_by_the_rules_verifies(payloads):
    assert verify_chain(_chain(payloads)) is None
