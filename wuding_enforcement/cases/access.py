"""The one permission-scoped getter for the shared case: a case the user may not see is a 404."""

from django.http import Http404

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome

from .models import Case


def get_case_for_user(request, pk, *, write: bool = False) -> Case:
    base = Case.objects.editable_by(request.user) if write else Case.objects.visible_to(request.user)
    case = base.select_related("handling_unit", "handling_unit__head", "created_by").filter(pk=pk).first()
    if case is None:
        if Case.objects.filter(pk=pk).exists():
            record(
                "cases.case.access_denied",
                outcome=Outcome.DENIED,
                request=request,
                object_repr=f"案件#{pk}",
                detail={"case_id": pk, "write": write, "path": request.path},
            )
        raise Http404("案件不存在或您无权查看。")
    return case
