"""Ship Opus's local needs taxonomy in every installation (stable UUID5 ids)."""

from django.db import migrations


def load(apps, schema_editor):
    from opus.directory.taxonomy import TAXONOMY_ID, TAXONOMY_NAME, rows

    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    taxonomy, _ = Taxonomy.objects.get_or_create(
        id=TAXONOMY_ID,
        defaults={
            "name": TAXONOMY_NAME,
            "description": "Needs people bring, in two levels.",
            "version": "1",
        },
    )
    for row in rows():
        TaxonomyTerm.objects.get_or_create(
            id=row["id"],
            defaults={
                "taxonomy": taxonomy,
                "code": row["code"],
                "name": row["name"],
                "parent_id": row["parent_id"],
            },
        )


def unload(apps, schema_editor):
    from opus.directory.taxonomy import TAXONOMY_ID

    apps.get_model("directory", "Taxonomy").objects.filter(id=TAXONOMY_ID).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
