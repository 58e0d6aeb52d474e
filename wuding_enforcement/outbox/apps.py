from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "wuding_enforcement.outbox"
    label = "outbox"
    verbose_name = "后台任务"

    def ready(self):
        from . import leases, tracking  # noqa: F401  (the Job sweeper registers; Celery signal receivers connect)
