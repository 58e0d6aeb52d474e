"""事前公开 (docs/domain.md §1): the home page and the catalogue pages — subjects, personnel, powers, the
random-inspection list, procedures with their flowcharts, service guides, channels, the rules documents.

Anonymous and read-only. Each page's content is cached in its section (disclosure/sections.py) and renewed when
what it shows is saved. Only public content is read: the catalogue models' public() rows, the roster's names,
units and certificates, the powers list, the effective rules documents. (The 裁量基准 page is legal_review's:
legal_review/public.py.)
"""

from collections import OrderedDict

from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from inspection.models import InspectionItem, InspectionMode
from wuding_enforcement.cases.models import PowerItem, PowerKind, RuleSettings
from wuding_enforcement.roster.certification import entitlement_on
from wuding_enforcement.roster.models import Certificate, CertificateStatus, Staff, Unit
from wuding_enforcement.rulebook.models import RulesDocument, VersionStatus, basis_for
from wuding_enforcement.shared.charts import flowchart

from .. import sections
from ..models import (
    Channel,
    ChannelKind,
    EnforcementSubject,
    Procedure,
    ProcedureStep,
    ServiceGuide,
)
from ..signing import signed_certificate_path
from .pages import page, part, whole_page

POWERS_PER_PAGE = 50


@require_GET
def index(request):
    """The home page: cached whole in the channels section (it shows the remedy periods of RuleSettings,
    which that section watches)."""
    return whole_page(
        request, sections.CHANNELS, "home", "disclosure/index.html", lambda: {"rules": RuleSettings.current()}
    )


def _last(*values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


# --- 执法主体 ----------------------------------------------------------------------------------------------


@require_GET
def subjects(request):
    def build():
        rows = list(EnforcementSubject.objects.public().select_related("unit"))
        return part("subjects", {"subjects": rows, "updated": EnforcementSubject.objects.last_updated()})

    return page(request, "执法主体", sections.SUBJECTS.page("list", build))


# --- 执法人员 ----------------------------------------------------------------------------------------------


def personnel_rows(unit_id=None, today=None) -> list[dict]:
    """One row per active staff member holding a certificate (of the unit, when given): unit, name, number,
    fields, status today. The certificate shown is the one entitling them today (roster/certification.py), else
    the latest to expire. Two queries: the people, their certificates with unit."""
    today = today or timezone.localdate()
    certificates = Certificate.objects.select_related("unit").order_by("-expires_on", "pk")
    if unit_id is not None:
        certificates = certificates.filter(unit_id=unit_id)
    people = Staff.objects.filter(is_active=True, pk__in=certificates.values("holder_id")).prefetch_related(
        Prefetch("certificates", queryset=certificates)
    )
    rows = []
    for person in people:
        held = list(person.certificates.all())
        entitlement = entitlement_on(person, today)
        cert = entitlement.certificate or max(held, key=lambda c: c.expires_on)
        rows.append(
            {
                "sort": (min((c.unit.order, c.unit.name) for c in held), person.real_name, person.pk),
                "name": person.display_name,
                "unit": cert.unit.name,
                "number": cert.number,
                "kind": cert.get_kind_display(),
                "fields": cert.field_list,
                "status": CertificateStatus(cert.status_on(today)).label,
                "entitled": entitlement.entitled,
                "expires_on": cert.expires_on,
                "url": signed_certificate_path(cert.number),
            }
        )
    return sorted(rows, key=lambda row: row["sort"])


def personnel_groups(rows: list[dict], q: str = "") -> list[dict]:
    """The personnel list's sections, one per unit in list order, for the contents list; with `q`, only the
    people whose name or certificate number contains it."""
    groups: list[dict] = []
    for row in rows:
        if q and q not in row["name"] and q not in row["number"]:
            continue
        if not groups or groups[-1]["unit"] != row["unit"]:
            groups.append({"unit": row["unit"], "anchor": f"unit-{len(groups) + 1}", "rows": []})
        groups[-1]["rows"].append(row)
    return groups


@require_GET
def personnel(request):
    unit_id = request.GET.get("unit", "")
    unit_id = int(unit_id) if unit_id.isdigit() else None
    q = request.GET.get("q", "").strip()[:30]

    def build():
        units = list(Unit.objects.filter(is_active=True, certificates__isnull=False).distinct())
        groups = personnel_groups(personnel_rows(unit_id), q)
        return part(
            "personnel",
            {
                "groups": groups,
                "count": sum(len(g["rows"]) for g in groups),
                "units": units,
                "unit_id": unit_id,
                "q": q,
                "updated": Certificate.history.aggregate(last=Max("history_date"))["last"],
            },
        )

    return page(request, "执法人员", sections.PERSONNEL.page(f"{unit_id}|{q}", build))


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


def power_groups(listed, q: str, kind: str) -> list[dict]:
    """The sections of one page of the powers list, one per kind (权力类型) in list order, for the contents
    list: each kind found by the search with its count over every page; the items of this page under it.
    The contents list links to a kind's section on this page, or to the kind alone when it is on another."""
    counts = dict(
        powers_queryset(q, kind).order_by().values("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    on_page: dict[str, list] = {}
    for item in listed:
        on_page.setdefault(item.kind, []).append(item)
    return [
        {"kind": value, "label": label, "count": counts[value], "items": on_page.get(value, [])}
        for value, label in sorted(PowerKind.choices)  # the list's own order (by kind, then code)
        if counts.get(value)
    ]


@require_GET
def powers(request):
    q = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    kind = kind if kind in PowerKind.values else ""
    page_number = request.GET.get("page", "1")

    def build():
        listed = Paginator(powers_queryset(q, kind), POWERS_PER_PAGE).get_page(page_number)
        return part(
            "powers",
            {
                "page": listed,
                "groups": power_groups(listed, q, kind),
                "q": q,
                "kind": kind,
                "kinds": PowerKind.choices,
                "updated": PowerItem.objects.aggregate(last=Max("updated_at"))["last"],
                "basis": basis_for("powers"),
            },
        )

    return page(request, "权责清单", sections.POWERS.page(f"{q}|{kind}|{page_number}", build))


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
        return part(
            "inspections",
            {"groups": list(groups.items()), "updated": InspectionItem.objects.last_updated()},
        )

    return page(request, "随机抽查事项清单", sections.INSPECTIONS.page("list", build))


# --- 执法流程 ----------------------------------------------------------------------------------------------


def _procedures():
    steps = ProcedureStep.objects.filter(is_active=True).order_by("order", "pk")
    return (
        Procedure.objects.public()
        .prefetch_related(Prefetch("steps", queryset=steps))
        .annotate(steps_updated=Max("steps__updated_at"))
    )


@require_GET
def procedures(request):
    def build():
        rows = list(_procedures())
        updated = _last(
            Procedure.objects.last_updated(), ProcedureStep.objects.aggregate(m=Max("updated_at"))["m"]
        )
        return part("procedures", {"procedures": rows, "updated": updated, "basis": basis_for("flowchart")})

    return page(request, "执法流程图", sections.PROCEDURES.page("list", build))


@require_GET
def procedure_detail(request, pk):
    def build():
        procedure = get_object_or_404(_procedures(), pk=pk)
        steps = list(procedure.steps.all())
        return part(
            "procedure_detail",
            {
                "procedure": procedure,
                "steps": steps,
                "chart": flowchart(steps),
                "updated": _last(procedure.updated_at, procedure.steps_updated),
            },
        )

    content = sections.PROCEDURES.page(f"detail:{pk}", build)
    procedure_title = Procedure.objects.public().filter(pk=pk).values_list("title", flat=True).first() or ""
    return page(request, procedure_title, content, crumbs=[("执法流程图", reverse("disclosure:procedures"))])


# --- 服务指南 ----------------------------------------------------------------------------------------------


@require_GET
def guides(request):
    def build():
        rows = list(ServiceGuide.objects.public())
        return part(
            "guides",
            {"guides": rows, "updated": ServiceGuide.objects.last_updated(), "basis": basis_for("guide")},
        )

    return page(request, "服务指南", sections.GUIDES.page("list", build))


@require_GET
def guide_detail(request, pk):
    guide = get_object_or_404(ServiceGuide.objects.public(), pk=pk)

    def build():
        return part("guide_detail", {"guide": guide, "updated": guide.updated_at})

    return page(
        request,
        guide.name,
        sections.GUIDES.page(f"detail:{pk}", build),
        crumbs=[("服务指南", reverse("disclosure:guides"))],
    )


# --- 监督方式、救济渠道、投诉举报 ----------------------------------------------------------------------


@require_GET
def channels(request):
    def build():
        rows = list(Channel.objects.public())
        rules = RuleSettings.current()
        by_kind = {kind: [c for c in rows if c.kind == kind] for kind in ChannelKind.values}
        return part(
            "channels",
            {
                "supervision": by_kind[ChannelKind.SUPERVISION],
                "complaint": by_kind[ChannelKind.COMPLAINT],
                "remedy": by_kind[ChannelKind.REMEDY],
                "rules": rules,
                "updated": _last(Channel.objects.last_updated(), rules.updated_at),
            },
        )

    return page(request, "监督方式与救济渠道", sections.CHANNELS.page("list", build))


# --- 制度文件 (the bureau's rules documents, 建章立制) -----------------------------------------------------


# Versions the public sees: the effective one and the repealed ones (drafts and versions in approval or filing
# are internal).
SHOWN_VERSIONS = (VersionStatus.EFFECTIVE, VersionStatus.REPEALED)


def shown_versions(document) -> list:
    """The document's versions the public sees, newest first (reads document.versions.all(): prefetchable)."""
    versions = sorted(document.versions.all(), key=lambda v: -v.number)
    return [v for v in versions if v.status in SHOWN_VERSIONS]


def _effective(versions):
    return next((v for v in versions if v.status == VersionStatus.EFFECTIVE), None)


@require_GET
def rules(request):
    """The public rules documents with their currently effective version and effective date."""
    rows = []
    for document in RulesDocument.objects.public().prefetch_related("versions"):
        shown = shown_versions(document)
        if shown:
            rows.append({"document": document, "current": _effective(shown)})
    return page(request, "制度文件", part("rules", {"rows": rows}))


@require_GET
def rules_detail(request, pk):
    """One rules document: the effective version's text and filing data, and every earlier version."""
    document = RulesDocument.objects.public().filter(pk=pk).first()
    shown = shown_versions(document) if document is not None else []
    if not shown:
        raise Http404("未找到该制度文件。")
    current = _effective(shown)
    content = part(
        "rules_detail",
        {"document": document, "current": current, "earlier": [v for v in shown if v is not current]},
    )
    return page(request, document.title, content, crumbs=[("制度文件", reverse("disclosure:rules"))])
