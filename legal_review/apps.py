from django.apps import AppConfig


class LegalReviewConfig(AppConfig):
    """重大行政执法决定法制审核: the review gate before a major decision."""

    name = "legal_review"
    verbose_name = "重大执法决定法制审核"

    def ready(self):
        from . import doctypes  # noqa: F401  (registers review_opinion and collective_record)
        from .gates import register
        from .public import register as register_public

        register()
        # The benchmarks page's cache section and the count of reviews in the annual statistics.
        register_public()
        from django.db.models.signals import post_migrate

        post_migrate.connect(_default_criteria, sender=self)


def _default_criteria(sender, apps=None, **kwargs):
    """Re-create the default catalogue when a flush emptied it (tests with transaction=True, `flush`);
    idempotent, the data migration made it first."""
    import importlib

    from django.apps import apps as global_apps

    importlib.import_module("legal_review.migrations.0002_default_criteria").create(apps or global_apps, None)
