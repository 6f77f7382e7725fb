"""Money: whole pence, rounded half up."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opus.engines.money import pounds, times


def test_fractional_quantities_round_half_up_to_the_penny():
    assert times(1250, Decimal("1.5")) == 1875
    assert times(333, Decimal("0.5")) == 167  # 166.5 rounds up
    assert times(1000, 2) == 2000


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        times(-1, 1)
    with pytest.raises(ValueError):
        times(100, Decimal("-1"))


@given(st.integers(0, 10**7), st.integers(0, 10**4))
def test_whole_quantities_are_exact(price, quantity):
    assert times(price, quantity) == price * quantity


def test_pounds_are_written_as_people_write_them():
    assert pounds(1250) == "£12.50" and pounds(1200) == "£12"
    assert pounds(123456789) == "£1,234,567.89"
    assert pounds(-320) == "−£3.20"
