"""Indexes the 记录统计 aggregate (supervision/records_facts.py) reads on the cases tables, so that its work
follows the facts of the period asked for rather than every case ever registered:

- transitions into a stage by date (the cases with a stage span ending in the period);
- each case's transitions by stage in the order they were recorded, with their date (the first entry into a
  stage: one index-only probe per case and stage);
- cases by lead date (the cases registered in the period).

Plain SQL (CREATE INDEX, the same on PostgreSQL and SQLite): the tables are the cases app's, the indexes only
this report's; they are not part of the cases models' state."""

from django.db import migrations

INDEXES = [
    ("supervision_transition_stage_on_idx", "cases_casetransition", 'to_stage, "on", case_id'),
    ("supervision_transition_first_idx", "cases_casetransition", 'case_id, to_stage, at, id, "on"'),
    ("supervision_case_lead_date_idx", "cases_case", "lead_date"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_default_scoring_sheet"),
        ("cases", "0011_procedure_remedies"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
