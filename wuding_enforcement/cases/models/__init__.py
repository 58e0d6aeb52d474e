"""The ONE case model shared by the three systems, one module per model: the case and its life (case.py),
its officers, parties, stage transitions and pauses, approvals (approvals.py), the powers catalogue, gapless
numbers, the working-day calendar and the editable rule parameters. Every name is imported here: code reads
`wuding_enforcement.cases.models`, never a module inside it."""

# The deadline table (every clock of every case as a row) and the party's answers to the 告知 and the remedies
# of cases under way (cases/procedure.py) live in their own modules beside this package; imported for the app
# registry.
from ..deadline_rows import CaseDeadline, DeadlineStale  # noqa: E402, I001
from ..models_procedure import PartyResponse, ProcedureRemedy, RemedyKind, ResponseKind  # noqa: E402
from .approvals import (
    PENDING_APPROVAL,
    Approval,
    ApprovalKind,
    ApprovalOpinion,
    ApprovalQuerySet,
    ApprovalStatus,
    OfficerChange,
    OpinionStep,
    approval_effects,
    approval_rules,
    register_approval_effect,
    register_approval_rule,
)
from .calendar_days import CalendarDay, today
from .case import (
    Case,
    CaseGroupObjectPermission,
    CaseQuerySet,
    CaseUserObjectPermission,
    LeadSource,
    StageWriteError,
    dates_in_order,
)
from .numbers import NumberSequence, format_number
from .officers import CaseOfficer
from .parties import IdType, Party, PartyKind
from .powers import PowerItem, PowerKind
from .rules import RuleSettings
from .transitions import CasePause, CaseTransition, PauseKind

__all__ = [
    "PENDING_APPROVAL",
    "Approval",
    "ApprovalKind",
    "ApprovalOpinion",
    "ApprovalQuerySet",
    "ApprovalStatus",
    "CalendarDay",
    "Case",
    "CaseDeadline",
    "CaseGroupObjectPermission",
    "CaseOfficer",
    "CasePause",
    "CaseQuerySet",
    "CaseTransition",
    "CaseUserObjectPermission",
    "DeadlineStale",
    "IdType",
    "LeadSource",
    "NumberSequence",
    "OfficerChange",
    "OpinionStep",
    "Party",
    "PartyKind",
    "PartyResponse",
    "PauseKind",
    "PowerItem",
    "PowerKind",
    "ProcedureRemedy",
    "RemedyKind",
    "ResponseKind",
    "RuleSettings",
    "StageWriteError",
    "approval_effects",
    "approval_rules",
    "dates_in_order",
    "format_number",
    "register_approval_effect",
    "register_approval_rule",
    "today",
]
