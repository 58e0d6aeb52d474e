"""The public site (公示): the home page and the 事前公开 pages, and the annual statistics.

Every page here is anonymous and read-only. Content pages are cached (disclosure/cache.py) and renewed when
what they show is saved. Only public content is read: the catalogue models' public() rows, the roster's
names, units and certificates, the powers list and the benchmarks, published annual reports.
"""

import csv
import io
from collections import OrderedDict

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from inspection.models import InspectionItem, InspectionMode
from wuding_enforcement.cases.models import PowerItem, PowerKind, RuleSettings
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.models import Certificate, CertificateStatus, Role, Unit
from wuding_enforcement.shared.charts import bar_chart, flowchart

from . import statistics
from .cache import cached_html
from .models import (
    AnnualReport,
    Channel,
    ChannelKind,
    EnforcementSubject,
    Procedure,
    ProcedureStep,
    ServiceGuide,
)
from .signing import certificate_path

POWERS_PER_PAGE = 50


def _page(request, title, content, crumbs=()):
    return render(request, "disclosure/page.html", {"title": title, "content": content, "crumbs": crumbs})


def _part(name, context):
    return render_to_string(f"disclosure/parts/{name}.html", context)


@require_GET
def index(request):
    return render(request, "disclosure/index.html", {"rules": RuleSettings.current()})


# --- 执法主体 ----------------------------------------------------------------------------------------------


@require_GET
def subjects(request):
    def build():
        rows = list(EnforcementSubject.objects.public().select_related("unit"))
        return _part("subjects", {"subjects": rows, "updated": EnforcementSubject.objects.last_updated()})

    return _page(request, "执法主体", cached_html("subjects", "", build))


def catalogue_basis(category: str):
    """The effective rules document (审定、备案) a public catalogue rests on, or None (rulebook.basis_for)."""
    from wuding_enforcement.rulebook.models import basis_for

    return basis_for(category)


# --- 执法人员 ----------------------------------------------------------------------------------------------


def _best_certificate(certs, today):
    """The certificate that speaks for a person today: a valid one if any, else the latest to expire."""
    valid = [c for c in certs if c.is_valid_on(today)]
    pool = valid or certs
    return max(pool, key=lambda c: c.expires_on)


def personnel_rows(unit_id=None, today=None):
    """One row per active staff member holding a certificate: unit, name, number, fields, status today.
    One query for the certificates (with holder and unit)."""
    today = today or timezone.localdate()
    certs = Certificate.objects.filter(holder__is_active=True).select_related("holder", "unit")
    if unit_id is not None:
        certs = certs.filter(unit_id=unit_id)
    by_holder = OrderedDict()
    for cert in certs.order_by("unit__order", "unit__name", "holder__real_name", "holder_id"):
        by_holder.setdefault(cert.holder_id, []).append(cert)
    rows = []
    for held in by_holder.values():
        cert = _best_certificate(held, today)
        status = cert.status_on(today)
        rows.append(
            {
                "name": cert.holder.display_name,
                "unit": cert.unit.name,
                "number": cert.number,
                "kind": cert.get_kind_display(),
                "fields": cert.field_list,
                "status": CertificateStatus(status).label,
                "entitled": cert.is_valid_on(today),
                "expires_on": cert.expires_on,
                "url": certificate_path(cert.number),
            }
        )
    return rows


@require_GET
def personnel(request):
    unit_id = request.GET.get("unit", "")
    unit_id = int(unit_id) if unit_id.isdigit() else None

    def build():
        units = list(Unit.objects.filter(is_active=True, certificates__isnull=False).distinct())
        return _part(
            "personnel",
            {
                "rows": personnel_rows(unit_id),
                "units": units,
                "unit_id": unit_id,
                "updated": Certificate.history.aggregate(last=Max("history_date"))["last"],
            },
        )

    return _page(request, "执法人员", cached_html("personnel", str(unit_id), build))


# --- 权责清单 ----------------------------------------------------------------------------------------------


def powers_queryset(q: str = "", kind: str = ""):
    items = PowerItem.objects.filter(is_active=True).select_related("responsible_unit")
    if kind in PowerKind.values:
        items = items.filter(kind=kind)
    if q:
        # icontains: a LIKE scan on SQLite; on PostgreSQL it is served by the trigram indexes where present.
        items = items.filter(
            Q(name__icontains=q) | Q(legal_basis__icontains=q) | Q(field__icontains=q) | Q(code__icontains=q)
        )
    return items.order_by("kind", "code")


@require_GET
def powers(request):
    q = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    kind = kind if kind in PowerKind.values else ""
    page_number = request.GET.get("page", "1")

    def build():
        page = Paginator(powers_queryset(q, kind), POWERS_PER_PAGE).get_page(page_number)
        return _part(
            "powers",
            {
                "page": page,
                "q": q,
                "kind": kind,
                "kinds": PowerKind.choices,
                "updated": PowerItem.objects.aggregate(last=Max("updated_at"))["last"],
                "basis": catalogue_basis("powers"),
            },
        )

    return _page(request, "权责清单", cached_html("powers", f"{q}|{kind}|{page_number}", build))


# --- 裁量基准 ----------------------------------------------------------------------------------------------

_SKIPPED_FIELDS = {"id", "is_active", "updated_at", "created_at", "order"}


def _field_pairs(obj, skip=()):
    """(label, value) of an object's filled-in plain fields, by introspection: the benchmark model belongs to
    legal_review and may grow fields; the public page shows what it holds without naming each one."""
    pairs = []
    for f in obj._meta.concrete_fields:
        if f.name in _SKIPPED_FIELDS or f.name in skip or f.is_relation or f.name.endswith("_hash"):
            continue
        value = getattr(obj, f"get_{f.name}_display")() if f.choices else getattr(obj, f.name)
        if value in (None, ""):
            continue
        pairs.append((str(f.verbose_name), value))
    return pairs


def benchmark_model():
    for name in ("DiscretionBenchmark", "Benchmark"):
        try:
            return apps.get_model("legal_review", name)
        except LookupError:
            continue
    return None


def benchmark_rows():
    """The discretion benchmarks (行政处罚法 第三十四条: published), read from legal_review where it exists."""
    model = benchmark_model()
    if model is None:
        return None, None
    items = model.objects.all()
    names = {f.name for f in model._meta.get_fields()}
    if "is_active" in names:
        items = items.filter(is_active=True)
    if "power_item" in names:
        items = items.select_related("power_item").order_by("power_item__code")
    has_ranges = "ranges" in names
    if has_ranges:
        items = items.prefetch_related("ranges")
    rows = []
    for item in items:
        power = getattr(item, "power_item", None) if "power_item" in names else None
        rows.append(
            {
                "title": power.name if power else str(item),
                "code": power.code if power else "",
                "pairs": _field_pairs(item),
                "ranges": [_field_pairs(r, skip={"benchmark"}) for r in item.ranges.all()]
                if has_ranges
                else [],
            }
        )
    updated = model.objects.aggregate(last=Max("updated_at"))["last"] if "updated_at" in names else None
    return rows, updated


@require_GET
def benchmarks(request):
    def build():
        rows, updated = benchmark_rows()
        return _part("benchmarks", {"rows": rows or [], "available": rows is not None, "updated": updated})

    return _page(request, "行政处罚裁量基准", cached_html("benchmarks", "", build))


# --- 随机抽查事项清单 --------------------------------------------------------------------------------------


@require_GET
def inspections(request):
    def build():
        items = list(
            InspectionItem.objects.public().filter(mode=InspectionMode.RANDOM).select_related("unit")
        )
        groups = OrderedDict()
        for item in items:
            groups.setdefault(item.field, []).append(item)
        return _part(
            "inspections",
            {"groups": list(groups.items()), "updated": InspectionItem.objects.last_updated()},
        )

    return _page(request, "随机抽查事项清单", cached_html("inspections", "", build))


# --- 执法流程 ----------------------------------------------------------------------------------------------


def _procedures():
    steps = ProcedureStep.objects.filter(is_active=True).order_by("order", "pk")
    return (
        Procedure.objects.public()
        .prefetch_related(Prefetch("steps", queryset=steps))
        .annotate(steps_updated=Max("steps__updated_at"))
    )


def _last(*values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


@require_GET
def procedures(request):
    def build():
        rows = list(_procedures())
        updated = _last(
            Procedure.objects.last_updated(), ProcedureStep.objects.aggregate(m=Max("updated_at"))["m"]
        )
        return _part(
            "procedures", {"procedures": rows, "updated": updated, "basis": catalogue_basis("flowchart")}
        )

    return _page(request, "执法流程图", cached_html("procedures", "", build))


@require_GET
def procedure_detail(request, pk):
    def build():
        procedure = get_object_or_404(_procedures(), pk=pk)
        steps = list(procedure.steps.all())
        return _part(
            "procedure_detail",
            {
                "procedure": procedure,
                "steps": steps,
                "chart": flowchart(steps),
                "updated": _last(procedure.updated_at, procedure.steps_updated),
            },
        )

    content = cached_html("procedures", f"detail:{pk}", build)
    procedure_title = Procedure.objects.public().filter(pk=pk).values_list("title", flat=True).first() or ""
    return _page(request, procedure_title, content, crumbs=[("执法流程图", reverse("disclosure:procedures"))])


# --- 服务指南 ----------------------------------------------------------------------------------------------


@require_GET
def guides(request):
    def build():
        rows = list(ServiceGuide.objects.public())
        return _part(
            "guides",
            {
                "guides": rows,
                "updated": ServiceGuide.objects.last_updated(),
                "basis": catalogue_basis("guide"),
            },
        )

    return _page(request, "服务指南", cached_html("guides", "", build))


@require_GET
def guide_detail(request, pk):
    guide = get_object_or_404(ServiceGuide.objects.public(), pk=pk)

    def build():
        return _part("guide_detail", {"guide": guide, "updated": guide.updated_at})

    return _page(
        request,
        guide.name,
        cached_html("guides", f"detail:{pk}", build),
        crumbs=[("服务指南", reverse("disclosure:guides"))],
    )


# --- 监督方式、救济渠道、投诉举报 ----------------------------------------------------------------------


@require_GET
def channels(request):
    def build():
        rows = list(Channel.objects.public())
        rules = RuleSettings.current()
        by_kind = {kind: [c for c in rows if c.kind == kind] for kind in ChannelKind.values}
        return _part(
            "channels",
            {
                "supervision": by_kind[ChannelKind.SUPERVISION],
                "complaint": by_kind[ChannelKind.COMPLAINT],
                "remedy": by_kind[ChannelKind.REMEDY],
                "rules": rules,
                "updated": _last(Channel.objects.last_updated(), rules.updated_at),
            },
        )

    return _page(request, "监督方式与救济渠道", cached_html("channels", "", build))


# --- 年度行政执法统计 ----------------------------------------------------------------------------------


def _chart(figures: statistics.YearFigures, title: str) -> str:
    return bar_chart([(f.label, f.value) for f in figures.chart_figures], title=title)


@require_GET
def statistics_index(request):
    reports = list(statistics.published_reports())
    return _page(request, "行政执法统计", _part("statistics_index", {"reports": reports}))


def _published_report(year: int) -> AnnualReport:
    report = AnnualReport.objects.filter(year=year).first()
    if report is None or not report.is_published:
        raise Http404("该年度统计尚未发布。")
    return report


@require_GET
def statistics_year(request, year):
    report = AnnualReport.objects.filter(year=year).first()
    if report is None or not report.is_published:
        content = _part("statistics_unpublished", {"year": year})
        response = _page(
            request,
            f"{year}年度行政执法统计",
            content,
            crumbs=[("行政执法统计", reverse("disclosure:statistics"))],
        )
        response.status_code = 404
        return response

    def build():
        figures = statistics.report_figures(report)
        return _part(
            "statistics_year",
            {"report": report, "figures": figures, "chart": _chart(figures, f"{year}年度行政执法数据")},
        )

    return _page(
        request,
        f"{year}年度行政执法统计",
        cached_html("statistics", f"year:{year}", build),
        crumbs=[("行政执法统计", reverse("disclosure:statistics"))],
    )


def _csv_rows(figures: statistics.YearFigures):
    yield ["项目", "数值", "单位", "数据来源", "说明"]
    for f in figures.figures:
        yield [f.label, f.value, f.unit, f.source_label, f.note]


@require_GET
def statistics_csv(request, year):
    figures = statistics.report_figures(_published_report(year))
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _csv_rows(figures):
        writer.writerow(row)
    # A BOM so that Excel opens the Chinese text as UTF-8.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wuding-enforcement-statistics-{year}.csv"'
    return response


@require_GET
def statistics_pdf(request, year):
    from wuding_enforcement.shared.pdf import render_html_to_pdf

    report = _published_report(year)
    figures = statistics.report_figures(report)
    html = render_to_string(
        "disclosure/statistics_pdf.html",
        {
            "report": report,
            "figures": figures,
            "chart": _chart(figures, f"{year}年度行政执法数据"),
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
    content = _part(
        "statistics_live", {"figures": figures, "chart": _chart(figures, f"{year}年行政执法数据（截至今日）")}
    )
    return _page(
        request,
        f"{year}年行政执法数据（实时）",
        content,
        crumbs=[("行政执法统计", reverse("disclosure:statistics"))],
    )


# --- Staff side: the 31 January flag and publishing ------------------------------------------------------


@require_GET
@login_required
@role_required(Role.ADMIN, Role.BUREAU_HEAD)
def statistics_staff(request):
    due = statistics.due_state()
    report = AnnualReport.objects.filter(year=due.year).first()
    figures = statistics.compute_year(due.year, report=report)
    return render(
        request,
        "disclosure/statistics_staff.html",
        {"due": due, "report": report, "figures": figures, "reports": list(AnnualReport.objects.all())},
    )


@require_POST
@login_required
@role_required(Role.ADMIN, Role.BUREAU_HEAD)
def statistics_publish(request, year):
    report = AnnualReport.objects.filter(year=year).first()
    if report is None:
        messages.error(request, f"请先在管理后台填报{year}年度的许可、征收、征用和案件以外的检查数据。")
        return redirect("disclosure:statistics_staff")
    try:
        report.publish(by=request.user)
    except ValidationError as refused:
        messages.error(request, "；".join(refused.messages))
    else:
        messages.success(request, f"{year}年度行政执法统计已发布。")
    return redirect("disclosure:statistics_staff")


# --- 制度文件 (the bureau's rules documents, 建章立制) -----------------------------------------------------


@require_GET
def rules(request):
    """The public rules documents with their currently effective version and effective date."""
    from wuding_enforcement.rulebook.models import RulesDocument, VersionStatus

    documents = list(RulesDocument.objects.public().prefetch_related("versions"))
    rows = []
    for document in documents:
        versions = sorted(document.versions.all(), key=lambda v: -v.number)
        current = next((v for v in versions if v.status == VersionStatus.EFFECTIVE), None)
        if current is not None or any(v.status == VersionStatus.REPEALED for v in versions):
            rows.append({"document": document, "current": current})
    return _page(request, "制度文件", _part("rules", {"rows": rows}))


@require_GET
def rules_detail(request, pk):
    """One rules document: the effective version's text and filing data, and every earlier version."""
    from django.http import Http404

    from wuding_enforcement.rulebook.models import RulesDocument, VersionStatus

    document = RulesDocument.objects.public().filter(pk=pk).first()
    if document is None:
        raise Http404("未找到该制度文件。")
    shown = [
        v
        for v in document.versions.order_by("-number")
        if v.status in (VersionStatus.EFFECTIVE, VersionStatus.REPEALED)
    ]
    if not shown:
        raise Http404("未找到该制度文件。")
    current = next((v for v in shown if v.status == VersionStatus.EFFECTIVE), None)
    content = _part(
        "rules_detail",
        {"document": document, "current": current, "earlier": [v for v in shown if v is not current]},
    )
    return _page(request, document.title, content, crumbs=[("制度文件", reverse("disclosure:rules"))])
