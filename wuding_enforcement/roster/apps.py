from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "wuding_enforcement.roster"
    label = "roster"
    verbose_name = "人员与证件"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import receivers  # noqa: F401

        post_migrate.connect(_sync_roles, sender=self)


def _sync_roles(sender, using="default", **kwargs):
    from .roles import sync_role_groups

    sync_role_groups(using=using)
