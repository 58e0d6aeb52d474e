"""The one permission-scoped getter for the shared case: a case the user may not see is a 404 (`Hidden`,
audited as cases.case.access_denied by the audit middleware)."""

from wuding_enforcement.shared.refusals import get_visible_or_404

from .models import Case


def get_case_for_user(request, pk, *, write: bool = False, related: bool = True) -> Case:
    """The case, or a 404 (audited). `related=False` reads the case row alone: the same check, without the
    joins of its unit, the unit's head and its creator (a page served from the staff pages' cache shows only
    the case's number; the joins tripled the query's planning time)."""
    base = Case.objects.editable_by(request.user) if write else Case.objects.visible_to(request.user)
    visible = base.select_related("handling_unit", "handling_unit__head", "created_by") if related else base
    return get_visible_or_404(
        visible,
        what=f"案件#{pk}",
        action="cases.case.access_denied",
        message="案件不存在或您无权查看。",
        detail={"case_id": pk, "write": write, "path": request.path},
        pk=pk,
    )
