# Allocation runs: formulas (versioned), runs and their results per area.

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0001_initial"),
        ("commissioning", "0004_loop_ras_kpi_indicator_service"),
        ("core", "0012_people_and_verification"),
        ("needs", "0003_indicatordelegation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AllocationFormula",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "family",
                    models.PositiveIntegerField(db_index=True, help_text="Shared by every version"),
                ),
                ("version", models.PositiveIntegerField(default=1)),
                ("name", models.CharField(max_length=200)),
                (
                    "age_weights",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="One weight per age band (as text); empty: a head count",
                    ),
                ),
                (
                    "need_source",
                    models.CharField(
                        choices=[
                            ("none", "No need adjustment (population only)"),
                            ("assessment", "Indicators from a published needs assessment"),
                            ("deprivation", "Deprivation (Index of Multiple Deprivation score)"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "indicator_weights",
                    models.JSONField(blank=True, default=dict, help_text="slug → weight"),
                ),
                (
                    "inequalities",
                    models.BooleanField(default=False, help_text="Blend in deprivation with h"),
                ),
                (
                    "h",
                    models.DecimalField(
                        decimal_places=4,
                        default=Decimal("0"),
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("1")),
                        ],
                    ),
                ),
                (
                    "cost_index",
                    models.JSONField(blank=True, default=dict, help_text="area code → index"),
                ),
                (
                    "resources",
                    models.JSONField(blank=True, default=dict, help_text="area code → adjustment"),
                ),
                (
                    "transition",
                    models.CharField(
                        choices=[
                            (
                                "pace",
                                "Pace of change: a minimum growth for everyone, the rest to areas under target",
                            ),
                            (
                                "floor",
                                "Floor: no area loses more than a set share of last year's money",
                            ),
                            ("none", "None: allocate the target straight away"),
                        ],
                        max_length=8,
                    ),
                ),
                (
                    "min_growth",
                    models.DecimalField(
                        decimal_places=4,
                        default=Decimal("0"),
                        max_digits=6,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("1")),
                        ],
                    ),
                ),
                (
                    "max_loss",
                    models.DecimalField(
                        decimal_places=4,
                        default=Decimal("0"),
                        max_digits=6,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("1")),
                        ],
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "assessment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="needs.assessment",
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
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                (
                    "scope",
                    models.ForeignKey(
                        help_text="The place shared across",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.area",
                    ),
                ),
            ],
            options={
                "ordering": ["family", "-version"],
            },
        ),
        migrations.CreateModel(
            name="AllocationRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("period", models.CharField(help_text="For example 2026/27", max_length=20)),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("lsoa", "Small areas (LSOAs)"),
                            ("ward", "Wards"),
                            ("neighbourhood", "Neighbourhoods"),
                            ("la", "Local authorities"),
                        ],
                        max_length=16,
                    ),
                ),
                ("total_pence", models.PositiveBigIntegerField()),
                (
                    "baseline",
                    models.JSONField(blank=True, default=dict, help_text="area code → pence"),
                ),
                ("inputs", models.JSONField(default=dict)),
                ("input_hash", models.CharField(max_length=64)),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("published", "Published")],
                        default="draft",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("published_at", models.DateTimeField(blank=True, null=True)),
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
                    "decision",
                    models.ForeignKey(
                        blank=True,
                        help_text="A plan's decision whose budget this run shares out",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="allocation_runs",
                        to="commissioning.servicedecision",
                    ),
                ),
                (
                    "formula",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="runs",
                        to="allocation.allocationformula",
                    ),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="AllocationResult",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("population", models.PositiveIntegerField()),
                ("baseline_pence", models.BigIntegerField(blank=True, null=True)),
                ("target_pence", models.BigIntegerField()),
                ("allocation_pence", models.BigIntegerField()),
                ("steps", models.JSONField(default=list)),
                (
                    "area",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.area",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="results",
                        to="allocation.allocationrun",
                    ),
                ),
            ],
            options={
                "ordering": ["run", "area__code"],
            },
        ),
        migrations.AddConstraint(
            model_name="allocationformula",
            constraint=models.UniqueConstraint(
                fields=("family", "version"), name="allocation_formula_version"
            ),
        ),
        migrations.AddIndex(
            model_name="allocationrun",
            index=models.Index(
                fields=["status", "-published_at"], name="allocation__status_0a7d3e_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="allocationresult",
            constraint=models.UniqueConstraint(
                fields=("run", "area"), name="allocation_result_area"
            ),
        ),
    ]
