"""年度行政执法统计, the public side (docs/domain.md §1): the published reports (their figures frozen on the day
of publication), as a page, CSV and PDF, and the current year's figures so far. The figures: disclosure/
statistics.py; publishing: the staff pages (views/staff.py)."""

import io

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from wuding_enforcement.shared import csvsafe
from wuding_enforcement.shared.charts import bar_chart
from wuding_enforcement.shared.pdf import render_html_to_pdf

from .. import sections, statistics
from ..models import AnnualReport
from .pages import page, part

CRUMBS = [("行政执法统计", "disclosure:statistics")]


def _crumbs():
    return [(label, reverse(name)) for label, name in CRUMBS]


def chart(figures: statistics.YearFigures, title: str) -> str:
    return bar_chart([(f.label, f.value) for f in figures.chart_figures], title=title)


def _published_report(year: int) -> AnnualReport:
    report = AnnualReport.objects.published().filter(year=year).first()
    if report is None:
        raise Http404("该年度统计尚未发布。")
    return report


@require_GET
def statistics_index(request):
    reports = list(statistics.published_reports())
    return page(request, "行政执法统计", part("statistics_index", {"reports": reports}))


@require_GET
def statistics_year(request, year):
    title = f"{year}年度行政执法统计"
    report = AnnualReport.objects.published().filter(year=year).first()
    if report is None:
        return page(request, title, part("statistics_unpublished", {"year": year}), _crumbs(), status=404)

    def build():
        figures = statistics.report_figures(report)
        return part(
            "statistics_year",
            {"report": report, "figures": figures, "chart": chart(figures, f"{year}年度行政执法数据")},
        )

    return page(request, title, sections.STATISTICS.page(f"year:{year}", build), _crumbs())


@require_GET
def statistics_csv(request, year):
    figures = statistics.report_figures(_published_report(year))
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(["项目", "数值", "单位", "数据来源", "说明"])
    for f in figures.figures:
        writer.writerow([f.label, f.value, f.unit, f.source_label, f.note])
    # A BOM so that Excel opens the Chinese text as UTF-8.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wuding-enforcement-statistics-{year}.csv"'
    return response


@require_GET
def statistics_pdf(request, year):
    report = _published_report(year)
    figures = statistics.report_figures(report)
    html = render_to_string(
        "disclosure/statistics_pdf.html",
        {
            "report": report,
            "figures": figures,
            "chart": chart(figures, f"{year}年度行政执法数据"),
            "bureau": settings.BUREAU_NAME,
        },
    )
    response = HttpResponse(render_html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="wuding-enforcement-statistics-{year}.pdf"'
    return response


@require_GET
def statistics_live(request):
    """The current year so far, computed on the fly (not cached: it changes with every decision)."""
    year = timezone.localdate().year
    figures = statistics.compute_year(year, report=AnnualReport.objects.filter(year=year).first())
    content = part(
        "statistics_live", {"figures": figures, "chart": chart(figures, f"{year}年行政执法数据（截至今日）")}
    )
    return page(request, f"{year}年行政执法数据（实时）", content, _crumbs())
