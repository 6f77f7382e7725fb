from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "opus.directory"
    label = "directory"
    verbose_name = "Service directory (Open Referral UK)"
