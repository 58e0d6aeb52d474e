"""What supervision (监督检查) reads of inspection: counts per entity, unit and officer against the caps, flags
(over the cap, repeated or frequent inspections, emergencies awaiting their approval, results not published in
time), ratings and complaints, and the year's count of 行政检查 for the statistics.

Functions, not pages: supervision imports this module (it reads every system) and draws its own pages; this
app's pages never show ratings or complaints to the inspecting unit (they are anonymous to it). Every function
aggregates in SQL (a fixed number of queries) except where it says so.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from .models import ApprovalState, Complaint, Inspection, InspectionKind, InspectionSettings, Rating


@dataclass
class CapRow:
    entity_id: int
    entity_name: str
    credit_code: str
    risk_class: str
    item_code: str
    item_name: str
    in_cap: int
    outside: int
    cap: int | None

    @property
    def over(self) -> bool:
        return self.cap is not None and self.in_cap > self.cap

    @property
    def total(self) -> int:
        return self.in_cap + self.outside


def per_entity(year: int, *, only_over: bool = False) -> list[CapRow]:
    """Per (entity, item) of the year: in-cap and outside-cap inspections against the published cap. Two
    queries (the counts; the caps)."""
    from .models import FrequencyCap

    rows = (
        Inspection.objects.counted()
        .in_year(year)
        .values(
            "entity_id",
            "item_id",
            entity_name=F("entity__name"),
            credit_code=F("entity__credit_code"),
            risk_class=F("entity__risk_class"),
            item_code=F("item__code"),
            item_name=F("item__item"),
        )
        .annotate(
            in_cap=Count("pk", filter=Q(counts_in_cap=True)),
            outside=Count("pk", filter=Q(counts_in_cap=False)),
        )
        .order_by("credit_code", "item_code")
    )
    caps = {(c["item_id"], c["risk_class"]): c["per_year"] for c in FrequencyCap.objects.values()}
    found = [
        CapRow(
            entity_id=r["entity_id"],
            entity_name=r["entity_name"],
            credit_code=r["credit_code"],
            risk_class=r["risk_class"],
            item_code=r["item_code"],
            item_name=r["item_name"],
            in_cap=r["in_cap"],
            outside=r["outside"],
            cap=caps.get((r["item_id"], r["risk_class"])),
        )
        for r in rows
    ]
    return [r for r in found if r.over] if only_over else found


def per_unit(year: int) -> list[dict]:
    """Per implementing unit: inspections of the year, in and outside the cap, over-cap and emergency ones."""
    return list(
        Inspection.objects.counted()
        .in_year(year)
        .values("unit_id", unit_name=F("unit__name"))
        .annotate(
            total=Count("pk"),
            in_cap=Count("pk", filter=Q(counts_in_cap=True)),
            outside=Count("pk", filter=Q(counts_in_cap=False)),
            over_cap=Count("pk", filter=Q(over_cap=True)),
            emergency=Count("pk", filter=Q(emergency=True)),
        )
        .order_by("unit_name")
    )


def per_officer(year: int) -> list[dict]:
    """Per officer: inspections of the year they took part in (as assigned on the inspection's case)."""
    from wuding_enforcement.cases.models import CaseOfficer

    counted = Inspection.objects.counted().in_year(year).filter(case__isnull=False)
    return list(
        CaseOfficer.objects.filter(case__inspection__in=counted)
        .values("officer_id", name=F("officer__real_name"), unit_name=F("officer__unit__name"))
        .annotate(total=Count("case", distinct=True))
        .order_by("-total", "name")
    )


def flagged(year: int) -> dict[str, list[Inspection]]:
    """The inspections supervision must look at: over the cap (with the recorded reason), emergencies (and
    those still awaiting their approval). One query, split here (each list in the inspections' order; one
    inspection may be in several)."""
    rows = list(
        Inspection.objects.counted()
        .in_year(year)
        .filter(Q(over_cap=True) | Q(emergency=True) | Q(approval=ApprovalState.EMERGENCY))
        .select_related("entity", "item", "unit")
    )
    return {
        "over_cap": [i for i in rows if i.over_cap],
        "emergency": [i for i in rows if i.emergency],
        "awaiting_approval": [i for i in rows if i.approval == ApprovalState.EMERGENCY],
    }


def repeated(year: int, days: int | None = None) -> list[tuple[Inspection, Inspection]]:
    """Pairs of inspections of the same entity within `days` (a setting, 30 by default) of each other —
    重复检查、高频检查 to warn about. 整改复查 is the follow-up the law wants, never flagged. One query, then a
    walk per entity in date order (the year's inspections of one county)."""
    days = days if days is not None else InspectionSettings.current().frequent_days
    rows = list(
        Inspection.objects.counted()
        .in_year(year)
        .exclude(kind=InspectionKind.FOLLOW_UP)
        .select_related("entity", "item", "unit")
        .order_by("entity_id", "planned_on", "pk")
    )
    pairs = []
    for before, after in zip(rows, rows[1:], strict=False):
        if before.entity_id == after.entity_id and (after.planned_on - before.planned_on).days <= days:
            pairs.append((before, after))
    return pairs


def frequent_entities(year: int, threshold: int = 3) -> list[dict]:
    """Entities inspected `threshold` times or more in the year (all kinds counted)."""
    return list(
        Inspection.objects.counted()
        .in_year(year)
        .values("entity_id", name=F("entity__name"), credit_code=F("entity__credit_code"))
        .annotate(total=Count("pk"))
        .filter(total__gte=threshold)
        .order_by("-total", "credit_code")
    )


def ratings(year: int, *, low: bool = True) -> dict:
    """The enterprises' ratings of the year's inspections: count, average, by unit and (unless `low` is
    False: one query less) the low ones (1–2 stars, low_ratings)."""
    qs = Rating.objects.filter(inspection__planned_on__year=year)
    summary = qs.aggregate(count=Count("pk"), average=Avg("score"))
    return {
        **summary,
        **({"low": low_ratings(year)} if low else {}),
        "by_unit": list(
            qs.values(unit_name=F("inspection__unit__name"))
            .annotate(count=Count("pk"), average=Avg("score"))
            .order_by("unit_name")
        ),
    }


def low_ratings(year: int) -> list[Rating]:
    """The year's low ratings (1–2 stars) with their inspection's entity and unit. One query."""
    return list(
        Rating.objects.filter(inspection__planned_on__year=year, score__lte=2).select_related(
            "inspection__entity", "inspection__unit"
        )
    )


def complaints(*, open_only: bool = True) -> list[Complaint]:
    """Complaints and 回避 requests from the 检查码 page, oldest first (those not handled yet by default)."""
    qs = Complaint.objects.select_related("inspection__entity", "inspection__unit", "officer")
    if open_only:
        qs = qs.filter(handled_at__isnull=True)
    return list(qs.order_by("at"))


def publication_overdue(today: datetime.date | None = None) -> list[Inspection]:
    """Planned inspections whose result is not published within the 20 working days (or was published late).
    Reads the candidates in one query; the working-day due date is computed per row (cases/calendar.py)."""
    today = today or timezone.localdate()
    from .models import PUBLISHED_KINDS

    candidates = (
        Inspection.objects.filter(kind__in=PUBLISHED_KINDS, result_on__isnull=False)
        .select_related("entity", "item", "unit")
        .order_by("result_on")
    )
    return [i for i in candidates if i.publication_overdue(today)]


def inspections_in_year(year: int) -> dict[str, int]:
    """The year's 行政检查 for the statistics and the Jan-31 report: inspections carried out (a result formed),
    by kind. An inspection that led to a case counts once here, as an inspection; the case is counted once as
    a penalty case by the penalty statistics."""
    rows = (
        Inspection.objects.counted()
        .filter(result_on__year=year)
        .values("kind")
        .annotate(total=Count("pk"))
        .order_by("kind")
    )
    counts = {InspectionKind(r["kind"]).label: r["total"] for r in rows}
    counts["合计"] = sum(counts.values())
    return counts
