"""Run ledger operations until killed; print each key as soon as its transaction commits.

Started by test_crash.py in a child process pointed at the test database.
"""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opus.settings")
django.setup()

from opus.budgets import services as budgets  # noqa: E402
from opus.budgets.models import Budget  # noqa: E402
from opus.core.models import User  # noqa: E402


def main() -> None:
    by = User.objects.get(email=sys.argv[1])
    chosen = list(Budget.objects.order_by("id"))
    for n in range(100_000):
        budget = chosen[(n // 3) % len(chosen)]  # a payment, a payment, then a return
        key = f"crash-{n}"
        if n % 3 == 2:
            budgets.direct_payment_return(budget=budget, amount=1_00, by=by, key=key)
        else:
            budgets.direct_payment(budget=budget, amount=1_00, by=by, key=key)
        print(key, flush=True)  # noqa: T201 - the parent reads these


if __name__ == "__main__":
    main()
