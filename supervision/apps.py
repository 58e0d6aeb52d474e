from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """监督检查: sits above the three systems and reads them all; nothing imports it."""

    name = "supervision"
    label = "supervision"
    verbose_name = "监督检查"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_default_sheet, sender=self)
        post_migrate.connect(_record_facts, sender=self)
        # Declares the figures' page-cache section in every process (the web, the worker, a command): a
        # process that saves a watched row renews the figures even if it never shows them.
        from . import figure_cache  # noqa: F401
        from .records_store import connect

        connect()  # the statistics' facts kept with the deadline rows


def _default_sheet(sender, apps=None, **kwargs):
    """Re-create the default scoring sheet when a flush emptied it (idempotent)."""
    import importlib

    from django.apps import apps as global_apps

    importlib.import_module("supervision.migrations.0004_default_scoring_sheet").add_sheet(
        apps or global_apps, None
    )


def _record_facts(sender, **kwargs):
    """Fill the statistics' stored facts when cases exist without them (the migrate that adds the tables)."""
    from .records_store import backfill_if_missing

    backfill_if_missing()
