"""The case's stages, the allowed transitions, and the registry of gates and after-transition hooks.

The three systems register their gates and hooks from their AppConfig.ready(); the case never imports
them. A gate receives a TransitionContext and returns (or yields) the problems that refuse the move, each a
readable Chinese sentence; no problems means the gate lets the case pass.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models

from wuding_enforcement.shared.registry import Registry

if TYPE_CHECKING:
    from .models import Case


class Procedure(models.TextChoices):
    ORDINARY = "ordinary", "普通程序"
    SIMPLE = "simple", "简易程序"
    # 行政检查 (docs/domain.md §7): an inspection is a case on its own path (the inspection app drives it).
    INSPECTION = "inspection", "行政检查"


class Stage(models.TextChoices):
    LEAD = "lead", "线索登记"
    VERIFYING = "verifying", "核查"
    FILED = "filed", "立案"
    NOT_FILED = "not_filed", "不予立案"
    INVESTIGATING = "investigating", "调查取证"
    INVESTIGATION_CONCLUDED = "concluded", "调查终结/案件审核"
    NOTIFIED = "notified", "告知"
    STATEMENT = "statement", "陈述申辩/听证"
    LEGAL_REVIEW = "legal_review", "法制审核"
    COLLECTIVE = "collective", "集体讨论"
    DECIDED = "decided", "决定"
    SERVED = "served", "送达"
    EXECUTING = "executing", "执行"
    CLOSED = "closed", "结案"
    ARCHIVED = "archived", "归档"
    SUSPENDED = "suspended", "中止"
    TERMINATED = "terminated", "终止/撤销"
    TRANSFERRED = "transferred", "移送"
    # 简易程序 (行政处罚法 第五十一、五十二条): decided on the spot, served, filed with the bureau.
    ON_SPOT = "on_spot", "当场决定"
    REPORTED = "reported", "备案"
    # 行政检查 (国办发〔2024〕54号 必审批、必通知; 司法部《行政检查文书基本格式文本（试行）》): approved (行政检查审批表,
    # or an emergency registered the same day and approved afterwards) → notified (检查通知书, at the latest on
    # arrival) → inspected (现场检查笔录) → result (未发现问题 / 责令整改 / 移交立案) → 结案 → 归档.
    INSPECTION_APPROVED = "insp_approved", "检查已审批"
    INSPECTION_NOTIFIED = "insp_notified", "已通知检查"
    INSPECTED = "inspected", "现场检查"
    INSPECTION_RESULT = "insp_result", "检查结果"


S = Stage
ORDINARY_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.LEAD: (S.VERIFYING, S.FILED, S.NOT_FILED, S.TRANSFERRED),
    S.VERIFYING: (S.FILED, S.NOT_FILED, S.TRANSFERRED),
    S.FILED: (S.INVESTIGATING, S.SUSPENDED, S.TERMINATED, S.TRANSFERRED),
    S.INVESTIGATING: (S.INVESTIGATION_CONCLUDED, S.SUSPENDED, S.TERMINATED, S.TRANSFERRED),
    # 不予行政处罚 (行政处罚法 第五十七条第一款第（二）项) is decided on the report; a penalty goes through 告知.
    S.INVESTIGATION_CONCLUDED: (S.NOTIFIED, S.DECIDED, S.INVESTIGATING, S.TERMINATED, S.TRANSFERRED),
    S.NOTIFIED: (S.STATEMENT, S.SUSPENDED),
    S.STATEMENT: (S.LEGAL_REVIEW, S.DECIDED, S.INVESTIGATING, S.SUSPENDED),
    S.LEGAL_REVIEW: (S.COLLECTIVE, S.DECIDED, S.INVESTIGATING, S.TRANSFERRED),
    S.COLLECTIVE: (S.DECIDED, S.INVESTIGATING, S.TRANSFERRED),
    S.DECIDED: (S.SERVED,),
    S.SERVED: (S.EXECUTING, S.CLOSED),
    S.EXECUTING: (S.CLOSED, S.SUSPENDED),
    S.CLOSED: (S.ARCHIVED,),
    S.NOT_FILED: (S.ARCHIVED,),
    S.TERMINATED: (S.CLOSED,),
    S.TRANSFERRED: (S.CLOSED,),
    # Leaving 中止 returns to the stage it interrupted (Case.suspended_from) or ends the case.
    S.SUSPENDED: (S.TERMINATED,),
    S.ARCHIVED: (),
}
SIMPLE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.ON_SPOT: (S.SERVED,),
    S.SERVED: (S.EXECUTING, S.REPORTED),
    S.EXECUTING: (S.REPORTED,),
    S.REPORTED: (S.ARCHIVED,),
    S.ARCHIVED: (),
}
# 行政检查: the gates of each step are the inspection app's (registered from its AppConfig.ready()); an
# inspection that cannot go ahead (the entity was deregistered, the task was withdrawn) is 终止 with a reason.
INSPECTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.INSPECTION_APPROVED: (S.INSPECTION_NOTIFIED, S.TERMINATED),
    S.INSPECTION_NOTIFIED: (S.INSPECTED, S.TERMINATED),
    S.INSPECTED: (S.INSPECTION_RESULT,),
    S.INSPECTION_RESULT: (S.CLOSED,),
    S.TERMINATED: (S.CLOSED,),
    S.CLOSED: (S.ARCHIVED,),
    S.ARCHIVED: (),
}
INSPECTION_STAGES = frozenset(
    {S.INSPECTION_APPROVED, S.INSPECTION_NOTIFIED, S.INSPECTED, S.INSPECTION_RESULT}
)
# Keyed by str (a Stage or Procedure is one): callers look up stored values, which are plain strings.
INITIAL_STAGE: dict[str, str] = {
    Procedure.ORDINARY: S.LEAD,
    Procedure.SIMPLE: S.ON_SPOT,
    Procedure.INSPECTION: S.INSPECTION_APPROVED,
}
ACTIVE_STAGES = (frozenset(ORDINARY_TRANSITIONS) | INSPECTION_STAGES) - {S.CLOSED, S.ARCHIVED, S.NOT_FILED}
FINISHED_STAGES = frozenset({S.CLOSED, S.ARCHIVED, S.NOT_FILED, S.REPORTED})
# Stages from which 中止 returns; it never interrupts a finished case.
SUSPENDABLE = frozenset(s for s, targets in ORDINARY_TRANSITIONS.items() if S.SUSPENDED in targets)
# The verb that names each transition in history and the audit log: cases.case.<verb>.
VERBS: dict[str, str] = {
    S.VERIFYING: "verifying",
    S.FILED: "filed",
    S.NOT_FILED: "not_filed",
    S.INVESTIGATING: "investigating",
    S.INVESTIGATION_CONCLUDED: "concluded",
    S.NOTIFIED: "notified",
    S.STATEMENT: "statement",
    S.LEGAL_REVIEW: "submitted_for_review",
    S.COLLECTIVE: "collective_discussion",
    S.DECIDED: "decided",
    S.SERVED: "served",
    S.EXECUTING: "executing",
    S.CLOSED: "closed",
    S.ARCHIVED: "archived",
    S.SUSPENDED: "suspended",
    S.TERMINATED: "terminated",
    S.TRANSFERRED: "transferred",
    S.REPORTED: "reported",
    S.INSPECTION_NOTIFIED: "inspection_notified",
    S.INSPECTED: "inspected",
    S.INSPECTION_RESULT: "inspection_result",
}
# Key dates a transition writes on the case.
DATE_FIELDS: dict[str, str] = {
    S.FILED: "filed_on",
    S.DECIDED: "decided_on",
    S.SERVED: "served_on",
    S.CLOSED: "closed_on",
    S.ARCHIVED: "archived_on",
    S.REPORTED: "closed_on",
    S.NOT_FILED: "closed_on",
}


_TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Procedure.SIMPLE: SIMPLE_TRANSITIONS,
    Procedure.INSPECTION: INSPECTION_TRANSITIONS,
}


def transitions_for(procedure: str) -> dict[str, tuple[str, ...]]:
    return _TRANSITIONS.get(procedure, ORDINARY_TRANSITIONS)


class TransitionRefused(ValidationError):
    """The move is not allowed; `.messages` are the reasons, in Chinese, for the user."""


@dataclass
class TransitionContext:
    case: "Case"
    source: str
    target: str
    actor: object
    on: datetime.date
    reason: str = ""
    extra: dict = field(default_factory=dict)


Gate = Callable[[TransitionContext], Iterable[str] | None]
# The shared case's hooks (one mechanism: wuding_enforcement/shared/registry.py), keyed by target stage.
gates = Registry(
    "cases.gates", "May the case enter the target stage? A gate yields the problems that refuse it."
)
after = Registry("cases.after", "Run after a transition, inside the same transaction.")


def register_gate(func: Gate | None = None, *, targets: Iterable[str] | None = None, name: str | None = None):
    """Register a gate for the given target stages (all targets when None). Usable as a decorator."""
    return gates.register(func, keys=targets, name=name)


def register_after(func=None, *, targets: Iterable[str] | None = None, name: str | None = None):
    """Register a hook run after a transition, inside the same transaction."""
    return after.register(func, keys=targets, name=name)


def check_gates(ctx: TransitionContext) -> list[str]:
    return gates.collect(ctx.target, ctx)


def run_after(ctx: TransitionContext) -> None:
    after.run(ctx.target, ctx)


def registered_gates() -> list[str]:
    return gates.names()
