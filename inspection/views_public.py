"""The public pages of 行政检查 (anonymous, read-only except the 检查码 page's rating and complaint): the
published lists and plans, the draws (commitment first; the pairs and every input only after the visits),
the published results, and the 检查码 page the enterprise opens on a phone.

Results: the list keeps a withdrawn result (marked 已撤回 with its public reason, never its content) and shows
every entity by its published name (a 个体工商户's operator masked; the search reads that name too).

Every list here runs a fixed number of queries (pinned in tests/inspection/test_public_pages.py).
Seam: the public site's own cache (disclosure/cache.py) and its open data, Atom and credit export will carry
these pages in a later round; they render in the public site's base template already.
"""

import json
from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wuding_enforcement.audit.api import client_ip
from wuding_enforcement.roster.models import Certificate
from wuding_enforcement.shared import draws
from wuding_enforcement.shared.ratelimit import RateLimit
from wuding_enforcement.shared.refusals import show_refusal

from . import codes, feedback
from .forms import ComplaintForm, RateForm
from .models import (
    ChecklistEntry,
    Draw,
    DrawState,
    FrequencyCap,
    Inspection,
    InspectionItem,
    InspectionPlan,
    InspectionSettings,
    InspectionSubject,
    PlanEntry,
)
from .officers import inspector_on
from .refusing import InspectionRefused

RESULTS_PER_PAGE = 30
# Short codes typed by hand: a person mistypes a few times; a script guessing codes is slowed to a crawl.
CODE_LOOKUP_LIMIT, CODE_LOOKUP_WINDOW = 20, 600
CODE_LOOKUP = RateLimit("inspection.code_lookup", limit=CODE_LOOKUP_LIMIT, window=CODE_LOOKUP_WINDOW)


@require_GET
def index(request):
    return render(request, "inspection/public/index.html", {})


@require_GET
def subjects(request):
    # Queries: the subjects with their units.
    rows = list(InspectionSubject.objects.public().select_related("unit"))
    return render(
        request,
        "inspection/public/subjects.html",
        {"subjects": rows, "updated": InspectionSubject.objects.last_updated()},
    )


@require_GET
def items(request):
    """检查事项清单 with each item's 检查表单 and yearly caps by risk class (国办发〔2024〕54号 三、四)."""
    # Queries: the items (with unit and 权责清单 item), their checklist lines, their caps.
    rows = list(
        InspectionItem.objects.public()
        .select_related("unit", "power_item")
        .prefetch_related(
            Prefetch("checklist", queryset=ChecklistEntry.objects.filter(is_active=True)),
            Prefetch("caps", queryset=FrequencyCap.objects.order_by("risk_class")),
        )
    )
    return render(
        request,
        "inspection/public/items.html",
        {"items": rows, "updated": InspectionItem.objects.last_updated()},
    )


def _plan_rows():
    return InspectionPlan.objects.current().prefetch_related(
        Prefetch("entries", queryset=PlanEntry.objects.select_related("item"))
    )


@require_GET
def plans(request):
    # Queries: the current plans, their entries with items; the settings row (the publication deadline).
    rules = InspectionSettings.current()
    rows = list(_plan_rows())
    for row in rows:
        row.late = row.was_published_late(rules)
    return render(
        request,
        "inspection/public/plans.html",
        {"plans": rows, "due": rules.plan_due(timezone.localdate().year)},
    )


@require_GET
def plan_detail(request, pk):
    plan = get_object_or_404(InspectionPlan.objects.published(), pk=pk)
    versions = [v for v in plan.versions() if v.is_published]
    return render(
        request,
        "inspection/public/plan_detail.html",
        {"plan": plan, "entries": plan.entries.select_related("item"), "versions": versions},
    )


@require_GET
def draw_list(request):
    # Queries: the draws with their plan items.
    rows = list(Draw.objects.select_related("entry__plan", "entry__item").order_by("-committed_at"))
    return render(request, "inspection/public/draws.html", {"draws": rows})


def _revealed_picks(draw):
    picks = list(
        draw.picks.select_related("entity", "inspection", "replaces__entity")
        .prefetch_related("officers")
        .order_by("order")
    )
    for pick in picks:
        pick.task = getattr(pick, "inspection", None)
    return picks


@require_GET
def draw_detail(request, pk):
    """The commitment from the start; the secret, inputs, pairs and results only once revealed."""
    draw = get_object_or_404(Draw.objects.select_related("entry__plan", "entry__item"), pk=pk)
    revealed = draw.state == DrawState.REVEALED
    context = {
        "draw": draw,
        "revealed": revealed,
        "parameters": json.dumps(draw.parameters, ensure_ascii=False, indent=2, sort_keys=True),
        "picks": _revealed_picks(draw) if revealed else [],
        "counts": draw.result.get("quotas", {}) if draw.state != DrawState.COMMITTED else {},
        "drawn_total": len(draw.result.get("picks", [])),
    }
    return render(request, "inspection/public/draw_detail.html", context)


@require_GET
def draw_bundle(request, pk):
    """Everything needed to re-run a revealed draw (feed it to verify_draw.py); 404 before the reveal."""
    draw = get_object_or_404(Draw, pk=pk, state=DrawState.REVEALED)
    response = JsonResponse(draw.bundle(), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="draw-{draw.pk}.json"'
    return response


@require_GET
def verify_script(request):
    """The verification script: the very module the portal draws with (wuding_enforcement/shared/draws.py)."""
    source = Path(draws.__file__).read_text(encoding="utf-8")
    response = HttpResponse(source, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verify_draw.py"'
    return response


def _listed():
    """Once-published results, withdrawn ones too (shown as 已撤回 with the reason, never their content)."""
    return Inspection.objects.listed().select_related("entity", "item", "unit", "draw_pick__draw")


@require_GET
def results(request):
    """Published results, newest first, 30 a page; withdrawn ones stay in the list marked 已撤回."""
    query = (request.GET.get("q") or "").strip()[:50]
    rows = _listed().order_by("-published_at", "-pk")
    if query:
        # The published name only: a 个体工商户's operator's name must not find the masked entry.
        rows = rows.filter(Q(public_entity_name__contains=query) | Q(entity__credit_code=query.upper()))
    # Queries: the count and the page (entities, items, units and draws joined).
    page = Paginator(rows, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "inspection/public/results.html", {"page": page, "q": query})


@require_GET
def result_detail(request, pk):
    inspection = get_object_or_404(_listed(), pk=pk)
    return render(request, "inspection/public/result_detail.html", {"inspection": inspection})


# --- the 检查码 page ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def code_lookup(request):
    """The enterprise types the short code printed under the QR code."""
    code = codes.normalise(request.POST.get("code") or request.GET.get("code") or "")
    if code and CODE_LOOKUP.exceeded(client_ip(request)):
        messages.error(
            request,
            f"查询过于频繁：同一网络每{CODE_LOOKUP_WINDOW // 60}分钟最多查询{CODE_LOOKUP_LIMIT}次，"
            "请稍后再试，或直接扫描检查人员出示的二维码。",
        )
    elif code:
        if Inspection.objects.filter(code=code).exists():
            return redirect(codes.path_for(code))
        messages.error(request, "没有找到该检查码，请核对后重新输入；如有疑问请拨打12345。")
    return render(request, "inspection/public/code_lookup.html", {})


def _inspection_for_token(token):
    code = codes.code_from_token(token)
    if code is None:
        raise Http404("检查码无效。")
    inspection = (
        Inspection.objects.select_related("entity", "item__power_item", "unit", "case")
        .filter(code=code)
        .first()
    )
    if inspection is None:
        raise Http404("检查码无效。")
    return inspection


def _officer_rows(inspection, today):
    """The case's officers with their certificate status now (live: a certificate suspended this morning
    shows as suspended)."""
    people = [
        a.officer
        for a in inspection.case.assignments.select_related("officer__unit").prefetch_related(
            Prefetch("officer__certificates", queryset=Certificate.objects.order_by("pk"))
        )
    ]
    rows = []
    for person in people:
        status = inspector_on(person, today, inspection.item.field)
        rows.append(
            {
                "name": person.display_name,
                "unit": person.unit,
                "certificate": status.certificate,
                "entitled": status.entitled,
                "reason": status.reason,
                "person": person,
            }
        )
    return rows


def _code_context(inspection, *, rate_form=None, complaint_form=None):
    from .feedback import VISITED_STAGES

    today = timezone.localdate()
    officers = _officer_rows(inspection, today)
    counts = (
        inspection.entity.inspections.counted()
        .in_year(inspection.planned_on.year)
        .aggregate(total=Count("pk"), in_cap=Count("pk", filter=Q(counts_in_cap=True)))
    )
    visited = inspection.case.stage in VISITED_STAGES
    rated = hasattr(inspection, "rating")
    return {
        "inspection": inspection,
        "officers": officers,
        "counts": counts,
        "cap": inspection.item.cap_for(inspection.entity.risk_class),
        "discipline": InspectionSettings.current().discipline,
        "code_grouped": codes.grouped(inspection.code),
        "visited": visited,
        "rated": rated,
        "rate_form": rate_form or (RateForm(auto_id="rate_%s") if visited and not rated else None),
        "complaint_form": complaint_form
        or ComplaintForm(officers=[o["person"] for o in officers], auto_id="complaint_%s"),
        "today": today,
    }


@require_GET
def code(request, token):
    """What the enterprise sees when it scans the officers' 检查码 (mobile first)."""
    inspection = _inspection_for_token(token)
    if inspection.case is None:
        raise Http404("检查码无效。")
    return render(request, "inspection/public/code.html", _code_context(inspection))


@require_POST
def code_rate(request, token):
    inspection = _inspection_for_token(token)
    form = RateForm(request.POST, auto_id="rate_%s")
    if form.is_valid():
        try:
            feedback.rate(inspection, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
        except InspectionRefused as refused:
            show_refusal(request, refused)
        else:
            messages.success(request, "感谢您的评价。")
            return redirect(codes.path_for(inspection.code))
    inspection.refresh_from_db()
    return render(
        request, "inspection/public/code.html", _code_context(inspection, rate_form=form), status=400
    )


@require_POST
def code_complain(request, token):
    inspection = _inspection_for_token(token)
    officers = [a.officer for a in inspection.case.assignments.select_related("officer")]
    form = ComplaintForm(request.POST, officers=officers, auto_id="complaint_%s")
    if form.is_valid():
        data = form.cleaned_data
        officer = next((o for o in officers if o.pk == data["officer"]), None)
        try:
            feedback.complain(
                inspection, kind=data["kind"], text=data["text"], officer=officer, contact=data["contact"]
            )
        except InspectionRefused as refused:
            show_refusal(request, refused)
        else:
            messages.success(request, "已收到，监督部门将核实处理；检查单位看不到您的姓名和联系方式。")
            return redirect(codes.path_for(inspection.code))
    return render(
        request, "inspection/public/code.html", _code_context(inspection, complaint_form=form), status=400
    )
