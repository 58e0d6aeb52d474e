"""记录统计 (发挥记录实效) for the supervisors (政策法规股 reviewers, bureau heads): the figures of
records_stats.py on a page, and the same table as Excel and CSV. Anyone else gets a 403 (role_required)."""

import datetime
import io
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.files import private
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.xlsx import XLSX_CONTENT_TYPE
from wuding_enforcement.shared import csvsafe
from wuding_enforcement.shared.chinese import cn_datetime

from . import records_stats as stats
from .models import SUPERVISORS

# --- Filters: the period (a year, or from/to months) and the grouping, from the query string.

# The earliest year the filters accept; a period is at most five years of months.
MIN_YEAR = 2000
MAX_MONTHS = 60


@dataclass
class Filters:
    period: stats.Period
    dimension: str
    problems: list[str] = field(default_factory=list)
    # What the form shows again: the year, or the months chosen.
    year: int | None = None
    start: str = ""
    end: str = ""
    # The 办案类别 counted (stats.CASE_KINDS: 行政处罚 or 行政检查), None for all.
    kind: str | None = None

    def query(self) -> dict[str, str]:
        """The normalised query string (what the export links repeat)."""
        query = {"year": str(self.year)} if self.year is not None else {"start": self.start, "end": self.end}
        query["by"] = self.dimension
        if self.kind is not None:
            query["kind"] = self.kind
        return query


_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_filters(params, today: datetime.date) -> Filters:
    """The period, grouping and 办案类别 from a query string. A bad value is never an error page: it is reported
    in Chinese and replaced by the default (this year, by month, all cases)."""
    filters = _parse_period(params, today)
    kind = (params.get("kind") or "").strip()
    if kind and kind not in stats.CASE_KINDS:
        filters.problems.append("办案类别无效，已统计全部案件。")
    elif kind:
        filters.kind = kind
    return filters


def _parse_period(params, today: datetime.date) -> Filters:
    problems = []
    dimension = (params.get("by") or stats.MONTH).strip()
    if dimension not in stats.DIMENSIONS:
        problems.append("统计维度无效，已按月份统计。")
        dimension = stats.MONTH
    start_raw, end_raw = (params.get("start") or "").strip(), (params.get("end") or "").strip()
    if start_raw or end_raw:
        first, last = _parse_month(start_raw, today), _parse_month(end_raw, today)
        if not (start_raw and end_raw):
            problem = "请同时选择起始月份和截止月份，已按本年度统计。"
        elif first is None or last is None:
            problem = f"起止月份应为{MIN_YEAR}年至{today.year + 1}年间的有效月份，如“{today.year}-01”，已按本年度统计。"
        elif first > last:
            problem = "起始月份晚于截止月份，已按本年度统计。"
        elif (last[0] - first[0]) * 12 + last[1] - first[1] + 1 > MAX_MONTHS:
            problem = f"统计期间最长{MAX_MONTHS}个月，已按本年度统计。"
        else:
            return Filters(
                stats.Period.of_months(first, last),
                dimension,
                problems,
                start=f"{first[0]:04d}-{first[1]:02d}",
                end=f"{last[0]:04d}-{last[1]:02d}",
            )
        problems.append(problem)
        return Filters(stats.Period.of_year(today.year), dimension, problems, year=today.year)
    year_raw = (params.get("year") or "").strip()
    year = today.year
    if year_raw:
        try:
            year = int(year_raw)
        except ValueError:
            year = 0  # outside the accepted years: reported below
        if not MIN_YEAR <= year <= today.year + 1:
            problems.append("统计年度无效，已按本年度统计。")
            year = today.year
    return Filters(stats.Period.of_year(year), dimension, problems, year=year)


def _parse_month(raw: str, today: datetime.date) -> tuple[int, int] | None:
    match = _MONTH_RE.match(raw)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (MIN_YEAR <= year <= today.year + 1 and 1 <= month <= 12):
        return None
    return year, month


def year_choices(today: datetime.date) -> list[int]:
    return list(range(today.year, today.year - 10, -1))


def _report(request):
    today = timezone.localdate()
    filters = parse_filters(request.GET, today)
    return filters, stats.cached_report(filters.period, filters.dimension, today=today, kind=filters.kind)


@require_GET
@login_required
@role_required(*SUPERVISORS)
def statistics(request):
    filters, report = _report(request)
    query = urlencode(filters.query())
    return render(
        request,
        "supervision/statistics.html",
        {
            "filters": filters,
            "report": report,
            "spans": [label for _, label, *_ in stats.SPANS],
            "dimensions": list(stats.DIMENSIONS.items()),
            "kinds": list(stats.CASE_KINDS.items()),
            "years": year_choices(report.today),
            "definitions": stats.DEFINITIONS,
            "query": query,
            "rows": [*report.rows, report.total],
            "max_months": MAX_MONTHS,
        },
    )


def _exported(request, filters, report, fmt):
    record(
        "supervision.statistics.exported",
        object_repr=f"记录统计 {report.period.label}（{report.dimension_label}）",
        detail={
            "format": fmt,
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
            "dimension": report.dimension,
            **({"kind": report.kind} if report.kind else {}),
        },
    )


def _filename(report, ext):
    return f"执法记录统计_{report.period.slug}_按{report.dimension_label}.{ext}"


@require_GET
@login_required
@role_required(*SUPERVISORS)
def export_xlsx(request):
    filters, report = _report(request)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "统计表"
    preamble = export_preamble(report)
    for line in preamble:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    headers = export_headers(report)
    sheet.append(headers)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for values in _table(report):
        sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    sheet.column_dimensions["A"].width = 28
    for index in range(2, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    sheet.column_dimensions[get_column_letter(headers.index("最常见问题") + 1)].width = 36

    notes = workbook.create_sheet("指标说明")
    notes.append(["指标", "定义"])
    notes["A1"].font = notes["B1"].font = Font(bold=True)
    for term, text in stats.DEFINITIONS:
        notes.append([term, text])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 100
    for row in notes.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    _exported(request, filters, report, "xlsx")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _filename(report, "xlsx"))
    # Generated per request, never stored; it names officers, so it is answered like any personal file.
    return private(response)


@require_GET
@login_required
@role_required(*SUPERVISORS)
def export_csv(request):
    filters, report = _report(request)
    buffer = io.StringIO()
    # Excel reads a CSV as the local code page unless it starts with a byte-order mark.
    buffer.write("\ufeff")
    writer = csvsafe.writer(buffer)  # formula-safe cells (wuding_enforcement/shared/csvsafe.py)
    for line in export_preamble(report):
        writer.writerow([line])
    writer.writerow([])
    writer.writerow(export_headers(report))
    for values in _table(report):
        writer.writerow(["" if value is None else value for value in values])
    _exported(request, filters, report, "csv")
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _filename(report, "csv"))
    return private(response)


# --- The export table: the page's table with each ratio split into numerator, denominator and percentage,
# numbers as numbers (empty where a figure has no denominator), the period and grouping above it.


def export_headers(report) -> list[str]:
    headers = [report.dimension_label, "案件数"]
    for _, label, *_ in stats.SPANS:
        headers += [f"{label}平均用时（天）", f"{label}件数"]
    headers += ["退回审核", "最常见问题", "逾期环节"]
    for name, num, den in (
        ("音像记录覆盖率", "已关联音像", "需音像记录"),
        ("公示及时率", "按时公示", "应公示"),
        ("首轮审核通过率", "首轮通过", "首轮已审结"),
    ):
        headers += [num, den, f"{name}（%）"]
    return headers


def export_row(row) -> list:
    label = f"{row.label}（{row.note}）" if row.note else row.label
    values: list = [label, row.cases]
    for span in row.spans:
        values += [float(span.days) if span.days is not None else None, span.count]
    values += [row.returned, "、".join(p.display for p in row.problems), row.overdue]
    for ratio in row.ratios:
        values += [ratio.num, ratio.den, float(ratio.percent) if ratio.percent is not None else None]
    return [csvsafe.cell(value) for value in values]


def export_preamble(report) -> list[str]:
    return [
        "执法全过程记录统计",
        f"统计期间：{report.period.dates_label}　统计维度：{report.dimension_label}　办案类别：{report.kind_label}　"
        f"生成时间：{cn_datetime(timezone.now())}",
    ]


def _table(report):
    return [export_row(row) for row in [*report.rows, report.total]]
