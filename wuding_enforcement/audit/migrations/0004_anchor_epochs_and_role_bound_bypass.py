from django.db import migrations, models

from wuding_enforcement.audit.db import install_trigger


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_trigger")]

    operations = [
        migrations.AddField(
            model_name="auditanchor",
            name="epoch",
            field=models.PositiveIntegerField(default=1, verbose_name="锚点期次"),
        ),
        migrations.AddField(
            model_name="auditanchor",
            name="period",
            field=models.CharField(default="daily", max_length=20, verbose_name="锚定方式"),
        ),
        # The trigger function now lets the test bypass through only for members of the test-only role.
        migrations.RunPython(install_trigger, migrations.RunPython.noop),
    ]
