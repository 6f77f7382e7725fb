from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "opus.directory"
    label = "directory"
    verbose_name = "Service directory (Open Referral UK)"

    def ready(self) -> None:
        from opus.core.demo import DEMO_STEPS
        from opus.directory.demo import seed_directory

        DEMO_STEPS.append(seed_directory)
