import hashlib

from django.db import migrations, models


def fill_hashes(apps, schema_editor):
    SavedSearch = apps.get_model("bookmarks", "SavedSearch")
    for saved in SavedSearch.objects.all().only("pk", "query"):
        digest = hashlib.sha256(saved.query.encode("utf-8")).hexdigest()
        SavedSearch.objects.filter(pk=saved.pk).update(query_hash=digest)


class Migration(migrations.Migration):
    """Unique per user on a hash of the query: a PostgreSQL btree entry cannot hold a long query."""

    dependencies = [
        ("bookmarks", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="savedsearch",
            name="query_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fill_hashes, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="savedsearch",
            name="unique_saved_search_per_user",
        ),
        migrations.AddConstraint(
            model_name="savedsearch",
            constraint=models.UniqueConstraint(
                fields=("user", "query_hash"), name="unique_saved_search_query_per_user"
            ),
        ),
    ]
