# Consultations and co-design (issue 15, item 4).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commissioning", "0004_loop_ras_kpi_indicator_service"),
        ("core", "0012_people_and_verification"),
        ("voice", "0003_feedback"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CodesignGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("purpose", models.TextField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "decision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="codesign_groups",
                        to="commissioning.servicedecision",
                    ),
                ),
            ],
            options={
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="CodesignMeeting",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("held_on", models.DateField()),
                ("notes", models.TextField()),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="meetings",
                        to="voice.codesigngroup",
                    ),
                ),
            ],
            options={
                "ordering": ["held_on", "pk"],
            },
        ),
        migrations.CreateModel(
            name="CodesignMember",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                (
                    "experience",
                    models.CharField(help_text="The lived experience they bring", max_length=300),
                ),
                ("consented_on", models.DateField()),
                ("name_shown", models.BooleanField(default=False)),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="voice.codesigngroup",
                    ),
                ),
            ],
            options={
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="Consultation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("summary", models.TextField()),
                ("opens_on", models.DateField()),
                ("closes_on", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("published", "Published"),
                            ("concluded", "Closed with “you said, we did”"),
                        ],
                        default="draft",
                        max_length=10,
                    ),
                ),
                ("you_said_we_did", models.TextField(blank=True)),
                ("concluded_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("published_at", models.DateTimeField(blank=True, null=True)),
                (
                    "body",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="consultations",
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
                "ordering": ["-closes_on", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="ConsultationDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("url", models.URLField(max_length=500)),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="documents",
                        to="voice.consultation",
                    ),
                ),
            ],
            options={
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="Question",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                ("text", models.CharField(max_length=300)),
                ("hint", models.CharField(blank=True, max_length=500)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("text", "Free text"),
                            ("single", "Choose one"),
                            ("multiple", "Choose any"),
                            ("agree", "Agree or disagree"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "options",
                    models.JSONField(blank=True, default=list, help_text="For the choice kinds"),
                ),
                ("required", models.BooleanField(default=False)),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="questions",
                        to="voice.consultation",
                    ),
                ),
            ],
            options={
                "ordering": ["consultation", "position"],
            },
        ),
        migrations.CreateModel(
            name="Recommendation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField()),
                (
                    "response",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Waiting for the commissioner's response"),
                            ("accepted", "Accepted"),
                            ("partly", "Partly accepted"),
                            ("not", "Not accepted"),
                        ],
                        default="",
                        max_length=10,
                    ),
                ),
                ("reason", models.TextField(blank=True)),
                ("responded_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recommendations",
                        to="voice.codesigngroup",
                    ),
                ),
                (
                    "responded_by",
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
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Response",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "email",
                    models.EmailField(
                        blank=True, help_text="To be told the outcome; optional", max_length=254
                    ),
                ),
                ("session_digest", models.CharField(blank=True, max_length=64)),
                ("address_digest", models.CharField(blank=True, max_length=64)),
                ("equality_consent", models.BooleanField(default=False)),
                (
                    "age_band",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("under_18", "Under 18"),
                            ("18_24", "18 to 24"),
                            ("25_34", "25 to 34"),
                            ("35_49", "35 to 49"),
                            ("50_64", "50 to 64"),
                            ("65_74", "65 to 74"),
                            ("75_plus", "75 or over"),
                            ("prefer_not", "Prefer not to say"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "sex",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("female", "Female"),
                            ("male", "Male"),
                            ("prefer_not", "Prefer not to say"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "disability",
                    models.CharField(
                        blank=True,
                        choices=[("yes", "Yes"), ("no", "No"), ("prefer_not", "Prefer not to say")],
                        max_length=10,
                    ),
                ),
                (
                    "ethnic_group",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("asian", "Asian, Asian British or Asian Welsh"),
                            ("black", "Black, Black British, Black Welsh, Caribbean or African"),
                            ("mixed", "Mixed or multiple ethnic groups"),
                            ("white", "White"),
                            ("other", "Other ethnic group"),
                            ("prefer_not", "Prefer not to say"),
                        ],
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="responses",
                        to="voice.consultation",
                    ),
                ),
                (
                    "respondent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="consultation_responses",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["created_at"],
            },
        ),
        migrations.CreateModel(
            name="Theme",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="themes",
                        to="voice.consultation",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Answer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(blank=True)),
                ("chosen", models.JSONField(blank=True, default=list)),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="voice.question",
                    ),
                ),
                (
                    "response",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="voice.response",
                    ),
                ),
                (
                    "themes",
                    models.ManyToManyField(blank=True, related_name="answers", to="voice.theme"),
                ),
            ],
            options={
                "ordering": ["pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="consultation",
            constraint=models.CheckConstraint(
                condition=models.Q(("closes_on__gte", models.F("opens_on"))),
                name="consultation_closes_after_opening",
            ),
        ),
        migrations.AddConstraint(
            model_name="consultation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "concluded"), _negated=True),
                    models.Q(("you_said_we_did", ""), _negated=True),
                    _connector="OR",
                ),
                name="consultation_concluded_with_response",
            ),
        ),
        migrations.AddConstraint(
            model_name="question",
            constraint=models.UniqueConstraint(
                fields=("consultation", "position"), name="question_position_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="recommendation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("response", ""), models.Q(("reason", ""), _negated=True), _connector="OR"
                ),
                name="recommendation_response_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.UniqueConstraint(
                condition=models.Q(("respondent__isnull", False)),
                fields=("consultation", "respondent"),
                name="response_once_per_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.UniqueConstraint(
                condition=models.Q(("session_digest", ""), _negated=True),
                fields=("consultation", "session_digest"),
                name="response_once_per_session",
            ),
        ),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("equality_consent", True),
                    models.Q(
                        ("age_band", ""), ("disability", ""), ("ethnic_group", ""), ("sex", "")
                    ),
                    _connector="OR",
                ),
                name="response_equality_with_consent",
            ),
        ),
        migrations.AddConstraint(
            model_name="theme",
            constraint=models.UniqueConstraint(
                fields=("consultation", "name"), name="theme_name_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.UniqueConstraint(fields=("response", "question"), name="answer_once"),
        ),
    ]
