"""PostgreSQL only: keep the columns the public search checks row by row inside the row (storage MAIN).

Migration 0003 set ``toast_tuple_target = 256`` so that the decision texts leave the row. The toaster then
keeps moving the widest remaining columns out of line until the row is under 256 bytes — the search shingles
stay (MAIN), but so many other columns are wider than a TOAST pointer that short ones went too: at 100,000
generated decisions, ``violation_type`` (30 bytes) was out of line in 64% of the rows. A search of a violation
checks every candidate of the GIN index with ``violation_type LIKE '%…%'``: each check read the TOAST index and a
TOAST page (three buffers a row: 4,967 buffers instead of 1,215 for the bounded count of 超过保质期, twice its
time). The party and 文号 searches check ``party_key`` and ``number_key`` the same way.

MAIN keeps these three inline (PostgreSQL moves a MAIN column out only when the row would not fit a page).
SET STORAGE applies to rows written afterwards, so the table is rewritten in the same statement (a column
"changed" to its own type with a USING expression rewrites the table): every row is written again in the same
physical order with the new storage, the table and its indexes compact (an UPDATE of the rows would leave a
dead version of each and the new ones out of order). It holds the table's lock for the rewrite: about 20 s at
100,000 generated decisions. Then VACUUM ANALYZE (outside a transaction: the migration is not atomic), since
a rewritten table has no page marked all-visible and the list's index-only scans would read the table until
the next vacuum.
"""

from django.db import migrations

COLUMNS = ("violation_type", "party_key", "number_key")


def keep_inline(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    storage = ", ".join(f"ALTER COLUMN {column} SET STORAGE MAIN" for column in COLUMNS)
    # One statement (atomic by itself): the storage, then the rewrite that applies it to every row.
    schema_editor.execute(
        f"ALTER TABLE disclosure_publication {storage}, "
        "ALTER COLUMN violation_type TYPE varchar(200) USING violation_type || ''"
    )
    if schema_editor.connection.in_atomic_block:  # VACUUM cannot run in a transaction
        schema_editor.execute("ANALYZE disclosure_publication")
    else:
        schema_editor.execute("VACUUM ANALYZE disclosure_publication")


def allow_out_of_line(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    storage = ", ".join(f"ALTER COLUMN {column} SET STORAGE EXTENDED" for column in COLUMNS)
    schema_editor.execute(f"ALTER TABLE disclosure_publication {storage}")


class Migration(migrations.Migration):
    atomic = False  # VACUUM after the rewrite
    dependencies = [("disclosure", "0013_publication_number_sequence_index")]

    operations = [migrations.RunPython(keep_inline, allow_out_of_line, elidable=False)]
