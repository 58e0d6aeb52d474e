from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: health probes, failure pages, request ids and JSON logs, the 运行状态 page, backup and
    restore, the database roles. Listed first in INSTALLED_APPS so that its `clean_old_history` (a refusal)
    shadows django-simple-history's."""

    name = "wuding_enforcement.ops"
    label = "ops"
    verbose_name = "运行维护"

    def ready(self) -> None:
        from celery.signals import task_postrun
        from django.core.signals import request_finished

        from wuding_enforcement.shared.storedfiles import discard_rolled_back

        # Files written for rows whose transaction rolled back go at the end of each request and task.
        request_finished.connect(discard_rolled_back, dispatch_uid="storedfiles.request_finished")
        task_postrun.connect(discard_rolled_back, dispatch_uid="storedfiles.task_postrun", weak=False)
