from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "opus.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from opus.notifications import checks  # noqa: F401  (registers the deployment check)
