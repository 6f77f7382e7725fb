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

        DEMO_STEPS.append(seed_directory)
        post_migrate.connect(_repair_search_index, sender=self)
        post_save.connect(_provider_renamed, sender=Organisation)


def _provider_renamed(sender: type, instance: object, **kwargs: object) -> None:
    """A service's search text names its provider: follow a renamed organisation.

    Organisations are saved by the core app; this keeps the directory's derived text right
    without it knowing. Only services whose text changes are written.
    """
    from opus.directory import reach, search
    from opus.directory.models import Service

    fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (fields is not None and "name" not in fields):
        return
    ids = list(Service.objects.filter(organisation=instance).values_list("pk", flat=True))
    if ids:
        search.refresh(ids)
        reach.refresh(ids)  # the listing keeps a copy of the text's vector (PostgreSQL)


def _repair_search_index(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    """A SQLite table rebuilt by a migration loses its triggers: put the FTS index right."""
    from django.db import connections

    from opus.directory.search import ensure_sqlite_index

    if connections[using].vendor == "sqlite" and using == "default":
        ensure_sqlite_index()
