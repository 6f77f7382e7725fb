"""An accepted booking becomes a commitment when the person has a budget that can hold it."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from opus.budgets.services import budget_for_booking, commit_booking
from opus.engines.ledger import LedgerError

log = logging.getLogger(__name__)


def commit_on_acceptance(sender: Any, booking: Any, by: Any, **kwargs: Any) -> None:
    """Commit in a savepoint: not enough left in the budget must not undo the acceptance.

    A booking that could not be committed shows on the budget page as waiting, with the reason.
    """
    if budget_for_booking(booking) is None:
        return
    try:
        with transaction.atomic():
            commit_booking(booking=booking, by=by)
    except LedgerError as error:
        log.info("booking %s accepted but not committed: %s", booking.pk, error)
