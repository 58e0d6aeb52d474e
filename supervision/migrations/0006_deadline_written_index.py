"""An index on the deadline table's last write (cases_casedeadline.computed_at): the cached statistics report
(supervision/figure_cache.py) keys its entries on the table's newest write, read on every request — an
index-only read of one entry instead of a scan of every clock of every case. Plain SQL, like 0005: the table is
the cases app's, the index only this report's."""

from django.db import migrations

NAME = "supervision_deadline_written_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0005_statistics_indexes"),
        ("cases", "0011_procedure_remedies"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON cases_casedeadline (computed_at)",
            reverse_sql=f"DROP INDEX IF EXISTS {NAME}",
        )
    ]
