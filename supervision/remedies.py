"""程序补救 on the supervision dashboard: the cases already under way that the statutory order would strand
(docs/domain.md §6; cases.ProcedureRemedy, opened by `manage.py report_procedure_gaps`), listed until each is
resolved by 补正 or by a 局负责人-approved note — never a silent exception."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from wuding_enforcement.cases.models import ProcedureRemedy
from wuding_enforcement.cases.workflow import TransitionRefused
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.shared.refusals import show_refusal

from .models import SUPERVISORS

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


@require_POST
@login_required
@role_required(*SUPERVISORS)
def resolve(request, pk):
    """Resolve a remedy: 补正 (checked against the case's documents) or a 局负责人's note (the domain refuses
    anyone else: ProcedureRemedy.resolve)."""
    from recording.order import remedy_still_missing

    remedy = get_object_or_404(ProcedureRemedy.objects.open().select_related("case"), pk=pk)
    try:
        remedy.resolve(
            kind=request.POST.get("kind", ""),
            note=request.POST.get("note", ""),
            by=request.user,
            still_missing=remedy_still_missing(remedy),
        )
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, f"已处理：{remedy.case.number}“{remedy.step_title}”。")
    return redirect("supervision:dashboard")
