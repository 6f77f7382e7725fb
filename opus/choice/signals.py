"""What other modules may hook on to: sent inside the transaction of the change."""

from django.dispatch import Signal

# An accepted booking: the budgets module turns it into a commitment on the person's budget.
# Sent with booking= and by=, inside booking_decide's transaction.
booking_accepted = Signal()
