from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """监督检查: sits above the three systems and reads them all; nothing imports it."""

    name = "wuding_enforcement.supervision"
    label = "supervision"
    verbose_name = "监督检查"
