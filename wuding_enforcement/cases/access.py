"""The one permission-scoped getter for the shared case: a case the user may not see is a 404 (`Hidden`,
audited as cases.case.access_denied by the audit middleware)."""

from wuding_enforcement.shared.refusals import get_visible_or_404

from .models import Case


def get_case_for_user(request, pk, *, write: bool = False) -> Case:
    base = Case.objects.editable_by(request.user) if write else Case.objects.visible_to(request.user)
    visible = base.select_related("handling_unit", "handling_unit__head", "created_by")
    return get_visible_or_404(
        visible,
        what=f"案件#{pk}",
        action="cases.case.access_denied",
        message="案件不存在或您无权查看。",
        detail={"case_id": pk, "write": write, "path": request.path},
        pk=pk,
    )
