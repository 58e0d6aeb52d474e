from django.db import migrations

from wuding_enforcement.audit.db import install_trigger


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [migrations.RunPython(install_trigger, migrations.RunPython.noop)]
