from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "opus.directory"
    label = "directory"
    verbose_name = "Service directory (Open Referral UK)"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from opus.core.demo import DEMO_STEPS
        from opus.directory.demo import seed_directory

        DEMO_STEPS.append(seed_directory)
        post_migrate.connect(_repair_search_index, sender=self)


def _repair_search_index(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    """A SQLite table rebuilt by a migration loses its triggers: put the FTS index right."""
    from django.db import connections

    from opus.directory.search import ensure_sqlite_index

    if connections[using].vendor == "sqlite" and using == "default":
        ensure_sqlite_index()
