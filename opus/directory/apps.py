from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "opus.directory"
    label = "directory"
    verbose_name = "Service directory (Open Referral UK)"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from opus.core.demo import DEMO_STEPS
        from opus.core.models import Organisation
        from opus.directory.demo import seed_directory
        from opus.directory.derived import signals

        DEMO_STEPS.append(seed_directory)
        post_migrate.connect(signals.after_migrate, sender=self)
        post_save.connect(signals.provider_renamed, sender=Organisation)
