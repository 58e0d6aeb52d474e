"""记录统计 (发挥记录实效): figures of the three systems' records for a period, grouped by month, unit, matter
category or officer, for the supervisors to find weak points (docs/domain.md §2: records serve statistics).

Every figure is built from "facts": one fact per registered case, per stage span, per returned review, per
overdue step, per act that requires audio-video, per decision to publish, per decided first review round,
each dated and tied to its case. A fact is counted in the period (and month) of its own date, and under the
unit, matter categories and officers of its case. The definitions shown on the page are DEFINITIONS below;
the functions and the definitions must stay in step.

Cost: a fixed number of queries whatever the amount of data (see build_report), pinned by the tests; the
aggregate reads a monthly rollup of the materialised facts (records_store.py) plus the few live ones.
The period, the facts and how they are read from the systems are in records_facts.py; this module turns them
into the table (figures, grouping, labels).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from wuding_enforcement.cases import calendar
from wuding_enforcement.roster.models import Staff, Unit
from wuding_enforcement.shared.chinese import cn_month

from .records_facts import (
    AV,
    CASE,
    CASE_KINDS,
    FIRST_ROUND,
    OVERDUE,
    PROBLEM,
    PUBLICATION,
    RETURNED,
    SPAN,
    SPANS,
    Period,
    Tallied,
    tally,
)

MONTH, UNIT, MATTER, OFFICER, PROCEDURE = "month", "unit", "matter", "officer", "procedure"
DIMENSIONS = {MONTH: "月份", UNIT: "执法单位", MATTER: "事项类别", OFFICER: "承办人", PROCEDURE: "办案类别"}
NO_MATTER = "未关联事项"
NO_OFFICER = "未指派承办人"
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
    (
        "办案类别",
        "行政处罚为普通程序和简易程序案件，行政检查为按行政检查程序办理的案件。按办案类别分组时各项计入所属"
        "案件的类别；选择某一办案类别时，只统计该类别案件的各项。",
    ),
]


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
    kind: str | None = None  # the 办案类别 counted (records_facts.CASE_KINDS), None for all

    @property
    def dimension_label(self) -> str:
        return DIMENSIONS[self.dimension]

    @property
    def kind_label(self) -> str:
        return CASE_KINDS[self.kind] if self.kind else "全部"


class Tally:
    def __init__(self):
        self.cases = 0
        self.spans = {key: [0, 0] for key, *_ in SPANS}
        self.returned = 0
        self.problems: Counter = Counter()
        self.overdue = 0
        self.ratios = {AV: [0, 0], PUBLICATION: [0, 0], FIRST_ROUND: [0, 0]}

    def add(self, line: Tallied) -> None:
        """One aggregate line (records_facts.tally) of this group."""
        if line.kind == CASE:
            self.cases += line.count
        elif line.kind == SPAN:
            self.spans[line.sub][0] += line.total
            self.spans[line.sub][1] += line.count
        elif line.kind == RETURNED:
            self.returned += line.count
        elif line.kind == PROBLEM:
            self.problems[int(line.sub)] += line.count
        elif line.kind == OVERDUE:
            self.overdue += line.count
        else:
            self.ratios[line.kind][0] += line.held
            self.ratios[line.kind][1] += line.count

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


def build_report(
    period: Period,
    dimension: str,
    today: datetime.date | None = None,
    kind: str | None = None,
    *,
    refreshed: bool = False,
) -> Report:
    """The statistics of `period` grouped by `dimension`, of the cases of one 办案类别 (`kind`, CASE_KINDS) or
    of all. Aggregated in SQL (records_facts.tally): a fixed number of queries whatever the data — the deadline
    table brought up to date, the withdrawal candidates, the aggregate (by day for the months and the total
    row, and by group key for the other groupings), the units, and the officers named (by officer). `refreshed`: the caller has
    just brought the deadline table up to date (not done again)."""
    today = today or timezone.localdate()
    with calendar.cached():
        by_day, by_key = tally(
            period, today, by=None if dimension == MONTH else dimension, kind=kind, refreshed=refreshed
        )
        if dimension == MONTH:
            by_key = by_day
    groups: dict = defaultdict(Tally)
    total = Tally()
    if dimension == MONTH:
        for month in period.months():
            if datetime.date(*month, 1) <= max(today, period.start):
                groups[month]  # noqa: B018  (every month of the period up to now has a row)
    for line in by_day:
        total.add(line)
    for line in by_key:
        groups[(line.key.year, line.key.month) if dimension == MONTH else line.key].add(line)
    names = _Names(
        dimension, Unit.objects.values("pk", "name", "order"), [k for k in groups if k is not None]
    )
    keys = sorted(groups, key=lambda key: names.order(dimension, key))
    rows = [groups[key].row(*names.label(dimension, key)) for key in keys]
    return Report(period, dimension, today, rows, total.row("合计"), kind)


def cached_report(
    period: Period, dimension: str, today: datetime.date | None = None, kind: str | None = None
) -> Report:
    """build_report's report from the supervision figure cache (figure_cache.py) when nothing it reads has
    changed since it was built: its key carries the version every save of the systems renews, today's date,
    the deadline table's last write (brought up to date first), and it ends when an open clock in hours
    turns late. No staleness: a change shows on the next request. Queries on a hit: the deadline table's
    stale marks (and their refresh when any), the table's marks — whatever the number of cases."""
    from wuding_enforcement.cases.deadline_rows import CaseDeadline
    from wuding_enforcement.cases.deadline_sync import refresh_stale

    from . import figure_cache

    today = today or timezone.localdate()
    refresh_stale()
    written, turns = CaseDeadline.objects.marks(timezone.now())
    variant = (period.start, period.end, dimension, kind, today)
    return figure_cache.cached(
        "statistics",
        variant,
        lambda: build_report(period, dimension, today=today, kind=kind, refreshed=True),
        extra=written,
        until=turns,
    )


class _Names:
    """Labels and order of the groups: units by their order, matter categories by name, officers by unit
    then name; the groups without a unit, category or officer last."""

    def __init__(self, dimension, units, keys):
        self.units = {u["pk"]: u for u in units}
        self.officers = {}
        if dimension == OFFICER:
            people = Staff.objects.filter(pk__in=keys).values_list("pk", "real_name", "username", "unit_id")
            self.officers = {pk: (pk, real or username, unit) for pk, real, username, unit in people}

    def _unit(self, pk) -> tuple[int, str]:
        unit = self.units.get(pk)
        return (unit["order"], unit["name"]) if unit else (0, "")

    def label(self, dimension, key) -> tuple[str, str]:
        if dimension == MONTH:
            return cn_month(datetime.date(key[0], key[1], 1)), ""
        if dimension == UNIT:
            return self._unit(key)[1] or "（未知单位）", ""
        if dimension == MATTER:
            return key or NO_MATTER, ""
        if dimension == PROCEDURE:
            return CASE_KINDS.get(key, key), ""
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
        if dimension == PROCEDURE:
            return (0, list(CASE_KINDS).index(key) if key in CASE_KINDS else len(CASE_KINDS))
        _, name, unit_id = self.officers[key]
        return (0, self._unit(unit_id)[0], name, key)
