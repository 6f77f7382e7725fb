from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opus.core"
    label = "core"
    verbose_name = "Opus core"

    def ready(self) -> None:
        from opus.core import signals  # noqa: F401  (connects sign-in auditing)
