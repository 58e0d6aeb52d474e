"""PostgreSQL only: a B-tree on the sequence part of the normalised 文号 of listed decisions — what follows »
in ``number_key`` (武市监处罚«2026»12号 → 12号).

Serves the public 文号 search (PublicationQuerySet.search, disclosure/search.py). A typed number that names a
sequence (…»12号, …»12) can only be found in a row whose one » is followed by that sequence, so the rows are
found by a prefix range on this index (``split_part(number_key, '»', 2) LIKE '12号%'``) and then checked against
the whole key as before. The 2-character grams of disclosure_pub_grams_gin found them before: the bureau
prefix's grams (n武市, n市监, n处罚 …) and the year's are in every row, and reading their posting lists grew with
the table. SQLite has no split_part: there the search scans, as before.
"""

from django.db import migrations

INDEX = "disclosure_pub_number_seq_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON disclosure_publication "
        "(split_part(number_key, '»', 2) text_pattern_ops) WHERE status IN ('published', 'withdrawn')"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0012_credit_inspection_changes")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
