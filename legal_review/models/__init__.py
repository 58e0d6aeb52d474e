"""重大行政执法决定法制审核: the catalogue of major-decision criteria, discretion benchmarks, review rounds with
their checklists, advisers' opinions, objections and their coordination, and the bureau heads' 集体讨论.

Each model carries its own behaviour as model methods (MajorFlag.add, CollectiveReferral.refer,
ReviewRound.submit / assign / decide, Objection.raise_objection, Coordination.conclude,
CollectiveDiscussion.hold). The modules read only downwards: catalogue and checklist stand alone, rounds uses
checklist, disputes uses rounds. Nothing here is ever deleted: flags are removed with a reason, rounds are kept
side by side, a revised opinion is a new round.
"""

from .catalogue import (
    REFERABLE_STAGES,
    AmountBase,
    BenchmarkRange,
    CollectiveReferral,
    CriterionRule,
    DiscretionBenchmark,
    Level,
    MajorCriterion,
    MajorFlag,
)
from .checklist import AdviserKind, AdviserOpinion, ChecklistItem, CheckPoint, CheckResult
from .disputes import (
    CollectiveConclusion,
    CollectiveDiscussion,
    Coordination,
    CoordinationOutcome,
    Objection,
)
from .rounds import (
    OPEN_STATUSES,
    OUTCOMES,
    SUBMITTABLE_STAGES,
    ReviewRound,
    ReviewRoundQuerySet,
    RoundKind,
    RoundStatus,
    reviewer_problems,
)

__all__ = [
    "OPEN_STATUSES",
    "OUTCOMES",
    "REFERABLE_STAGES",
    "SUBMITTABLE_STAGES",
    "AdviserKind",
    "AdviserOpinion",
    "AmountBase",
    "BenchmarkRange",
    "CheckPoint",
    "CheckResult",
    "ChecklistItem",
    "CollectiveConclusion",
    "CollectiveDiscussion",
    "CollectiveReferral",
    "Coordination",
    "CoordinationOutcome",
    "CriterionRule",
    "DiscretionBenchmark",
    "Level",
    "MajorCriterion",
    "MajorFlag",
    "Objection",
    "ReviewRound",
    "ReviewRoundQuerySet",
    "RoundKind",
    "RoundStatus",
    "reviewer_problems",
]
