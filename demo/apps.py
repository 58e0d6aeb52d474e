from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (fictitious people) for `make run`; the top floor, imported by nothing."""

    name = "demo"
    label = "demo"
    verbose_name = "演示数据"
