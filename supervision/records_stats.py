"""记录统计 (发挥记录实效): figures of the three systems' records for a period, grouped by month, unit, matter
category or officer, for the supervisors to find weak points (docs/domain.md §2: records serve statistics).

Every figure is built from "facts": one fact per registered case, per stage span, per returned review, per
overdue step, per act that requires audio-video, per decision to publish, per decided first review round,
each dated and tied to its case. A fact is counted in the period (and month) of its own date, and under the
unit, matter categories and officers of its case. The definitions shown on the page are DEFINITIONS below;
the functions and the definitions must stay in step.

Cost: a fixed number of queries whatever the amount of data (see build_report), pinned by the tests.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.deadlines import Status
from wuding_enforcement.cases.models import Case, RuleSettings
from wuding_enforcement.cases.workflow import Procedure, Stage
from wuding_enforcement.roster.models import Unit

MONTH, UNIT, MATTER, OFFICER = "month", "unit", "matter", "officer"
DIMENSIONS = {MONTH: "月份", UNIT: "执法单位", MATTER: "事项类别", OFFICER: "承办人"}
NO_MATTER = "未关联事项"
NO_OFFICER = "未指派承办人"

# Stage spans: (key, label, stage entered at the start or None for the lead date, stage entered at the end).
SPANS = [
    ("lead_filed", "线索→立案", None, Stage.FILED),
    ("filed_decided", "立案→决定", Stage.FILED, Stage.DECIDED),
    ("decided_closed", "决定→结案", Stage.DECIDED, Stage.CLOSED),
    ("closed_archived", "结案→归档", Stage.CLOSED, Stage.ARCHIVED),
]
# The seven review points (legal_review.CheckPoint), short enough for a table cell.
POINT_LABELS = {
    1: "执法主体与资格",
    2: "执法程序",
    3: "事实与证据",
    4: "法律适用与裁量",
    5: "法定权限",
    6: "文书规范",
    7: "涉嫌犯罪移送",
}
TOP_PROBLEMS = 3
# How far before the period a withdrawal event may lie and still fall due inside it (3 working days by
# default; the margin covers any sensible setting across the longest holiday).
WITHDRAWAL_MARGIN = datetime.timedelta(days=60)

DEFINITIONS = [
    (
        "案件数",
        "案源登记日期（线索收到日期）在统计期间内的案件，含简易程序案件和不予立案的线索。",
    ),
    (
        "各阶段平均用时",
        "普通程序案件相邻两个节点之间的自然日数的平均值：线索→立案为线索收到日期至立案日期，立案→决定、"
        "决定→结案、结案→归档为案件首次转入前后两个阶段的日期之差（按阶段变更记录）。一段用时计入其结束"
        "日期所在的期间；中止、听证等不计入办案期限的期间不扣除。单元格下方为计入的件数。",
    ),
    (
        "退回审核",
        "审核结论为“修改后再报”、审核完成日期在统计期间内的法制审核轮次数。",
    ),
    (
        "最常见问题",
        "上述退回轮次的审核要点中结论为“存在问题”的要点，按出现次数由多到少列前三项（次数相同按要点顺序），"
        "括号内为次数。",
    ),
    (
        "逾期环节",
        "期限届满日在统计期间内、且晚于届满日才完成或至今未完成的办案环节数：立案审查期限、作出处理决定期限、"
        "执法记录产生的期限（先行登记保存处理、查封扣押、紧急措施报告、决定书送达等），每一轮法制审核的期限，"
        "处罚决定公示期限和撤回公示期限。暂停计算的期限不计入。",
    ),
    (
        "音像记录覆盖率",
        "分子：已关联未作废的录像或录音的执法活动数；分母：需音像记录的执法活动数，即执法活动日期（无则为"
        "签发日期）在统计期间内、已签发且未被更正替代的文书中，须全程音像记录（查封扣押）或视情音像记录"
        "（现场笔录、询问笔录、证据提取单、抽样记录、先行登记保存、听证笔录，及留置送达、公告送达的送达回证）"
        "的文书。以书面理由说明未录音录像的，计入分母但不计为已覆盖；只有照片的不计为已覆盖。",
    ),
    (
        "公示及时率",
        "分子：在公示期限内（含期限当日）公示的处罚决定数；分母：公示期限届满日在统计期间内的应公示处罚决定数，"
        "即已公示的和逾期仍未公示的；尚未到期且未公示的不计入，决定不予公示的不计入。",
    ),
    (
        "首轮审核通过率",
        "分子：第一轮法制审核结论为“同意”的案件数；分母：第一轮法制审核已作出结论（同意、修改后再报、不同意）"
        "且审核完成日期在统计期间内的案件数。",
    ),
    (
        "分组与合计",
        "按月份分组时，各项按其自身日期所在月份计；按执法单位、事项类别（案件涉及的权责清单事项的领域）、"
        "承办人分组时，各项计入所属案件的承办单位、每一个事项领域、每一名承办人，因此按事项类别或承办人分组时"
        "各行之和可能大于合计。合计行对每一项只计一次。比率显示为“分子/分母，百分比”，分母为零时显示“—”。",
    ),
]


# --- Period ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date  # the first day of the first month
    end: datetime.date  # the last day of the last month

    @classmethod
    def of_months(cls, first: tuple[int, int], last: tuple[int, int]) -> "Period":
        return cls(datetime.date(first[0], first[1], 1), _month_end(*last))

    @classmethod
    def of_year(cls, year: int) -> "Period":
        return cls.of_months((year, 1), (year, 12))

    @property
    def whole_year(self) -> bool:
        return (self.start.month, self.end.month) == (1, 12) and self.start.year == self.end.year

    @property
    def label(self) -> str:
        if self.whole_year:
            return f"{self.start.year}年"
        first, last = f"{self.start.year}年{self.start.month}月", f"{self.end.year}年{self.end.month}月"
        return first if first == last else f"{first}—{last}"

    @property
    def dates_label(self) -> str:
        return f"{cn_date(self.start)}至{cn_date(self.end)}"

    @property
    def slug(self) -> str:
        if self.whole_year:
            return str(self.start.year)
        return f"{self.start:%Y-%m}至{self.end:%Y-%m}"

    def months(self) -> list[tuple[int, int]]:
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


# --- Figures --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    num: int
    den: int

    @property
    def percent(self) -> Decimal | None:
        if not self.den:
            return None
        return (Decimal(self.num) * 100 / Decimal(self.den)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def display(self) -> str:
        return "—" if not self.den else f"{self.num}/{self.den}，{self.percent}%"


@dataclass(frozen=True)
class Average:
    total: int
    count: int

    @property
    def days(self) -> Decimal | None:
        if not self.count:
            return None
        return (Decimal(self.total) / Decimal(self.count)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def display(self) -> str:
        return "—" if not self.count else str(self.days)


@dataclass(frozen=True)
class Problem:
    point: int
    count: int

    @property
    def label(self) -> str:
        return POINT_LABELS.get(self.point, str(self.point))

    @property
    def display(self) -> str:
        return f"{self.label}（{self.count}）"


@dataclass
class Row:
    label: str
    note: str
    cases: int
    spans: list[Average]
    returned: int
    problems: list[Problem]
    overdue: int
    av: Ratio
    publication: Ratio
    first_pass: Ratio

    @property
    def ratios(self) -> list[Ratio]:
        """音像记录覆盖率, 公示及时率, 首轮审核通过率, in the table's order."""
        return [self.av, self.publication, self.first_pass]

    @property
    def problems_display(self) -> str:
        return "、".join(p.display for p in self.problems) or "—"


@dataclass
class Report:
    period: Period
    dimension: str
    today: datetime.date
    rows: list[Row]
    total: Row

    @property
    def dimension_label(self) -> str:
        return DIMENSIONS[self.dimension]


# Fact kinds.
CASE, SPAN, RETURNED, OVERDUE = "case", "span", "returned", "overdue"
AV, PUBLICATION, FIRST_ROUND = "av", "publication", "first_round"


@dataclass(frozen=True)
class Fact:
    kind: str
    case_id: int
    day: datetime.date
    value: object = None  # SPAN: (key, days); RETURNED: problem points; AV/PUBLICATION/FIRST_ROUND: bool


@dataclass
class CaseInfo:
    unit_id: int
    fields: tuple[str, ...]
    officers: tuple[tuple[int, str, int | None], ...]  # (id, name, unit id)


class Tally:
    def __init__(self):
        self.cases = 0
        self.spans = {key: [0, 0] for key, *_ in SPANS}
        self.returned = 0
        self.problems: Counter = Counter()
        self.overdue = 0
        self.ratios = {AV: [0, 0], PUBLICATION: [0, 0], FIRST_ROUND: [0, 0]}

    def add(self, fact: Fact) -> None:
        if fact.kind == CASE:
            self.cases += 1
        elif fact.kind == SPAN:
            key, days = fact.value
            self.spans[key][0] += days
            self.spans[key][1] += 1
        elif fact.kind == RETURNED:
            self.returned += 1
            self.problems.update(fact.value)
        elif fact.kind == OVERDUE:
            self.overdue += 1
        else:
            self.ratios[fact.kind][0] += bool(fact.value)
            self.ratios[fact.kind][1] += 1

    def row(self, label: str, note: str = "") -> Row:
        ranked = sorted(self.problems.items(), key=lambda item: (-item[1], item[0]))[:TOP_PROBLEMS]
        return Row(
            label=label,
            note=note,
            cases=self.cases,
            spans=[Average(*self.spans[key]) for key, *_ in SPANS],
            returned=self.returned,
            problems=[Problem(point, count) for point, count in ranked],
            overdue=self.overdue,
            av=Ratio(*self.ratios[AV]),
            publication=Ratio(*self.ratios[PUBLICATION]),
            first_pass=Ratio(*self.ratios[FIRST_ROUND]),
        )


def build_report(period: Period, dimension: str, today: datetime.date | None = None) -> Report:
    """The statistics of `period` grouped by `dimension`. Queries (fixed, whatever the data): the cases
    with their for_rows() prefetches and matters (8), the review rounds, their problem points, the
    publications, the withdrawal limit setting, the acts requiring AV, the units, and the working-day
    table (read once, when any clock is computed)."""
    today = today or timezone.localdate()
    with calendar.cached():
        facts, infos = collect_facts(period, today)
    names = _Names(Unit.objects.values("pk", "name", "order"), infos)
    groups: dict = defaultdict(Tally)
    total = Tally()
    if dimension == MONTH:
        for month in period.months():
            if datetime.date(*month, 1) <= max(today, period.start):
                groups[month]  # noqa: B018  (every month of the period up to now has a row)
    for fact in facts:
        total.add(fact)
        for key in _keys(dimension, fact, infos.get(fact.case_id)):
            groups[key].add(fact)
    keys = sorted(groups, key=lambda key: names.order(dimension, key))
    rows = [groups[key].row(*names.label(dimension, key)) for key in keys]
    return Report(period, dimension, today, rows, total.row("合计"))


def _keys(dimension: str, fact: Fact, info: "CaseInfo | None") -> list:
    if dimension == MONTH:
        return [(fact.day.year, fact.day.month)]
    if info is None:
        return [None]
    if dimension == UNIT:
        return [info.unit_id]
    if dimension == MATTER:
        return list(info.fields) or [None]
    return [officer_id for officer_id, *_ in info.officers] or [None]


class _Names:
    """Labels and order of the groups: units by their order, matter categories by name, officers by unit
    then name; the groups without a unit, category or officer last."""

    def __init__(self, units, infos):
        self.units = {u["pk"]: u for u in units}
        self.officers = {o[0]: o for info in infos.values() for o in info.officers}

    def _unit(self, pk) -> tuple[int, str]:
        unit = self.units.get(pk)
        return (unit["order"], unit["name"]) if unit else (0, "")

    def label(self, dimension, key) -> tuple[str, str]:
        if dimension == MONTH:
            return f"{key[0]}年{key[1]}月", ""
        if dimension == UNIT:
            return self._unit(key)[1] or "（未知单位）", ""
        if dimension == MATTER:
            return key or NO_MATTER, ""
        if key is None:
            return NO_OFFICER, ""
        _, name, unit_id = self.officers[key]
        return name, self._unit(unit_id)[1]

    def order(self, dimension, key) -> tuple:
        if dimension == MONTH:
            return key
        if key is None:
            return (1,)
        if dimension == UNIT:
            return (0, *self._unit(key))
        if dimension == MATTER:
            return (0, key)
        _, name, unit_id = self.officers[key]
        return (0, self._unit(unit_id)[0], name, key)


# --- Collecting the facts -------------------------------------------------------------------------------


def collect_facts(period: Period, today: datetime.date) -> tuple[list[Fact], dict[int, CaseInfo]]:
    """Every fact dated inside the period, and what each fact's case is grouped by."""
    rounds_qs, publications_qs, acts_qs = _rounds(period), _publications(period), _av_acts(period)
    rounds = _with_problems(list(rounds_qs), period)
    publications = list(publications_qs)
    withdrawal_days = _withdrawal_days()
    acts = list(acts_qs)
    cases = _cases(period, [rounds_qs, publications_qs, acts_qs])

    facts: list[Fact] = []
    infos: dict[int, CaseInfo] = {}
    for case in cases:
        officers = tuple(
            (a.officer_id, a.officer.display_name, a.officer.unit_id) for a in case.assignments.all()
        )
        infos[case.pk] = CaseInfo(
            unit_id=case.handling_unit_id,
            fields=tuple(sorted({m.field for m in case.matters.all()})),
            officers=officers,
        )
        if case.lead_date in period:
            facts.append(Fact(CASE, case.pk, case.lead_date))
        facts.extend(_span_facts(case, period))
        for deadline in case_clocks(case, today):
            if deadline.due in period and is_late(deadline):
                facts.append(Fact(OVERDUE, case.pk, deadline.due, deadline.name))

    facts.extend(_round_facts(rounds, period, today))
    facts.extend(_publication_facts(publications, period, today, withdrawal_days))
    facts.extend(Fact(AV, a["case_id"], a["day"], a["has_av"]) for a in acts)
    return facts, infos


def case_clocks(case, today: datetime.date) -> list:
    """The case's statutory clocks (case.deadlines(), on what Case.objects.for_rows() prefetched) except the
    legal-review and publication clocks, which are counted from their own rows below: every review round,
    not only the latest one the case page shows, and the publications whatever the case's stage."""
    return [
        deadline
        for deadline in case.deadlines(today)
        if deadline.key != "legal_review" and not deadline.key.startswith(("publication-", "withdrawal-"))
    ]


def is_late(deadline) -> bool:
    """Met after its due date, or still open past it; a paused clock is not overdue."""
    return deadline.remaining < 0 and deadline.status in (Status.MET, Status.RED)


def _late(due: datetime.date, met_on: datetime.date | None, today: datetime.date) -> bool:
    return (met_on or today) > due


def _cases(period, counted):
    """Cases alive in the period (registered by its end, not archived before it starts) and the cases of
    every round, publication and act counted (subqueries), with what the clocks and the grouping read."""
    alive = Q(lead_date__lte=period.end) & (Q(archived_on__isnull=True) | Q(archived_on__gte=period.start))
    for queryset in counted:
        alive |= Q(pk__in=queryset.values("case_id"))
    return Case.objects.for_rows().prefetch_related("matters").filter(alive).order_by("pk")


def _span_facts(case, period):
    if case.procedure != Procedure.ORDINARY:
        return
    entered: dict[str, datetime.date] = {}
    for transition in case.transitions.all():
        entered.setdefault(transition.to_stage, transition.on)
    for key, _, start_stage, end_stage in SPANS:
        start = case.lead_date if start_stage is None else entered.get(start_stage)
        end = entered.get(end_stage)
        if start is not None and end is not None and end in period:
            yield Fact(SPAN, case.pk, end, (key, (end - start).days))


def _rounds(period):
    from legal_review.models import ReviewRound

    dates = (period.start, period.end)
    return ReviewRound.objects.filter(Q(decided_on__range=dates) | Q(due_on__range=dates)).values(
        "pk", "case_id", "number", "status", "decided_on", "due_on"
    )


def _with_problems(rounds, period):
    """The checklist points found wanting in each returned round decided in the period."""
    from legal_review.models import ChecklistItem, CheckResult, RoundStatus

    points = defaultdict(list)
    for item in ChecklistItem.objects.filter(
        round__status=RoundStatus.RETURNED,
        round__decided_on__range=(period.start, period.end),
        result=CheckResult.PROBLEM,
    ).values("round_id", "point"):
        points[item["round_id"]].append(item["point"])
    for r in rounds:
        r["problems"] = tuple(points[r["pk"]])
    return rounds


def _round_facts(rounds, period, today):
    from legal_review.models import OPEN_STATUSES, OUTCOMES, RoundStatus

    for r in rounds:
        decided = r["decided_on"]
        if decided is not None and decided in period:
            if r["status"] == RoundStatus.RETURNED:
                yield Fact(RETURNED, r["case_id"], decided, r["problems"])
            if r["number"] == 1 and r["status"] in OUTCOMES:
                yield Fact(FIRST_ROUND, r["case_id"], decided, r["status"] == RoundStatus.APPROVED)
        open_ = r["status"] in OPEN_STATUSES
        if r["due_on"] in period and (decided is not None or open_) and _late(r["due_on"], decided, today):
            yield Fact(OVERDUE, r["case_id"], r["due_on"], f"法制审核期限（第{r['number']}轮）")


def _publications(period):
    from disclosure.models import Publication

    since = period.start - WITHDRAWAL_MARGIN
    return Publication.objects.filter(
        Q(due_on__range=(period.start, period.end))
        | Q(withdrawal_event_on__range=(since, period.end))
        | Q(document__superseded_by__issued_at__date__range=(since, period.end))
    ).values(
        "pk",
        "case_id",
        "status",
        "due_on",
        "published_on",
        "withdrawal_event_on",
        "withdrawn_at",
        "document__superseded_by__issued_at",
    )


def _publication_facts(publications, period, today, withdrawal_days):
    """公示 within the limit (disclosure.publication.publication_deadlines reads the same fields), and the
    3-working-day withdrawal clock of a changed or corrected decision."""
    from disclosure.models import PublicationStatus as S

    for p in publications:
        due = p["due_on"]
        met = p["published_on"] if p["status"] != S.DRAFT else None
        to_publish = p["status"] in (S.DRAFT, S.PUBLISHED) or p["published_on"]
        if to_publish and due in period and (met is not None or due < today):
            on_time = met is not None and met <= due
            yield Fact(PUBLICATION, p["case_id"], due, on_time)
            if not on_time:
                yield Fact(OVERDUE, p["case_id"], due, "处罚决定公示期限")
        corrected_at = p["document__superseded_by__issued_at"]
        event = p["withdrawal_event_on"] or (timezone.localdate(corrected_at) if corrected_at else None)
        if event and p["status"] in (S.PUBLISHED, S.WITHDRAWN):
            withdrawal_due = calendar.add_working_days(event, withdrawal_days)
            withdrawn = timezone.localdate(p["withdrawn_at"]) if p["withdrawn_at"] else None
            if withdrawal_due in period and _late(withdrawal_due, withdrawn, today):
                yield Fact(OVERDUE, p["case_id"], withdrawal_due, "撤回公示期限")


def _withdrawal_days() -> int:
    # The same read the deadline providers share for the request (cases.calendar.scoped).
    return calendar.scoped("rule_settings", RuleSettings.current).withdrawal_working_days


def _av_acts(period):
    """Issued, current documents of acts under an audio-video rule, dated in the period, and whether live
    video or audio is linked to them (recording.builtin_gates.audio_video and service_receipt_av)."""
    from recording.models import Document, DocumentStatus

    return (
        Document.objects.issued()
        .exclude(superseded_by__status=DocumentStatus.ISSUED)
        .under_av_rule()
        .with_live_av()
        .annotate(day=Coalesce("act_date", TruncDate("issued_at")))
        .filter(day__range=(period.start, period.end))
        .values("case_id", "day", "has_av")
    )


# --- Helpers --------------------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + (month == 12), 1 if month == 12 else month + 1, 1)
    return following - datetime.timedelta(days=1)


def cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
