"""The 政策法规股's pages: plans (draft, approve, file, publish, revise), the 名录库 (list, import, 回避), and the
双随机 draws (commit, run, replace, reveal). Planners are the 政策法规股 (法制审核人员), the admins and the bureau
heads (drawing.PLANNER_ROLES); the domain checks each act again (a forged POST gets the same refusal).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wuding_enforcement.audit.api import record
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.xlsx import ImportErrors, format_error
from wuding_enforcement.shared.refusals import Refused, show_refusal

from .drawing import PLANNER_ROLES, is_planner
from .forms import ApproveForm, CommitForm, ConflictForm, EntryForm, FilingForm, ImportForm, PlanForm, RunForm
from .importing import HEADERS, import_entities
from .models import (
    Conflict,
    Draw,
    DrawPick,
    DrawState,
    InspectionPlan,
    InspectionSettings,
    MarketEntity,
    RiskClass,
)

ENTITIES_PER_PAGE = 50


def _planner_or_404(request):
    """Object pages of the planners: a 404 for anyone else (the role check of a list page is a 403)."""
    if not is_planner(request.user):
        raise Http404("页面不存在。")


# --- plans -------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@role_required(*PLANNER_ROLES)
def plans(request):
    """The plans (every version) and a form for a new draft."""
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        plan = form.save(commit=False)
        plan.created_by = request.user
        plan._history_user = request.user
        plan.save()
        record("inspection.plan.drafted", obj=plan, actor=request.user, detail={"title": plan.title})
        messages.success(request, "计划草稿已建立，请添加检查事项。")
        return redirect("inspection:plan", pk=plan.pk)
    # Queries: the plans with their entry counts; the settings row (the publication deadline).
    rules = InspectionSettings.current()
    rows = list(
        InspectionPlan.objects.annotate(entry_count=Count("entries")).order_by("-year", "title", "-version")
    )
    for row in rows:
        row.late = row.was_published_late(rules)
    return render(request, "inspection/plans.html", {"plans": rows, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def plan(request, pk):
    _planner_or_404(request)
    plan = get_object_or_404(InspectionPlan, pk=pk)
    entry_form = EntryForm(request.POST or None, prefix="entry")
    if request.method == "POST" and entry_form.is_valid():
        entry = entry_form.save(commit=False)
        entry.plan = plan
        try:
            entry.full_clean()
            entry.save()
        except ValidationError as refused:  # the model's checks, or Refused (an approved plan is frozen)
            show_refusal(request, refused, form=entry_form)
        else:
            record(
                "inspection.plan.entry_added", obj=plan, actor=request.user, detail={"item": entry.item.code}
            )
            messages.success(request, "已添加检查事项。")
            return redirect("inspection:plan", pk=plan.pk)
    context = {
        "plan": plan,
        "entries": plan.entries.select_related("item"),
        "entry_form": None if plan.is_approved else entry_form,
        "approve_form": ApproveForm(initial={"on": timezone.localdate()}, auto_id="approve_%s"),
        "filing_form": FilingForm(auto_id="filing_%s"),
        "versions": plan.versions(),
        "due": plan.publish_due(),
    }
    return render(request, "inspection/plan.html", context)


def _plan_action(request, pk, action, success):
    _planner_or_404(request)
    plan = get_object_or_404(InspectionPlan, pk=pk)
    try:
        result = action(plan)
    except Refused as refused:
        show_refusal(request, refused)
        return redirect("inspection:plan", pk=plan.pk)
    messages.success(request, success)
    return redirect("inspection:plan", pk=getattr(result, "pk", plan.pk))


@require_POST
@login_required
def plan_approve(request, pk):
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写批准日期和批准机关。")
        return redirect("inspection:plan", pk=pk)
    data = form.cleaned_data
    return _plan_action(
        request,
        pk,
        lambda p: p.approve(by=request.user, on=data["on"], body=data["body"], ref=data["ref"]),
        "计划已批准。",
    )


@require_POST
@login_required
def plan_file(request, pk):
    form = FilingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写两个备案日期（不晚于今天）。")
        return redirect("inspection:plan", pk=pk)
    data = form.cleaned_data
    return _plan_action(
        request,
        pk,
        lambda p: p.record_filing(
            by=request.user, justice_on=data["justice_on"], superior_on=data["superior_on"]
        ),
        "已记录备案。",
    )


@require_POST
@login_required
def plan_publish(request, pk):
    return _plan_action(request, pk, lambda p: p.publish(by=request.user), "计划已在公示网站公布。")


@require_POST
@login_required
def plan_revise(request, pk):
    note = (request.POST.get("change_note") or "").strip()
    return _plan_action(
        request,
        pk,
        lambda p: p.new_version(by=request.user, change_note=note),
        "已建立新版本草稿（公布后替代本版本）。",
    )


# --- the 名录库 ----------------------------------------------------------------------------------------------


@require_GET
@login_required
@role_required(*PLANNER_ROLES)
def entities(request):
    query = (request.GET.get("q") or "").strip()[:50]
    rows = MarketEntity.objects.select_related("unit").order_by("credit_code")
    if query:
        rows = rows.filter(Q(name__contains=query) | Q(credit_code=query.upper()))
    risk = request.GET.get("risk") or ""
    if risk in RiskClass.values:
        rows = rows.filter(risk_class=risk)
    # Queries: the count, the page (with units), the page's categories.
    page = Paginator(rows.prefetch_related("categories"), ENTITIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspection/entities.html",
        {"page": page, "q": query, "risk": risk, "risks": RiskClass.choices, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@login_required
@role_required(*PLANNER_ROLES)
def entities_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = import_entities(form.cleaned_data["file"], by=request.user)
        except ImportErrors as exc:
            errors = [format_error(row, message) for row, message in exc.errors]
        else:
            messages.success(request, result.summary("检查对象"))
            return redirect("inspection:entities")
    return render(
        request, "inspection/entities_import.html", {"form": form, "errors": errors, "headers": HEADERS}
    )


@require_http_methods(["GET", "POST"])
@login_required
def entity(request, pk):
    """One entity: its inspections this year against the caps, and the declared conflicts (回避)."""
    _planner_or_404(request)
    entity = get_object_or_404(MarketEntity.objects.select_related("unit"), pk=pk)
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        conflict = Conflict.objects.create(
            officer=form.cleaned_data["officer"],
            entity=entity,
            reason=form.cleaned_data["reason"],
            declared_on=timezone.localdate(),
            declared_by=request.user,
        )
        record(
            "inspection.conflict.declared",
            obj=entity,
            actor=request.user,
            detail={"officer": conflict.officer.display_name, "reason": conflict.reason},
        )
        messages.success(request, "已登记回避。")
        return redirect("inspection:entity", pk=entity.pk)
    year = timezone.localdate().year
    inspections = entity.inspections.select_related("item", "unit", "case").order_by("-planned_on")
    return render(
        request,
        "inspection/entity.html",
        {
            "entity": entity,
            "inspections": inspections,
            "year_count": entity.inspections.counted().in_year(year).count(),
            "conflicts": entity.conflicts.select_related("officer"),
            "form": form,
        },
    )


# --- draws ------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@role_required(*PLANNER_ROLES)
def draws(request):
    """The draws and the form that commits a new one (the commitment is published at once)."""
    form = CommitForm(request.POST or None, initial={"draw_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draw = Draw.commit(
                by=request.user,
                entry=data["entry"],
                draw_on=data["draw_on"],
                public_source=data["public_source"],
                round=data["round"],
                max_per_officer=data["max_per_officer"],
            )
        except Refused as refused:
            show_refusal(request, refused, form=form)
        else:
            messages.success(request, f"抽取承诺已公布：{draw.commitment}")
            return redirect("inspection:draw", pk=draw.pk)
    # Queries: the draws with their plan items.
    rows = list(Draw.objects.select_related("entry__plan", "entry__item").order_by("-committed_at"))
    return render(request, "inspection/draws.html", {"draws": rows, "form": form})


@require_GET
@login_required
def draw(request, pk):
    """The draw as its planners see it: the picks (never public before the visits) and what is left to do."""
    _planner_or_404(request)
    draw = get_object_or_404(Draw.objects.select_related("entry__plan", "entry__item"), pk=pk)
    picks = list(
        draw.picks.select_related("entity", "inspection__case", "replaces")
        .prefetch_related("officers")
        .order_by("order")
    )
    for pick in picks:
        pick.task = getattr(pick, "inspection", None)  # None where the rules refused the task (task_problem)
    replaced = {p.replaces_id for p in picks if p.replaces_id}
    return render(
        request,
        "inspection/draw.html",
        {
            "draw": draw,
            "picks": picks,
            "replaced": replaced,
            "run_form": RunForm(auto_id="run_%s") if draw.state == DrawState.COMMITTED else None,
            "reveal_problems": draw.reveal_problems() if draw.state == DrawState.DRAWN else [],
            "today": timezone.localdate(),
        },
    )


def _draw_action(request, pk, action, success):
    _planner_or_404(request)
    draw = get_object_or_404(Draw, pk=pk)
    try:
        action(draw)
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, success)
    return redirect("inspection:draw", pk=draw.pk)


@require_POST
@login_required
def draw_run(request, pk):
    form = RunForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"public_value": "", "note": ""}
    return _draw_action(
        request,
        pk,
        lambda d: d.run(by=request.user, public_value=data["public_value"], note=data["note"]),
        "抽取完成：检查任务已生成，待局负责人审批。抽取名单在检查结束后公布。",
    )


@require_POST
@login_required
def draw_replace(request, pk, pick_pk):
    _planner_or_404(request)
    pick = get_object_or_404(DrawPick, pk=pick_pk, draw_id=pk)
    reason = (request.POST.get("reason") or "").strip()
    return _draw_action(
        request, pk, lambda d: d.replace(by=request.user, pick=pick, reason=reason), "已按规则替换检查对象。"
    )


@require_POST
@login_required
def draw_reveal(request, pk):
    return _draw_action(
        request, pk, lambda d: d.reveal(by=request.user), "抽取结果已公布，任何人可据此重新抽取核验。"
    )
