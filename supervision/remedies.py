"""程序补救 on the supervision dashboard: the cases already under way that the statutory order would strand
(docs/domain.md §6; cases.ProcedureRemedy, opened by `manage.py report_procedure_gaps`), listed until each is
resolved by 补正 or by a 局负责人-approved note — never a silent exception."""

from wuding_enforcement.cases.models import ProcedureRemedy

SHOWN = 20


def open_remedies():
    """The open remedies, oldest first, with their case and unit (one query)."""
    return (
        ProcedureRemedy.objects.open()
        .select_related("case", "case__handling_unit")
        .order_by("found_on", "pk")
    )


def resolved_waivers():
    """Steps a 局负责人 approved as lawfully not needed: counted on the dashboard, never hidden."""
    return ProcedureRemedy.objects.filter(kind="not_needed", resolved_at__isnull=False)
