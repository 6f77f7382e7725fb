"""Money in whole pence: the one place amounts are multiplied and rounded.

Amounts are integers of pence; quantities may be fractional (1.5 hours), so products are
worked in Decimal and rounded half up to the penny, as a person would on paper.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def times(price_pence: int, quantity: Decimal | int | str) -> int:
    """price × quantity in whole pence, rounded half up (e.g. 1,250p × 1.5 = 1,875p)."""
    if price_pence < 0:
        raise ValueError("a price cannot be negative")
    amount = Decimal(price_pence) * Decimal(quantity)
    if amount < 0:
        raise ValueError("a quantity cannot be negative")
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pounds(pence: int) -> str:
    """£12.50, £12 for whole pounds, −£3.20 for negatives."""
    sign = "−" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}" + (f".{part:02d}" if part else "")
