from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    """行政执法公示: the public site."""

    name = "disclosure"
    verbose_name = "行政执法公示"
