"""API tokens expire and say why they were revoked; a table counts throttled requests.

Tokens made before this migration expire OPUS_API_TOKEN_LIFETIME_DAYS after it runs (not after
they were made, so that no client is cut off without notice the moment it is deployed).
"""

import django.utils.timezone
from django.db import migrations, models

import opus.core.models


def expire_existing_tokens(apps, schema_editor):
    ApiToken = apps.get_model("core", "ApiToken")
    ApiToken.objects.update(expires_at=opus.core.models.api_token_expiry())


class Migration(migrations.Migration):
    dependencies = [("core", "0010_audit_heads")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=opus.core.models.api_token_expiry),
        ),
        migrations.RunPython(expire_existing_tokens, migrations.RunPython.noop, elidable=True),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("owner", "Revoked by its owner"),
                    ("lockout", "Revoked when the account was locked"),
                    ("password", "Revoked when the password changed"),
                    ("deactivated", "Revoked when the account was switched off"),
                ],
                default="",
                max_length=16,
            ),
        ),
        migrations.CreateModel(
            name="ThrottleHit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope", models.CharField(max_length=32)),
                ("key", models.CharField(max_length=64)),
                (
                    "created_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["scope", "key", "created_at"], name="core_thrott_scope_855194_idx"
                    )
                ],
            },
        ),
    ]
