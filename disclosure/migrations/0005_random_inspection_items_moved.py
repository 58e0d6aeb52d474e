# The 随机抽查事项清单 moved to inspection (inspection 0001 took over the tables with their rows and history):
# the model leaves disclosure's state only; the database is not touched here.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0004_credit_export"),
        ("inspection", "0001_take_over_inspection_items"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalRandomInspectionItem"),
                migrations.DeleteModel(name="RandomInspectionItem"),
            ],
            database_operations=[],
        ),
    ]
