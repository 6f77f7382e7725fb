"""A process killed mid-batch leaves a ledger that verifies, each operation all there or absent."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.db import connection

from opus.budgets import services as budgets
from opus.budgets.models import Transaction
from opus.budgets.verify import ledger_verify
from opus.core.audit import audit_verify
from opus.core.models import AuditEvent

from .conftest import TODAY

ROOT = Path(__file__).resolve().parents[3]


def _child_environment() -> dict[str, str]:
    """Point the child at this test's database, whichever engine it is."""
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "opus.settings"}
    if connection.vendor == "sqlite":
        env.update(SQLITE_PATH=str(db["NAME"]), DATABASE_URL="")
    else:
        env["DATABASE_URL"] = (
            f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        )
    return env


def test_sigkill_mid_batch_leaves_every_operation_whole_or_absent(transactional_db, cast):
    for n in range(3):
        budgets.budget_create(
            person=cast.resident,
            title=f"Budget {n}",
            period_start=TODAY,
            period_end=TODAY.replace(year=2027),
            by=cast.commissioner,
            sources=[("social_care", cast.council, 10_000_00)],
        )
    child = subprocess.Popen(  # noqa: S603 - our own worker, our own arguments
        [sys.executable, str(Path(__file__).with_name("crash_worker.py")), cast.commissioner.email],
        cwd=ROOT,
        env=_child_environment(),
        stdout=subprocess.PIPE,
        text=True,
    )
    confirmed = []
    assert child.stdout is not None
    for line in child.stdout:
        confirmed.append(line.strip())
        if len(confirmed) == 60:
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    report = ledger_verify(history=True)
    assert report.ok, report.problem
    written = set(
        Transaction.objects.filter(idempotency_key__startswith="crash-").values_list(
            "idempotency_key", flat=True
        )
    )
    assert set(confirmed) <= written  # nothing that committed was lost
    # The child runs one operation after another (and may be a few lines ahead of what we
    # read from the pipe): what is there is an unbroken run from the first, with no holes.
    assert written == {f"crash-{n}" for n in range(len(written))}
    for txn in Transaction.objects.filter(idempotency_key__in=written):
        assert txn.entries.count() == 2
        assert (
            AuditEvent.objects.filter(
                object_type="budgets.transaction", object_id=str(txn.pk)
            ).count()
            == 1
        )
    assert audit_verify()[1] is None
