from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "wuding_enforcement.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        from . import db, receivers  # noqa: F401  (connect signal receivers)
