# Feedback and ratings (issue 15, item 1).

import django.db.models.deletion
import django.db.models.expressions
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("choice", "0001_initial"),
        ("directory", "0010_service_reviewed_at_optional"),
        ("voice", "0002_complaints"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ServiceRating",
            fields=[
                (
                    "service",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="directory.service",
                    ),
                ),
                ("rating_sum", models.PositiveIntegerField(default=0)),
                ("rating_count", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("rating_sum__gte", models.F("rating_count")),
                            (
                                "rating_sum__lte",
                                django.db.models.expressions.CombinedExpression(
                                    models.F("rating_count"), "*", models.Value(5)
                                ),
                            ),
                        ),
                        name="service_rating_within_bounds",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Feedback",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("story", models.TextField(help_text="As the person wrote it; never changed")),
                ("published_story", models.TextField(blank=True, help_text="The moderator's copy")),
                ("overall", models.PositiveSmallIntegerField(verbose_name="overall")),
                ("kindness", models.PositiveSmallIntegerField(verbose_name="kindness")),
                ("reliability", models.PositiveSmallIntegerField(verbose_name="reliability")),
                ("recommend", models.PositiveSmallIntegerField(verbose_name="recommend")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for moderation"),
                            ("published", "Published"),
                            ("rejected", "Not published"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("moderated_at", models.DateTimeField(blank=True, null=True)),
                (
                    "moderation_note",
                    models.TextField(blank=True, help_text="What was removed, and why"),
                ),
                (
                    "restriction",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "None"),
                            ("requested", "Restriction asked for"),
                            ("restricted", "Restricted"),
                            ("refused", "Restriction refused"),
                        ],
                        default="",
                        max_length=10,
                    ),
                ),
                ("restriction_reason", models.TextField(blank=True)),
                ("reply", models.TextField(blank=True)),
                ("replied_at", models.DateTimeField(blank=True, null=True)),
                (
                    "badge",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "None"),
                            ("planned", "Change planned"),
                            ("made", "Change made"),
                        ],
                        default="",
                        max_length=8,
                    ),
                ),
                ("badge_explanation", models.TextField(blank=True)),
                ("badge_confirmed", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="feedback_given",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "booking",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="feedback",
                        to="choice.booking",
                    ),
                ),
                (
                    "moderated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "replied_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="feedback",
                        to="directory.service",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["service", "status"], name="feedback_service_status")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("overall__gte", 1), ("overall__lte", 5)),
                        name="feedback_overall_1_to_5",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("kindness__gte", 1), ("kindness__lte", 5)),
                        name="feedback_kindness_1_to_5",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reliability__gte", 1), ("reliability__lte", 5)),
                        name="feedback_reliability_1_to_5",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("recommend__gte", 1), ("recommend__lte", 5)),
                        name="feedback_recommend_1_to_5",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("story", ""), _negated=True),
                        name="feedback_has_a_story",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("booking__isnull", False)),
                        fields=("booking",),
                        name="feedback_once_per_booking",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("badge", ""),
                            models.Q(("badge_explanation", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="feedback_badge_explained",
                    ),
                ],
            },
        ),
    ]
