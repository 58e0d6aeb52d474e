"""Recording's work queues, shown on the staff home page and the 执法记录 page: what is waiting for someone."""

from django.db.models import F

from wuding_enforcement.cases.models import Case
from wuding_enforcement.cases.workflow import (
    INSPECTION_TRANSITIONS,
    ORDINARY_TRANSITIONS,
    SIMPLE_TRANSITIONS,
    Stage,
)
from wuding_enforcement.roster.models import Role

from .models import CaseFileStatus

# The stages a case is archived from (结案, 不予立案, 简易程序 备案), read from the transition tables.
ARCHIVABLE_STAGES = frozenset(
    stage
    for table in (ORDINARY_TRANSITIONS, SIMPLE_TRANSITIONS, INSPECTION_TRANSITIONS)
    for stage, targets in table.items()
    if Stage.ARCHIVED in targets
)


def awaiting_archive(user):
    """Finished cases of the records keeper's own unit whose case file is not built yet, or whose last
    build failed: the 组卷 work (recording.archive: only the handling unit's 档案管理员 archives a case).
    One query with the case file joined; oldest first."""
    if not user.is_authenticated or not user.has_role(Role.RECORDS_KEEPER) or not user.unit_id:
        return Case.objects.none()
    return (
        Case.objects.filter(handling_unit_id=user.unit_id, stage__in=ARCHIVABLE_STAGES)
        .exclude(case_file__status__in=(CaseFileStatus.BUILDING, CaseFileStatus.DONE))
        .select_related("handling_unit")
        # The last build's state ("failed" is shown), None when none was started.
        .annotate(file_status=F("case_file__status"))
        .order_by("closed_on", "pk")
    )
