"""Bounded money inputs and unique invoice references.

- The RAS's amounts, an assessment's indicative budget, a source's planned amount and a
  commitment's weekly amount may be as much as settings.OPUS_MAX_AMOUNT_PENCE (£10 billion
  by default): 64-bit columns, where a 32-bit one stopped at £21 million and answered a
  larger amount with a database error.
- An invoice is paid once per commitment (so per provider), whatever its case: a unique
  index on (lower(reference), commitment) over invoice payments. A database that already
  holds an invoice paid twice stops here and names the payments: the ledger is append-only,
  so no migration may rewrite them; a person corrects the extra payment and decides.
"""

from django.db import migrations, models
from django.db.models.functions import Lower


def refuse_invoices_paid_twice(apps, schema_editor):
    transaction = apps.get_model("budgets", "Transaction")
    seen: dict[tuple[str, str], int] = {}
    twice = []
    payments = transaction.objects.filter(operation="pay_invoice").exclude(reference="")
    for pk, commitment, reference in payments.values_list("pk", "commitment_id", "reference"):
        first = seen.setdefault((str(commitment), reference.lower()), pk)
        if first != pk:
            twice.append(f"#{first} and #{pk} ({reference})")
    if twice:
        raise RuntimeError(
            "These invoices were paid more than once for the same commitment: "
            + ", ".join(twice)
            + ". Correct the extra payments; the ledger keeps both, so the unique index "
            "(invoice_paid_once) must then be made by hand, leaving those rows out."
        )


class Migration(migrations.Migration):
    dependencies = [("budgets", "0003_ledger_audit_link")]

    operations = [
        migrations.AlterField(
            model_name="budgetsource",
            name="planned_pence",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AlterField(
            model_name="commitment",
            name="weekly_pence",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AlterField(
            model_name="rasassessment",
            name="indicative_pence",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AlterField(
            model_name="rasversion",
            name="maximum_pence",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="rasversion",
            name="minimum_pence",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="rasversion",
            name="price_per_point_pence",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.RunPython(refuse_invoices_paid_twice, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="transaction",
            constraint=models.UniqueConstraint(
                Lower("reference"),
                models.F("commitment"),
                condition=models.Q(operation="pay_invoice") & ~models.Q(reference=""),
                name="invoice_paid_once",
            ),
        ),
    ]
