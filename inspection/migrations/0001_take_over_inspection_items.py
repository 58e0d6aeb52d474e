# The 随机抽查事项清单 moves from disclosure (RandomInspectionItem) into inspection as the 检查事项 list, rows and
# history kept: the model's state is created here over disclosure's tables (no database change), then the two
# tables are renamed to inspection's; disclosure 0005 drops the old model from its state (no database change).

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("disclosure", "0001_initial"),
        ("roster", "0002_training"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="InspectionItem",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                        ("is_public", models.BooleanField(default=True, help_text="取消勾选即从公示网站撤下（不删除）。", verbose_name="公开")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        ("code", models.CharField(max_length=30, unique=True, verbose_name="编码")),
                        ("field", models.CharField(max_length=30, verbose_name="领域")),
                        ("item", models.CharField(max_length=200, verbose_name="抽查事项")),
                        ("target", models.CharField(max_length=200, verbose_name="抽查对象")),
                        ("basis", models.TextField(verbose_name="抽查依据")),
                        ("method", models.CharField(help_text="如：现场检查、书面检查、网络监测", max_length=100, verbose_name="抽查方式")),
                        ("ratio", models.CharField(max_length=100, verbose_name="抽查比例和频次")),
                        ("unit", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="inspection_items", to="roster.unit", verbose_name="实施单位")),
                    ],
                    options={
                        "verbose_name": "随机抽查事项",
                        "verbose_name_plural": "随机抽查事项清单",
                        "ordering": ["order", "code"],
                        "db_table": "disclosure_randominspectionitem",
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalInspectionItem",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                        ("is_public", models.BooleanField(default=True, help_text="取消勾选即从公示网站撤下（不删除）。", verbose_name="公开")),
                        ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="更新时间")),
                        ("code", models.CharField(db_index=True, max_length=30, verbose_name="编码")),
                        ("field", models.CharField(max_length=30, verbose_name="领域")),
                        ("item", models.CharField(max_length=200, verbose_name="抽查事项")),
                        ("target", models.CharField(max_length=200, verbose_name="抽查对象")),
                        ("basis", models.TextField(verbose_name="抽查依据")),
                        ("method", models.CharField(help_text="如：现场检查、书面检查、网络监测", max_length=100, verbose_name="抽查方式")),
                        ("ratio", models.CharField(max_length=100, verbose_name="抽查比例和频次")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        ("history_type", models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                        ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("unit", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="roster.unit", verbose_name="实施单位")),
                    ],
                    options={
                        "verbose_name": "historical 随机抽查事项",
                        "verbose_name_plural": "historical 随机抽查事项清单",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "db_table": "disclosure_historicalrandominspectionitem",
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
            database_operations=[],
        ),
        # Now the tables become inspection's own (rows, ids and history untouched).
        migrations.AlterModelTable(name="inspectionitem", table=None),
        migrations.AlterModelTable(name="historicalinspectionitem", table=None),
    ]
