"""The PostgreSQL search engine's tables (search/backends/postgres/schema.py).

On any other database this migration does nothing: the Whoosh engine keeps its index in files.
"""

from django.db import migrations


def create(apps, schema_editor):
    from search.backends.postgres import schema

    schema.create(schema_editor.connection)


def drop(apps, schema_editor):
    from search.backends.postgres import schema

    schema.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies: list = []
    operations = [migrations.RunPython(create, drop, elidable=False)]
