from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm for Chinese search on PostgreSQL (party names, 案由); a no-op on SQLite."""

    dependencies = [("cases", "0002_initial")]

    operations = [TrigramExtension()]
