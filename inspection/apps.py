from django.apps import AppConfig


class InspectionConfig(AppConfig):
    """行政检查: published lists and plans, the 名录库, verifiable 双随机 draws, tasks with a 检查码, the record
    on the case's inspection path, published results. Registers into the shared case and into recording."""

    name = "inspection"
    verbose_name = "行政检查"

    def ready(self):
        from . import clocks, doctypes, gates

        doctypes.register_gates()  # the document types registered on import (recording's registry)
        gates.register()  # the gates of the inspection path (cases.workflow)
        clocks.register()  # the publication clock (cases.deadlines)
