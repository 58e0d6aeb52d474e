"""年度行政执法数据: the figures the portal computes from what it holds, with the figures admins enter for the
categories it does not handle (许可, 征收, 征用, inspections outside cases), each marked as entered.

国办发〔2018〕118号 asks for the previous year's 行政许可、行政处罚、行政强制、行政检查、行政征收、行政征用 counts
("0" where none) by 31 January (docs/domain.md §1).

Where each figure comes from, every dependency explicit (disclosure may read the shared domain and recording,
never legal_review: the import contracts in pyproject.toml):
- cases (the case and its approvals) and recording (issued documents): read directly;
- publications: disclosure's own Publication;
- completed legal reviews: the case's `annual_counts` hook (wuding_enforcement/cases/annual.py), which
  legal_review fills from its AppConfig.ready(). No entry means no system reports the figure: it shows 0 with
  a note saying the system is not in use;
- 行政检查: the inspection system's records (inspection/oversight.py inspections_in_year: inspections whose
  result was formed in the year, by kind), plus the on-site inspections of penalty cases (an issued 现场笔录)
  that did not come from an inspection — an inspection that became a case is counted once, as an inspection,
  and its case once, as a penalty —, plus the inspections admins enter that no system records.
"""

import datetime
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.utils import timezone

from recording.models import Document, DocumentStatus
from wuding_enforcement.cases.annual import LEGAL_REVIEWS, annual_count
from wuding_enforcement.cases.models import Approval, ApprovalKind, ApprovalStatus, Case, PowerKind
from wuding_enforcement.shared.chinese import cn_date

from .models import ANNUAL_REPORT_WARN_DAYS, AnnualReport, Publication, annual_report_due

COMPUTED = "computed"
ENTERED = "entered"
MIXED = "mixed"
SOURCE_LABELS = {COMPUTED: "系统统计", ENTERED: "填报", MIXED: "系统统计＋填报"}


@dataclass
class Figure:
    key: str
    label: str
    value: str  # a count ("12") or an amount in yuan with two decimals ("35000.00")
    unit: str
    source: str
    note: str = ""
    chart: bool = True  # counts are drawn in the bar chart; the fines total is not (another scale)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    @property
    def number(self) -> Decimal:
        return Decimal(self.value)


@dataclass
class YearFigures:
    year: int
    as_of: datetime.date
    figures: list[Figure] = field(default_factory=list)

    def get(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def to_json(self) -> dict:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "figures": [asdict(f) for f in self.figures],
        }

    @classmethod
    def from_json(cls, data: dict) -> "YearFigures":
        return cls(
            year=data["year"],
            # Reports frozen before data_as_of carried their compile day: read them by the same rule.
            as_of=data_as_of(data["year"], datetime.date.fromisoformat(data["as_of"])),
            figures=[Figure(**f) for f in data["figures"]],
        )

    @property
    def chart_figures(self) -> list[Figure]:
        return [f for f in self.figures if f.chart]


def cases_decided(year: int, kind: str) -> int:
    """Cases decided in `year` (Case.decided_on; 简易程序 cases are decided on the spot) that concern a power
    of `kind` in the 权责清单."""
    return Case.objects.filter(decided_on__year=year, matters__kind=kind).distinct().count()


def coercive_measures(year: int) -> int:
    """行政强制措施 decided: 查封、扣押 approved by the bureau head in `year` (行政强制法 第十八条)."""
    return Approval.objects.filter(
        kind=ApprovalKind.SEIZURE, status=ApprovalStatus.APPROVED, decided_at__year=year
    ).count()


def _issued_current_documents(doc_type: str):
    """Issued documents of a type, except those replaced by an issued correction (a correction counts once)."""
    return Document.objects.filter(doc_type=doc_type, status=DocumentStatus.ISSUED).exclude(
        superseded_by__status=DocumentStatus.ISSUED
    )


def inspections_in_cases(year: int) -> int:
    """Cases with an on-site inspection recorded (an issued 现场笔录 whose act falls in `year`), except cases
    opened from an inspection's finding (移交立案): that inspection is counted by the inspection system."""
    return (
        _issued_current_documents("onsite_record")
        .filter(act_date__year=year, case__source_inspection__isnull=True)
        .values("case_id")
        .distinct()
        .count()
    )


def fines_total(year: int) -> Decimal:
    """Fines imposed in `year`: by the 行政处罚决定书 decided in it (the decision's own decided_on and
    fine_amount) and by the 当场行政处罚决定书 of 简易程序 made on the spot in it (its act date)."""
    total = Decimal("0.00")
    for data in _issued_current_documents("penalty_decision").values_list("data", flat=True):
        decided = str(data.get("decided_on") or "")
        if decided.startswith(f"{year}-") and data.get("fine_amount"):
            total += Decimal(str(data["fine_amount"]))
    on_the_spot = _issued_current_documents("simple_decision").filter(act_date__year=year)
    for data in on_the_spot.values_list("data", flat=True):
        if data.get("fine_amount"):
            total += Decimal(str(data["fine_amount"]))
    return total.quantize(Decimal("0.01"))


def publications(year: int) -> int:
    """Decisions published on the public site in `year` (whatever became of them since)."""
    return Publication.objects.filter(published_on__year=year).count()


def legal_reviews(year: int) -> int | None:
    """法制审核 completed in `year`, as the legal-review system reports it; None where no system does."""
    return annual_count(LEGAL_REVIEWS, year)


def compute_year(year: int, *, report=None, today: datetime.date | None = None) -> YearFigures:
    """Every figure of the report for `year`: computed ones from the portal's rows, entered ones from
    `report` (an AnnualReport; 0 and marked "尚未填报" when there is none). "0" where none."""
    today = today or timezone.localdate()
    entered_note = "" if report is not None else "尚未填报"

    def entered(name: str) -> int:
        return getattr(report, name) if report is not None else 0

    from inspection.oversight import inspections_in_year

    in_cases = inspections_in_cases(year)
    recorded = inspections_in_year(year)
    in_system = recorded.pop("合计")
    by_kind = "、".join(f"{label} {n} 次" for label, n in recorded.items())
    outside = entered("inspections_outside_cases")
    published = publications(year)
    reviews = legal_reviews(year)
    figures = [
        Figure("licensing", "行政许可", str(entered("licensing")), "件", ENTERED, entered_note),
        Figure(
            "penalty",
            "行政处罚",
            str(cases_decided(year, PowerKind.PENALTY)),
            "件",
            COMPUTED,
            "当年作出处罚决定的案件（含简易程序）",
        ),
        Figure(
            "coercion", "行政强制", str(coercive_measures(year)), "件", COMPUTED, "经批准实施的查封、扣押"
        ),
        Figure(
            "inspection",
            "行政检查",
            str(in_system + in_cases + outside),
            "次",
            MIXED,
            f"行政检查系统记录的检查 {in_system} 次{'（' + by_kind + '）' if by_kind else ''}；"
            f"处罚案件中的现场检查 {in_cases} 次（系统统计）；"
            f"系统以外的检查 {outside} 次（填报{'，' + entered_note if entered_note else ''}）",
        ),
        Figure("expropriation", "行政征收", str(entered("expropriation")), "件", ENTERED, entered_note),
        Figure("requisition", "行政征用", str(entered("requisition")), "件", ENTERED, entered_note),
        Figure(
            "fines",
            "罚款金额",
            f"{fines_total(year):.2f}",
            "元",
            COMPUTED,
            "当年作出的行政处罚决定书（含简易程序当场处罚决定书）载明的罚款",
            chart=False,
        ),
        Figure(
            "publications",
            "公示行政处罚决定",
            str(published),
            "件",
            COMPUTED,
        ),
        Figure(
            "reviews",
            "重大执法决定法制审核",
            str(reviews or 0),
            "件",
            COMPUTED,
            "" if reviews is not None else "本系统尚未启用法制审核",
        ),
    ]
    return YearFigures(year=year, as_of=data_as_of(year, today), figures=figures)


def data_as_of(year: int, day: datetime.date) -> datetime.date:
    """数据截至: a year's figures run to the end of that year at the latest (the 2025 report compiled on
    2026-01-20 covers data to 2025-12-31, not to the day it was compiled)."""
    return min(day, datetime.date(year, 12, 31))


def report_figures(report) -> YearFigures:
    """A published report shows the figures frozen on its publication day."""
    return YearFigures.from_json(report.figures)


# --- The 31 January rule on the staff side ----------------------------------------------------------------


@dataclass
class DueState:
    year: int
    due_on: datetime.date
    state: str  # "published", "near", "overdue" or "later"
    published_on: datetime.date | None = None

    @property
    def flagged(self) -> bool:
        return self.state in ("near", "overdue")

    @property
    def message(self) -> str:
        due = cn_date(self.due_on)
        if self.state == "published":
            return f"{self.year}年度统计已于{cn_date(self.published_on)}发布。"
        if self.state == "overdue":
            return f"{self.year}年度行政执法统计应于{due}前公开，现已逾期，请尽快填报并发布。"
        if self.state == "near":
            return f"{self.year}年度行政执法统计须于{due}前公开，请填报并发布。"
        return f"{self.year}年度行政执法统计须于{due}前公开。"


def due_state(today: datetime.date | None = None) -> DueState:
    """Where the previous year's report stands against the 31 January deadline (国办发〔2018〕118号).
    "near" from the warning window before the due date, "overdue" after it, while unpublished."""
    today = today or timezone.localdate()
    year = today.year - 1
    report = AnnualReport.objects.filter(year=year).first()
    due = annual_report_due(year)
    if report is not None and report.is_published:
        return DueState(year, due, "published", report.published_on)
    if today > due:
        return DueState(year, due, "overdue")
    if (due - today).days <= ANNUAL_REPORT_WARN_DAYS:
        return DueState(year, due, "near")
    return DueState(year, due, "later")


def published_reports():
    return AnnualReport.objects.published().order_by("-year")
