"""案卷评查: drawing a reproducible sample of archived cases per unit, scoring them against the sheet,
and rolling the results up per unit and per officer (docs/plan-2019.txt 二(二)5 and 三(三)2)."""

import logging
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.models import Case
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.shared.refusals import Refused

from .models import CaseEvaluation, EvaluationCriterion, EvaluationRound, EvaluationScore, is_supervisor

logger = logging.getLogger("wuding.supervision")
ALREADY_SCORED = "该案卷已评查，评查结果不能覆盖。"


def candidates(year: int) -> dict[int, list[int]]:
    """Archived case ids of `year` per handling unit id, in a stable order."""
    cases = (
        Case.objects.filter(stage=Stage.ARCHIVED, archived_on__year=year)
        .order_by("handling_unit_id", "pk")
        .values_list("handling_unit_id", "pk")
    )
    by_unit: dict[int, list[int]] = defaultdict(list)
    for unit_id, pk in cases:
        by_unit[unit_id].append(pk)
    return dict(by_unit)


def draw(by_unit: dict[int, list[int]], per_unit: int, seed: int) -> dict[int, list[int]]:
    """The sample: the same seed over the same candidates always gives the same cases, so anyone can
    re-draw a round and check it was not hand-picked."""
    rng = random.Random(seed)
    return {
        unit_id: sorted(rng.sample(sorted(ids), min(per_unit, len(ids))))
        for unit_id, ids in sorted(by_unit.items())
    }


def sample(round_: EvaluationRound) -> dict[int, list[int]]:
    return draw(candidates(round_.year), round_.per_unit, round_.seed)


def _supervisor_only(by, action: str) -> None:
    if not is_supervisor(by):
        logger.info("refused %s to %s: not a supervisor", action, getattr(by, "pk", None))
        raise Refused("只有政策法规股和局负责人可以组织案卷评查。")


def start_round(*, title: str, year: int, per_unit: int, by, seed: int | None = None) -> EvaluationRound:
    _supervisor_only(by, "starting an evaluation round")
    with transaction.atomic():
        round_ = EvaluationRound.objects.create(
            title=title,
            year=year,
            per_unit=per_unit,
            created_by=by,
            seed=seed if seed is not None else random.SystemRandom().randrange(1, 2**31),
        )
        picked = [pk for ids in sample(round_).values() for pk in ids]
        CaseEvaluation.objects.bulk_create([CaseEvaluation(round=round_, case_id=pk) for pk in picked])
        record(
            "supervision.evaluation.started",
            actor=by,
            obj=round_,
            detail={"seed": round_.seed, "cases": len(picked), "year": year},
        )
    return round_


def score(
    evaluation: CaseEvaluation,
    *,
    by,
    points: dict[int, Decimal],
    notes: dict[int, str] | None = None,
    comment: str = "",
) -> CaseEvaluation:
    """Score one case file: a value for every active criterion, between 0 and its points."""
    notes = notes or {}
    _supervisor_only(by, "scoring a case file")
    if evaluation.scored_at is not None:
        logger.info("refused to score evaluation %s again", evaluation.pk)
        raise Refused(ALREADY_SCORED)
    criteria = list(EvaluationCriterion.objects.filter(is_active=True))
    problems = []
    for criterion in criteria:
        value = points.get(criterion.pk)
        if value is None:
            problems.append(f"“{criterion.text}”未评分。")
        elif not (Decimal("0") <= Decimal(value) <= criterion.points):
            problems.append(f"“{criterion.text}”得分应在 0 至 {criterion.points} 之间。")
        elif Decimal(value) < criterion.points and not notes.get(criterion.pk, "").strip():
            problems.append(f"“{criterion.text}”扣分须写明扣分说明。")
    if problems:
        logger.info("refused the scores of evaluation %s: %s", evaluation.pk, "; ".join(problems))
        raise Refused(problems)
    with transaction.atomic():
        evaluation = CaseEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        if evaluation.scored_at is not None:
            logger.info("refused to score evaluation %s again (scored meanwhile)", evaluation.pk)
            raise Refused(ALREADY_SCORED)
        EvaluationScore.objects.bulk_create(
            [
                EvaluationScore(
                    evaluation=evaluation, criterion=c, points=Decimal(points[c.pk]), note=notes.get(c.pk, "")
                )
                for c in criteria
            ]
        )
        evaluation.total = sum((Decimal(points[c.pk]) for c in criteria), Decimal("0"))
        evaluation.max_total = sum(c.points for c in criteria)
        evaluation.evaluator, evaluation.scored_at, evaluation.comment = by, timezone.now(), comment
        evaluation.save()
        record(
            "supervision.evaluation.scored",
            actor=by,
            obj=evaluation.case,
            detail={"round": evaluation.round_id, "total": str(evaluation.total)},
        )
    return evaluation


def rollup(round_: EvaluationRound) -> dict[str, list[dict]]:
    """Average percentage per unit and per officer (officers of the scored cases)."""
    evaluations = (
        round_.evaluations.filter(total__isnull=False)
        .select_related("case__handling_unit")
        .prefetch_related("case__assignments__officer")
    )
    units: dict[str, list[Decimal]] = defaultdict(list)
    officers: dict[str, list[Decimal]] = defaultdict(list)
    for ev in evaluations:
        total = ev.total if ev.total is not None else Decimal("0")  # filtered above: never None here
        pct = (total / ev.max_total * 100) if ev.max_total else Decimal("0")
        units[ev.case.handling_unit.name].append(pct)
        for assignment in ev.case.assignments.all():
            officers[assignment.officer.display_name].append(pct)

    def table(groups):
        rows = [
            {"name": name, "cases": len(v), "average": (sum(v) / len(v)).quantize(Decimal("0.1"))}
            for name, v in groups.items()
        ]
        return sorted(rows, key=lambda r: (r["average"], r["name"]))

    return {"units": table(units), "officers": table(officers)}
