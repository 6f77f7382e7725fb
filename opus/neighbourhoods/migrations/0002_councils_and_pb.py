# Neighbourhood councils (clerks, meetings, decisions, declarations) and PB processes.

import django.db.models.deletion
import django.utils.timezone
import opus.neighbourhoods.models.pb
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0006_neighbourhood_budgets"),
        ("core", "0012_people_and_verification"),
        ("neighbourhoods", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Meeting",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("held_on", models.DateField()),
                ("title", models.CharField(max_length=200)),
                ("agenda", models.TextField(blank=True)),
                ("minutes", models.TextField(blank=True)),
                ("published_at", models.DateTimeField(blank=True, null=True)),
                (
                    "council",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="meetings",
                        to="core.organisation",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-held_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Declaration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("item", models.CharField(max_length=300)),
                ("interest", models.TextField()),
                ("declared_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "council",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                (
                    "councillor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="declarations",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="declarations",
                        to="neighbourhoods.meeting",
                    ),
                ),
            ],
            options={
                "ordering": ["-declared_at"],
            },
        ),
        migrations.CreateModel(
            name="MeetingDecision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(verbose_name="decision")),
                ("votes_for", models.PositiveSmallIntegerField(default=0)),
                ("votes_against", models.PositiveSmallIntegerField(default=0)),
                ("abstentions", models.PositiveSmallIntegerField(default=0)),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="decisions",
                        to="neighbourhoods.meeting",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="Process",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("description", models.TextField(blank=True)),
                (
                    "amount_pence",
                    models.PositiveBigIntegerField(help_text="The money the vote shares out"),
                ),
                (
                    "phase",
                    models.CharField(
                        choices=[
                            ("proposals", "Proposals"),
                            ("feasibility", "Feasibility review"),
                            ("voting", "Voting"),
                            ("counting", "Counting"),
                            ("results", "Results"),
                            ("delivery", "Delivery"),
                        ],
                        default="proposals",
                        max_length=12,
                    ),
                ),
                (
                    "ballot_type",
                    models.CharField(
                        choices=[
                            (
                                "approval",
                                "Approval (choose between a minimum and a maximum of projects)",
                            ),
                            (
                                "knapsack",
                                "Knapsack (choose projects costing no more than the budget)",
                            ),
                            ("cumulative", "Cumulative (share points between projects)"),
                        ],
                        max_length=12,
                    ),
                ),
                ("min_choices", models.PositiveSmallIntegerField(default=1)),
                ("max_choices", models.PositiveSmallIntegerField(blank=True, null=True)),
                (
                    "points",
                    models.PositiveSmallIntegerField(
                        default=10, help_text="Cumulative ballots' points"
                    ),
                ),
                ("min_age", models.PositiveSmallIntegerField(default=11)),
                ("rule", models.CharField(default="equal-shares", max_length=16)),
                ("completion", models.CharField(default="add1", max_length=8)),
                ("exhaustive_stop", models.BooleanField(default=True)),
                ("seed", models.CharField(blank=True, max_length=64)),
                ("ballots_sha256", models.CharField(blank=True, max_length=64)),
                ("tie_order", models.JSONField(blank=True, default=list)),
                ("frozen_at", models.DateTimeField(blank=True, null=True)),
                ("results_published_at", models.DateTimeField(blank=True, null=True)),
                (
                    "voter_secret",
                    models.CharField(
                        default=opus.neighbourhoods.models.pb.new_secret,
                        editable=False,
                        max_length=64,
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "area",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pb_processes",
                        to="core.area",
                    ),
                ),
                (
                    "budget",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pb_processes",
                        to="budgets.budget",
                    ),
                ),
                (
                    "council",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pb_processes",
                        to="core.organisation",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "processes",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Ballot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("online", "Online"), ("paper", "Paper")], max_length=8
                    ),
                ),
                ("paper_number", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "points",
                    models.JSONField(help_text="Project id (text) → points; 1 each for approval"),
                ),
                ("cast_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("voided_at", models.DateTimeField(blank=True, null=True)),
                ("void_reason", models.TextField(blank=True)),
                (
                    "keyed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lsoa",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.area",
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pb_ballots",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "process",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ballots",
                        to="neighbourhoods.process",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="Project",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("description", models.TextField()),
                ("place", models.CharField(blank=True, max_length=200)),
                ("proposed_cost_pence", models.PositiveBigIntegerField()),
                ("cost_pence", models.PositiveBigIntegerField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("feasible", "On the ballot"),
                            ("ineligible", "Not eligible"),
                        ],
                        default="proposed",
                        max_length=12,
                    ),
                ),
                ("review_reason", models.TextField(blank=True)),
                ("funded", models.BooleanField(default=False)),
                (
                    "delivery_status",
                    models.CharField(
                        choices=[
                            ("not_started", "Not started"),
                            ("in_progress", "In progress"),
                            ("done", "Done"),
                        ],
                        default="not_started",
                        max_length=12,
                    ),
                ),
                ("progress", models.PositiveSmallIntegerField(default=0)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "area",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.area",
                    ),
                ),
                (
                    "commitment",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="budgets.commitment",
                    ),
                ),
                (
                    "process",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="projects",
                        to="neighbourhoods.process",
                    ),
                ),
                (
                    "proposer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pb_proposals",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="Milestone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.CharField(max_length=300)),
                ("reached_on", models.DateField()),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="milestones",
                        to="neighbourhoods.project",
                    ),
                ),
            ],
            options={
                "ordering": ["reached_on", "id"],
            },
        ),
        migrations.CreateModel(
            name="Result",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("rule", models.CharField(max_length=16)),
                ("variant", models.JSONField()),
                ("winners", models.JSONField()),
                ("cost_pence", models.PositiveBigIntegerField()),
                (
                    "projects",
                    models.JSONField(
                        help_text="Per project: votes, points, funded, support, reason"
                    ),
                ),
                (
                    "receipts",
                    models.JSONField(default=dict, help_text="Voter ballot id → {project: pence}"),
                ),
                (
                    "official",
                    models.BooleanField(
                        default=False, help_text="Counted by the process's own rule"
                    ),
                ),
                ("ballots_sha256", models.CharField(max_length=64)),
                ("counted_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "process",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="results",
                        to="neighbourhoods.process",
                    ),
                ),
            ],
            options={
                "ordering": ["-official", "rule"],
            },
        ),
        migrations.CreateModel(
            name="Clerk",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "council",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clerks",
                        to="core.organisation",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clerk_of",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("council", "user"), name="clerk_once")
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="process",
            constraint=models.CheckConstraint(
                condition=models.Q(("rule__in", ["greedy", "equal-shares"])), name="pb_rule_known"
            ),
        ),
        migrations.AddConstraint(
            model_name="ballot",
            constraint=models.UniqueConstraint(
                condition=models.Q(("voided_at__isnull", True)),
                fields=("process", "voter"),
                name="ballot_once_per_voter",
            ),
        ),
        migrations.AddConstraint(
            model_name="ballot",
            constraint=models.UniqueConstraint(
                condition=models.Q(("paper_number__isnull", False)),
                fields=("process", "paper_number"),
                name="ballot_paper_number_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="ballot",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("channel", "paper"), ("paper_number__isnull", False)),
                    models.Q(("channel", "online"), ("paper_number__isnull", True)),
                    _connector="OR",
                ),
                name="ballot_paper_has_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="ballot",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("voided_at__isnull", True),
                    models.Q(("void_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="ballot_voided_with_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=models.Q(("progress__lte", 100)), name="pb_progress_le_100"
            ),
        ),
        migrations.AddConstraint(
            model_name="result",
            constraint=models.UniqueConstraint(
                fields=("process", "rule"), name="pb_result_once_per_rule"
            ),
        ),
    ]
