"""A chain that verifies on its own must also end where its head says (issue 11, item 3)."""

from opus.engines.hashchain import GENESIS, ChainLink, Head, check_head, event_hash, verify_chain


def _chain(n: int) -> list[ChainLink]:
    links, previous = [], GENESIS
    for i in range(1, n + 1):
        payload = {"n": i}
        digest = event_hash(previous, payload)
        links.append(ChainLink(100 + i, payload, previous, digest, i))
        previous = digest
    return links


def _check(links: list[ChainLink], before: Head | None, after: Head | None):
    assert verify_chain(links) is None
    at = next((k for k in links if before and k.position == before.position), None)
    return check_head(7, links[-1] if links else None, at, before, after)


def test_a_chain_that_ends_at_its_head_holds():
    links = _chain(5)
    head = Head(5, links[-1].hash)
    assert _check(links, head, head) is None


def test_events_appended_while_walking_are_not_tampering():
    links = _chain(5)
    # The head read before the walk was at 3; two events came meanwhile and moved it to 5,
    # or to 6 with one more committed after the walk read the chain.
    assert _check(links, Head(3, links[2].hash), Head(5, links[-1].hash)) is None
    assert _check(links, Head(3, links[2].hash), Head(6, "f" * 64)) is None
    assert _check(links, None, Head(5, links[-1].hash)) is None  # a chain new since


def test_removing_the_newest_events_is_found_at_the_last_one_left():
    links = _chain(5)
    head = Head(5, links[-1].hash)
    broken = _check(links[:3], head, head)
    assert broken is not None and broken.sequence == links[2].sequence
    assert "newest events were removed" in broken.reason


def test_removing_a_whole_chain_is_found():
    broken = _check([], Head(2, "a" * 64), Head(2, "a" * 64))
    assert broken is not None and "chain 7 has no events" in broken.reason


def test_a_head_naming_another_event_is_found():
    links = _chain(4)
    broken = _check(links, Head(4, "b" * 64), Head(4, "b" * 64))
    assert broken is not None and "names another event" in broken.reason


def test_events_past_the_head_are_found():
    links = _chain(4)
    broken = _check(links, Head(3, links[2].hash), Head(3, links[2].hash))
    assert broken is not None and "runs past its head" in broken.reason
    assert _check(links, None, None) is not None
