from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "wuding_enforcement.cases"
    label = "cases"
    verbose_name = "案件"

    def ready(self):
        from .approval_rules import register_builtin_approval_rules, register_builtin_effects
        from .gates import register_builtin_gates

        register_builtin_gates()
        register_builtin_effects()
        register_builtin_approval_rules()

        from .calendar import connect_signals

        # Requests read the holiday table once; saving a CalendarDay row drops the cached copy.
        connect_signals()

        from .deadline_sync import connect_signals as connect_deadline_sync

        # A save of a case or of any row pointing to one marks its clocks stale (deadline table).
        connect_deadline_sync()
