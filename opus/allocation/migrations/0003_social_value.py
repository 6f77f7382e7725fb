# Social value in wellbeing terms (helper G's part of issue 16).
import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0002_runs"),
        ("commissioning", "0004_loop_ras_kpi_indicator_service"),
        ("core", "0012_people_and_verification"),
        ("neighbourhoods", "0006_photos_and_forms"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ValueMetric",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=20)),
                ("theme", models.CharField(max_length=100)),
                ("outcome", models.CharField(max_length=200)),
                ("name", models.CharField(max_length=200)),
                ("unit", models.CharField(max_length=60)),
                (
                    "wellby_per_unit",
                    models.DecimalField(blank=True, decimal_places=4, max_digits=8, null=True),
                ),
                ("proxy_pence", models.PositiveBigIntegerField(blank=True, null=True)),
            ],
            options={
                "ordering": ["model", "theme", "outcome", "code"],
            },
        ),
        migrations.CreateModel(
            name="DeflatorTable",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("source", models.CharField(max_length=300)),
                ("licence", models.CharField(max_length=300)),
                ("synthetic", models.BooleanField(default=False)),
                ("indices", models.JSONField(help_text='{"2019": "100.0", "2024": "119.5"}')),
                ("file_sha256", models.CharField(max_length=64)),
                ("uploaded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-uploaded_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="Ledger",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("price_year", models.PositiveSmallIntegerField(default=2019)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "bid",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="commissioning.bid",
                    ),
                ),
                (
                    "contract",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="social_value_ledger",
                        to="commissioning.contract",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "deflators",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledgers",
                        to="allocation.deflatortable",
                    ),
                ),
                (
                    "grant",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="social_value_ledger",
                        to="neighbourhoods.grantapplication",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                (
                    "pb_project",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="social_value_ledger",
                        to="neighbourhoods.project",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="LedgerLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("quantity", models.DecimalField(decimal_places=2, max_digits=12)),
                ("years", models.PositiveSmallIntegerField(default=1)),
                ("deadweight", models.DecimalField(decimal_places=4, default=0, max_digits=5)),
                ("attribution", models.DecimalField(decimal_places=4, default=1, max_digits=5)),
                ("drop_off", models.DecimalField(decimal_places=4, default=0, max_digits=5)),
                ("discount_rate", models.DecimalField(decimal_places=4, default=0, max_digits=5)),
                ("assumptions", models.TextField(blank=True, help_text="Why these figures")),
                (
                    "wellbys",
                    models.DecimalField(blank=True, decimal_places=3, max_digits=16, null=True),
                ),
                ("value_pence", models.PositiveBigIntegerField(default=0)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "ledger",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="allocation.ledger",
                    ),
                ),
                (
                    "measure",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="commissioning.socialvaluemeasure",
                    ),
                ),
                (
                    "metric",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="allocation.valuemetric",
                    ),
                ),
            ],
            options={
                "ordering": ["ledger", "pk"],
            },
        ),
        migrations.CreateModel(
            name="LedgerEvidence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("quantity", models.DecimalField(decimal_places=2, max_digits=12)),
                ("period_start", models.DateField()),
                ("period_end", models.DateField()),
                ("note", models.TextField()),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "kpi_return",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="commissioning.kpireturn",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evidence",
                        to="allocation.ledgerline",
                    ),
                ),
            ],
            options={
                "ordering": ["line", "period_start", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ValueModel",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("source", models.CharField(max_length=300)),
                (
                    "licence",
                    models.CharField(
                        help_text="The licence the council holds it under", max_length=300
                    ),
                ),
                (
                    "synthetic",
                    models.BooleanField(default=False, help_text="Made up, for demonstration only"),
                ),
                ("file_sha256", models.CharField(max_length=64)),
                ("uploaded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-uploaded_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="valuemetric",
            name="model",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="metrics",
                to="allocation.valuemodel",
            ),
        ),
        migrations.AddField(
            model_name="ledger",
            name="value_model",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="ledgers",
                to="allocation.valuemodel",
            ),
        ),
        migrations.CreateModel(
            name="WellbeingStudy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                (
                    "comparison",
                    models.CharField(
                        choices=[
                            ("waiting_list", "People on the waiting list"),
                            ("neighbouring_area", "People in a neighbouring area"),
                        ],
                        max_length=20,
                    ),
                ),
                ("comparison_note", models.CharField(blank=True, max_length=300)),
                (
                    "people",
                    models.PositiveIntegerField(
                        help_text="Service users the measured change applies to"
                    ),
                ),
                ("years", models.PositiveSmallIntegerField(default=1)),
                ("token", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "ledger",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="studies",
                        to="allocation.ledger",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "wellbeing studies",
                "ordering": ["ledger", "pk"],
            },
        ),
        migrations.CreateModel(
            name="WellbeingAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "group",
                    models.CharField(
                        choices=[
                            ("participant", "Uses the service"),
                            ("comparison", "Comparison group"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "wave",
                    models.CharField(
                        choices=[("before", "Before"), ("after", "After")], max_length=6
                    ),
                ),
                (
                    "respondent",
                    models.CharField(help_text="A reference, never a name", max_length=40),
                ),
                ("score", models.PositiveSmallIntegerField()),
                ("consent", models.BooleanField()),
                ("answered_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "entered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "study",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="allocation.wellbeingstudy",
                    ),
                ),
            ],
            options={
                "ordering": ["study", "group", "respondent", "wave"],
            },
        ),
        migrations.AddConstraint(
            model_name="ledgerline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("metric__isnull", True), ("measure__isnull", True), _connector="XOR"
                ),
                name="sv_line_one_unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="valuemetric",
            constraint=models.UniqueConstraint(
                fields=("model", "code"), name="sv_metric_code_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="valuemetric",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("wellby_per_unit__isnull", True),
                    ("proxy_pence__isnull", True),
                    _connector="XOR",
                ),
                name="sv_metric_one_value",
            ),
        ),
        migrations.AddConstraint(
            model_name="ledger",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("bid__isnull", False),
                    ("grant__isnull", False),
                    ("pb_project__isnull", False),
                    ("contract__isnull", False),
                    _connector="OR",
                ),
                name="sv_ledger_has_subject",
            ),
        ),
        migrations.AddConstraint(
            model_name="wellbeinganswer",
            constraint=models.UniqueConstraint(
                fields=("study", "group", "wave", "respondent"), name="sv_answer_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="wellbeinganswer",
            constraint=models.CheckConstraint(
                condition=models.Q(("score__lte", 10)), name="sv_answer_score_0_10"
            ),
        ),
        migrations.AddConstraint(
            model_name="wellbeinganswer",
            constraint=models.CheckConstraint(
                condition=models.Q(("consent", True)), name="sv_answer_with_consent"
            ),
        ),
    ]
