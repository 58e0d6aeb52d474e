"""PostgreSQL only: a GIN index over the tagged 2-character shingles of published decisions.

Serves the public search (disclosure.publication.search): ``string_to_array(search_grams, ' ') @> ARRAY[...]``.
pg_trgm indexes nothing under 3 characters, and Chinese search terms are often 2 characters (食品, 药店).
SQLite has no GIN: there the search scans, which is fine at its scale.
"""

from django.db import migrations

INDEX = "disclosure_pub_grams_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON disclosure_publication "
        "USING gin (string_to_array(search_grams, ' '))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
