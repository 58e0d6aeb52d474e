from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: health probes, failure pages, request ids and JSON logs, the 运行状态 page, backup and
    restore, the database roles. Listed first in INSTALLED_APPS so that its `clean_old_history` (a refusal)
    shadows django-simple-history's."""

    name = "wuding_enforcement.ops"
    label = "ops"
    verbose_name = "运行维护"
