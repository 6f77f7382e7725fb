# The register of public and community assets, and assets of community value.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0012_people_and_verification"),
        ("neighbourhoods", "0002_councils_and_pb"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CommunityAsset",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reference", models.CharField(max_length=20, unique=True)),
                ("name", models.CharField(max_length=300)),
                ("description", models.TextField(blank=True)),
                ("address_text", models.CharField(max_length=400)),
                ("postcode", models.CharField(blank=True, max_length=8)),
                ("uprn", models.CharField(blank=True, max_length=12)),
                ("latitude", models.FloatField(blank=True, null=True)),
                ("longitude", models.FloatField(blank=True, null=True)),
                ("owner_name", models.CharField(max_length=200)),
                ("owner_email", models.EmailField(blank=True, max_length=254)),
                ("regime", models.CharField(max_length=60)),
                ("nominated_on", models.DateField()),
                ("reasons", models.TextField()),
                ("decision_due", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("nominated", "Nominated, waiting for a decision"),
                            ("listed", "Listed"),
                            ("not_listed", "Not listed"),
                            ("removed", "Removed from the list"),
                        ],
                        db_index=True,
                        default="nominated",
                        max_length=16,
                    ),
                ),
                ("decided_on", models.DateField(blank=True, null=True)),
                ("decision_reasons", models.TextField(blank=True)),
                ("listed_until", models.DateField(blank=True, null=True)),
                ("review_request_end", models.DateField(blank=True, null=True)),
                ("review_requested_on", models.DateField(blank=True, null=True)),
                ("review_due", models.DateField(blank=True, null=True)),
                ("review_decided_on", models.DateField(blank=True, null=True)),
                ("review_upheld", models.BooleanField(blank=True, null=True)),
                ("review_reasons", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "listing_authority",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="listed_acvs",
                        to="core.organisation",
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
                    "neighbourhood_council",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="neighbourhood_acvs",
                        to="core.organisation",
                    ),
                ),
                (
                    "nominated_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "nominator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="nominated_acvs",
                        to="core.organisation",
                    ),
                ),
                (
                    "owner_organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["name", "pk"],
            },
        ),
        migrations.CreateModel(
            name="DisposalNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("notice_date", models.DateField()),
                ("regime", models.CharField(max_length=60)),
                ("interim_end", models.DateField()),
                ("full_end", models.DateField(blank=True, null=True)),
                ("protected_end", models.DateField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "asset",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notices",
                        to="neighbourhoods.communityasset",
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
            ],
            options={
                "ordering": ["-notice_date", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="ExemptDisposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("exemption", models.CharField(max_length=40)),
                ("reason", models.TextField()),
                ("disposal_date", models.DateField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "asset",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="exemptions",
                        to="neighbourhoods.communityasset",
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
            ],
            options={
                "ordering": ["-disposal_date", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="GrantRoundOffer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("offered_on", models.DateField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "neighbourhood_council",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="asset_grant_offers",
                        to="core.organisation",
                    ),
                ),
                (
                    "notice",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="grant_offer",
                        to="neighbourhoods.disposalnotice",
                    ),
                ),
            ],
            options={
                "ordering": ["-offered_on", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="PublicAsset",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reference", models.CharField(max_length=100)),
                ("name", models.CharField(max_length=300)),
                ("use", models.CharField(blank=True, max_length=200)),
                (
                    "tenure",
                    models.CharField(
                        choices=[
                            ("freehold", "Freehold"),
                            ("leasehold", "Leasehold"),
                            ("other", "Other or not known"),
                        ],
                        default="other",
                        max_length=16,
                    ),
                ),
                ("tenure_detail", models.CharField(blank=True, max_length=200)),
                ("street_number", models.CharField(blank=True, max_length=60)),
                ("street_name", models.CharField(blank=True, max_length=200)),
                ("town", models.CharField(blank=True, max_length=100)),
                ("postcode", models.CharField(blank=True, max_length=8)),
                ("uprn", models.CharField(blank=True, max_length=12)),
                ("easting", models.PositiveIntegerField(blank=True, null=True)),
                ("northing", models.PositiveIntegerField(blank=True, null=True)),
                ("latitude", models.FloatField(blank=True, null=True)),
                ("longitude", models.FloatField(blank=True, null=True)),
                ("condition", models.CharField(blank=True, max_length=200)),
                ("occupied_by_owner", models.BooleanField(blank=True, null=True)),
                ("surplus", models.BooleanField(default=False)),
                ("source", models.CharField(blank=True, max_length=300)),
                ("import_source", models.CharField(blank=True, db_index=True, max_length=100)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
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
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="public_assets",
                        to="core.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["name", "pk"],
            },
        ),
        migrations.AddField(
            model_name="communityasset",
            name="public_asset",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="acvs",
                to="neighbourhoods.publicasset",
            ),
        ),
        migrations.CreateModel(
            name="BidderRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("made_on", models.DateField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
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
                    "notice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bidder_requests",
                        to="neighbourhoods.disposalnotice",
                    ),
                ),
            ],
            options={
                "ordering": ["made_on", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("notice", "group"), name="neighbourhoods_bidder_once"
                    )
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="publicasset",
            constraint=models.UniqueConstraint(
                fields=("owner", "reference"), name="neighbourhoods_public_asset_ref"
            ),
        ),
    ]
