from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "wuding_enforcement.cases"
    label = "cases"
    verbose_name = "案件"

    def ready(self):
        from .gates import register_builtin_gates
        from .lifecycle import register_builtin_approval_rules, register_builtin_effects

        register_builtin_gates()
        register_builtin_effects()
        register_builtin_approval_rules()

        from .calendar import connect_signals

        # Requests read the holiday table once; saving a CalendarDay row drops the cached copy.
        connect_signals()
