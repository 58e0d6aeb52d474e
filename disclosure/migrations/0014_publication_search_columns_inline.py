"""PostgreSQL only: keep the columns the public search checks row by row inside the row (storage MAIN).

Migration 0003 set ``toast_tuple_target = 256`` so that the decision texts leave the row. The toaster then
keeps moving the widest remaining columns out of line until the row is under 256 bytes — the search shingles
stay (MAIN), but so many other columns are wider than a TOAST pointer that short ones went too: at 100,000
generated decisions, ``violation_type`` (30 bytes) was out of line in 64% of the rows. A search of a violation
checks every candidate of the GIN index with ``violation_type LIKE '%…%'``: each check read the TOAST index and a
TOAST page (three buffers a row: 4,967 buffers instead of 1,215 for the bounded count of 超过保质期, twice its
time). The party and 文号 searches check ``party_key`` and ``number_key`` the same way.

MAIN keeps these three inline (PostgreSQL moves a MAIN column out only when the row would not fit a page).
SET STORAGE applies to rows written afterwards; the rows whose value is out of line (or compressed: its stored
size is not above its length) are rewritten with the same values so that they come inline. The table keeps
the dead versions until the next VACUUM (autovacuum; run ``VACUUM ANALYZE disclosure_publication`` after
migrating a large table by hand).
"""

from django.db import migrations

COLUMNS = ("violation_type", "party_key", "number_key")


def keep_inline(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    storage = ", ".join(f"ALTER COLUMN {column} SET STORAGE MAIN" for column in COLUMNS)
    schema_editor.execute(f"ALTER TABLE disclosure_publication {storage}")
    # `|| ''` makes a new value (an unchanged out-of-line value would keep its TOAST pointer on UPDATE).
    assign = ", ".join(f"{column} = {column} || ''" for column in COLUMNS)
    out_of_line = " OR ".join(f"pg_column_size({column}) <= octet_length({column})" for column in COLUMNS)
    schema_editor.execute(f"UPDATE disclosure_publication SET {assign} WHERE {out_of_line}")


def allow_out_of_line(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    storage = ", ".join(f"ALTER COLUMN {column} SET STORAGE EXTENDED" for column in COLUMNS)
    schema_editor.execute(f"ALTER TABLE disclosure_publication {storage}")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0013_publication_number_sequence_index")]

    operations = [migrations.RunPython(keep_inline, allow_out_of_line, elidable=False)]
