from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "opus.notifications"
    label = "notifications"
    verbose_name = "Notifications"
