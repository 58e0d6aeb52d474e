"""Recording's work queues, shown on the staff home page and the 执法记录 page: what is waiting for someone."""

from dataclasses import dataclass, field

from django.db.models import F

from wuding_enforcement.cases import procedure
from wuding_enforcement.cases.deadlines import Deadline, next_open_deadline
from wuding_enforcement.cases.models import Case
from wuding_enforcement.cases.workflow import (
    INSPECTION_TRANSITIONS,
    ORDINARY_TRANSITIONS,
    SIMPLE_TRANSITIONS,
    Stage,
    transitions_for,
)
from wuding_enforcement.roster.models import Role

from .models import CaseFileStatus
from .order import issued_marks

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


# --- 执法人员: the next statutory step of each of my cases ------------------------------------------------

# Moves that are not the case's next step forward: pausing, ending early, handing over, not filing.
_SIDE_STEPS = frozenset({Stage.SUSPENDED, Stage.TERMINATED, Stage.TRANSFERRED, Stage.NOT_FILED})

# Which clock bounds the step into each stage (the key or key prefix of cases.deadlines / recording.clocks /
# legal_review rows), most specific first; the case's next open deadline where none of them is open.
_STEP_CLOCKS = {
    Stage.VERIFYING: ("filing",),
    Stage.FILED: ("filing",),
    Stage.INVESTIGATING: ("decision",),
    Stage.INVESTIGATION_CONCLUDED: ("decision",),
    Stage.NOTIFIED: ("decision",),
    Stage.STATEMENT: ("decision",),
    Stage.LEGAL_REVIEW: ("legal_review", "decision"),
    Stage.COLLECTIVE: ("legal_review", "decision"),
    # The decision waits for the 陈述申辩 (听证) period and the hearing notice; then the 90-day limit binds.
    Stage.DECIDED: ("statement:", "hearing_notice:", "legal_review", "decision"),
    Stage.SERVED: ("service:",),
}


@dataclass
class NextStep:
    """The next statutory step of a case on the officer's home: the stage(s) it works towards, the documents
    the statutory order (cases/procedure.py, the registry the systems fill) still asks for before it, and
    the clock that bounds it."""

    label: str
    missing: list[str] = field(default_factory=list)
    deadline: Deadline | None = None

    def __str__(self) -> str:
        return self.label


def next_step(case, today, *, with_documents: bool = True) -> NextStep | None:
    """The case's next step forward along its procedure's path (立案 → 调查取证 → 调查终结 → 告知 → …, the
    transition table's order), with the documents still missing for it and its deadline. Reads the
    prefetched documents and deadlines of Case.objects.for_rows(); the paths the systems detect cost a few
    queries per case, so `with_documents=False` (a head's row of a case they do not handle) leaves them out."""
    table = list(transitions_for(case.procedure))
    here = table.index(case.stage) if case.stage in table else -1
    targets = case.allowed_targets()
    forward = [t for t in targets if t not in _SIDE_STEPS and t in table and table.index(t) > here]
    chosen = (forward or list(targets)[:1])[:2]
    if not chosen:
        return None
    deadline = _clock_for(chosen, case.deadlines(today))
    label = "或".join(Stage(t).label for t in chosen)
    if not with_documents:
        return NextStep(label=label, deadline=deadline)
    # A 送达回证 counts for the document it serves (the 告知书's receipt does not serve the 决定书): the marks
    # the registry's steps name, read from the prefetched rows.
    issued = issued_marks(case.documents.all())
    paths = procedure.case_paths(case)
    waived = procedure.waived_steps(case)
    missing = [
        step.title
        for step in procedure.all_steps()
        if step.procedure == case.procedure
        and step.stage in chosen
        and step.applies(paths)
        and step.key not in waived
        and not issued & set(step.documents)
    ]
    return NextStep(label=label, missing=list(dict.fromkeys(missing)), deadline=deadline)


def _clock_for(targets: list[str], deadlines) -> Deadline | None:
    """The open clock of the furthest of the offered stages (法制审核或决定: the decision's waiting period)."""
    open_ = [d for d in deadlines if not d.is_met]
    for key in [k for t in reversed(targets) for k in _STEP_CLOCKS.get(t, ())]:
        matching = [d for d in open_ if d.key == key or (key.endswith(":") and d.key.startswith(key))]
        if matching:
            return min(matching, key=lambda d: d.due)
    return next_open_deadline(deadlines)
