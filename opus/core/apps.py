from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opus.core"
    label = "core"
    verbose_name = "Opus core"

    def ready(self) -> None:
        # Connect sign-in auditing, lockout notices and token revocation; register checks.
        from opus.core import account_security, checks, middleware, signals  # noqa: F401
