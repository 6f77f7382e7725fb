import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opus.engines import ledger as L
from opus.engines.ledger import Account, Kind, Ledger, LedgerError


def test_every_operation_balances_to_zero():
    ops = [
        L.allocate(budget="b", funder="f", amount=500),
        L.commit(budget="b", commitment="c", amount=300),
        L.release(budget="b", commitment="c", amount=100),
        L.deliver(budget="b", provider="p", commitment="c", amount=150),
        L.pay_invoice(budget="b", provider="p", commitment="c", amount=150),
        L.direct_payment(budget="b", amount=50),
        L.direct_payment_return(budget="b", amount=20),
        L.claw_back(budget="b", amount=10),
    ]
    ledger = Ledger()
    for postings in ops:
        assert sum(p.amount for p in postings) == 0
        ledger.post(postings)
    assert ledger.balance(Account(Kind.AVAILABLE, "b")) == 500 - 300 + 100 - 50 - 10
    assert ledger.balance(Account(Kind.COMMITTED, "b")) == 50
    assert ledger.balance(Account(Kind.PAID, "b")) == 150
    assert ledger.balance(Account(Kind.RETURNED, "b")) == 30
    assert ledger.balance(Account(Kind.FUNDER, "f")) == -500


def test_a_commitment_beyond_what_is_left_is_refused_and_changes_nothing():
    ledger = Ledger()
    ledger.post(L.allocate(budget="b", funder="f", amount=100))
    with pytest.raises(LedgerError, match="more than the £1 left to spend"):
        ledger.post(L.commit(budget="b", commitment="c", amount=101))
    assert len(ledger.transactions) == 1
    assert ledger.guarded[(Account(Kind.AVAILABLE, "b"), "")] == 100


def test_delivery_draws_only_on_its_own_commitment():
    ledger = Ledger()
    ledger.post(L.allocate(budget="b", funder="f", amount=1000))
    ledger.post(L.commit(budget="b", commitment="one", amount=400))
    ledger.post(L.commit(budget="b", commitment="two", amount=400))
    with pytest.raises(LedgerError, match="committed to this booking"):
        ledger.post(L.deliver(budget="b", provider="p", commitment="one", amount=500))


def test_an_invoice_is_paid_only_for_what_was_delivered():
    ledger = Ledger()
    ledger.post(L.allocate(budget="b", funder="f", amount=1000))
    ledger.post(L.commit(budget="b", commitment="c", amount=400))
    ledger.post(L.deliver(budget="b", provider="p", commitment="c", amount=100))
    with pytest.raises(LedgerError, match="delivered under this booking"):
        ledger.post(L.pay_invoice(budget="b", provider="p", commitment="c", amount=101))


def test_a_correction_that_would_overdraw_is_refused():
    ledger = Ledger()
    ledger.post(allocation := L.allocate(budget="b", funder="f", amount=100))
    ledger.post(L.commit(budget="b", commitment="c", amount=60))
    with pytest.raises(LedgerError):
        ledger.post(L.reverse(allocation))


@pytest.mark.parametrize("amount", [0, -1, 1.5, "12", True, None])
def test_amounts_must_be_positive_whole_pence(amount):
    with pytest.raises(LedgerError) as error:
        L.allocate(budget="b", funder="f", amount=amount)  # type: ignore[arg-type]
    assert error.value.field == "amount"


@pytest.mark.parametrize(
    ("text", "pence"), [("12.50", 1250), ("£1,234.5", 123450), ("7", 700), ("0.01", 1)]
)
def test_pounds_are_read_to_the_penny(text, pence):
    assert L.pence_from_pounds(text) == pence


@pytest.mark.parametrize("text", ["12.505", "0", "-3", "abc", "", "NaN", "inf"])
def test_pounds_that_are_not_whole_positive_pence_are_refused(text):
    with pytest.raises(LedgerError):
        L.pence_from_pounds(text)


def test_weekly_figure_of_a_year():
    assert L.weekly(52_000_00, 364) == 1_000_00
    assert L.weekly(36_500, 365) == 700


def test_verify_finds_the_first_bad_transaction():
    good = L.allocate(budget="b", funder="f", amount=10)
    overdraw = L.commit(budget="b", commitment="c", amount=11)
    unbalanced = [L.Posting(Account(Kind.PAID, "b"), 5)]
    assert L.verify([good]) is None
    assert L.verify([good, overdraw]) == L.Discrepancy(1, "takes available below zero")
    assert L.verify([good, unbalanced]) == L.Discrepancy(1, "does not balance")


BUDGETS = ["b1", "b2"]
COMMITMENTS = ["c1", "c2", "c3"]
operation = st.one_of(
    st.builds(lambda b, a: ("allocate", b, "", a), st.sampled_from(BUDGETS), st.integers(1, 500)),
    *[
        st.builds(
            lambda b, c, a, name=name: (name, b, c, a),
            st.sampled_from(BUDGETS),
            st.sampled_from(COMMITMENTS),
            st.integers(-5, 500),
        )
        for name in ("commit", "release", "deliver", "pay_invoice")
    ],
    *[
        st.builds(
            lambda b, a, name=name: (name, b, "", a), st.sampled_from(BUDGETS), st.integers(-5, 500)
        )
        for name in ("direct_payment", "direct_payment_return", "claw_back")
    ],
    st.builds(lambda i: ("correct", "", "", i), st.integers(0, 50)),
)


def _postings(ledger: Ledger, op: tuple[str, str, str, int]) -> list[L.Posting]:
    name, budget, commitment, amount = op
    if name == "allocate":
        return L.allocate(budget=budget, funder="f", amount=amount)
    if name in ("commit", "release"):
        return getattr(L, name)(budget=budget, commitment=budget + commitment, amount=amount)
    if name in ("deliver", "pay_invoice"):
        return getattr(L, name)(
            budget=budget, provider="p", commitment=budget + commitment, amount=amount
        )
    if name == "correct":
        return L.reverse(ledger.transactions[amount % len(ledger.transactions)])
    return getattr(L, name)(budget=budget, amount=amount)


@settings(max_examples=300, deadline=None)
@given(st.lists(operation, max_size=60))
def test_any_sequence_of_operations_keeps_the_invariants(ops):
    ledger = Ledger()
    for op in ops:
        if op[0] == "correct" and not ledger.transactions:
            continue
        before = (len(ledger.transactions), dict(ledger.guarded))
        try:
            ledger.post(_postings(ledger, op))
        except LedgerError:
            assert (len(ledger.transactions), ledger.guarded) == before
    assert L.verify(ledger.transactions) is None
    every = [p for t in ledger.transactions for p in t]
    assert sum(p.amount for p in every) == 0
    for (account, commitment), value in ledger.guarded.items():
        assert value >= 0
        assert value == sum(p.amount for p in every if p.guard_key == (account, commitment))
