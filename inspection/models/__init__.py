"""The models of 行政检查, one module per part (each module's docstring says what it holds)."""

from .draws import COMMITTED_FIELDS, Draw, DrawPick, DrawState
from .entities import Conflict, EntityKind, MarketEntity, validate_credit_code
from .feedback import AvoidanceDecision, Complaint, ComplaintKind, Rating
from .lists import (
    ChecklistEntry,
    CreditClass,
    EntityCategory,
    FrequencyCap,
    InspectionItem,
    InspectionMode,
    InspectionSettings,
    InspectionSubject,
    RiskClass,
)
from .plans import ApprovalBody, InspectionPlan, PlanEntry, PlanKind
from .results import ResultVersion
from .tasks import (
    CASE_SOURCES,
    IN_CAP_KINDS,
    PUBLISHED_KINDS,
    RESULT_STAGES,
    ApprovalState,
    Inspection,
    InspectionKind,
    Result,
    WithdrawalKind,
)

__all__ = [
    "CASE_SOURCES",
    "COMMITTED_FIELDS",
    "IN_CAP_KINDS",
    "PUBLISHED_KINDS",
    "RESULT_STAGES",
    "ApprovalBody",
    "ApprovalState",
    "ChecklistEntry",
    "AvoidanceDecision",
    "Complaint",
    "ComplaintKind",
    "Conflict",
    "CreditClass",
    "Draw",
    "DrawPick",
    "DrawState",
    "EntityCategory",
    "EntityKind",
    "FrequencyCap",
    "Inspection",
    "InspectionItem",
    "InspectionKind",
    "InspectionMode",
    "InspectionPlan",
    "InspectionSettings",
    "InspectionSubject",
    "MarketEntity",
    "PlanEntry",
    "PlanKind",
    "Rating",
    "Result",
    "ResultVersion",
    "RiskClass",
    "WithdrawalKind",
    "validate_credit_code",
]
