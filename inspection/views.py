"""The staff pages of an inspection task: my tasks and the approvals waiting (index), registering a task, the
task page an officer opens on a phone (code, officers, documents, the next step), and one POST per action.

Views read input and call the domain (the methods of inspection.models.Inspection and Draw, the case's
advance); they never decide whether an act is lawful. An inspection the user may not see is a 404 (get_inspection_for_user).
Ratings and complaints never appear here: they are anonymous to the inspecting unit.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.models import Certificate, Role
from wuding_enforcement.shared.refusals import Refused, get_visible_or_404, show_refusal

from . import codes
from .drawing import is_planner
from .forms import (
    ConfirmForm,
    CorrectForm,
    DateForm,
    FollowUpForm,
    OpinionForm,
    PublishForm,
    ReasonForm,
    RegisterForm,
    ResultForm,
    WithdrawForm,
)
from .gates import APPROVAL_FORM, NOTICE, RECORD, issued
from .models import ApprovalState, Inspection, Result
from .officers import inspector_on
from .publication import PreviewChanged

STAFF_ROLES = (Role.OFFICER, Role.UNIT_HEAD, Role.BUREAU_HEAD, Role.ADMIN, Role.LEGAL_REVIEWER)
ROW_RELATIONS = ("entity", "item", "unit", "case")


def get_inspection_for_user(request, pk) -> Inspection:
    return get_visible_or_404(
        Inspection.objects.visible_to(request.user).select_related(
            "entity", "item__power_item", "unit", "case__handling_unit", "plan", "draw_pick__draw", "follows"
        ),
        what=f"行政检查#{pk}",
        action="inspection.inspection.access_denied",
        message="检查任务不存在或您无权查看。",
        pk=pk,
    )


@require_GET
@login_required
@role_required(*STAFF_ROLES)
def index(request):
    """My inspections (open first), the approvals waiting for a bureau head, and what was refused to me."""
    user = request.user
    today = timezone.localdate()
    # Queries: my open tasks (with entity, item, unit, case); the approvals waiting (bureau heads).
    mine = list(
        Inspection.objects.visible_to(user)
        .exclude(approval__in=[ApprovalState.REJECTED, ApprovalState.WITHDRAWN])
        .exclude(case__stage__in=[Stage.CLOSED, Stage.ARCHIVED])
        .select_related(*ROW_RELATIONS)
        .order_by("planned_on", "pk")[:200]
    )
    waiting = []
    if user.has_role(Role.BUREAU_HEAD):
        waiting = list(
            Inspection.objects.filter(approval__in=[ApprovalState.PENDING, ApprovalState.EMERGENCY])
            .select_related(*ROW_RELATIONS)
            .order_by("planned_on", "pk")[:200]
        )
    return render(
        request,
        "inspection/index.html",
        {
            "mine": mine,
            "waiting": waiting,
            "today": today,
            "planner": is_planner(user),
            "may_register": user.has_role(Role.OFFICER, Role.UNIT_HEAD, Role.BUREAU_HEAD),
            "opinion_form": OpinionForm(auto_id="approve_%s"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.OFFICER, Role.UNIT_HEAD, Role.BUREAU_HEAD)
def register(request):
    """Register a 重点/专项/个案/许可核查 inspection (or an emergency one); 双随机 tasks come from draws."""
    form = RegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = Inspection.register(
                by=request.user,
                kind=data["kind"],
                entity=data["entity"],
                item=data["item"],
                officers=list(data["officers"]),
                planned_on=data["planned_on"],
                reason=data["reason"],
                plan=data["plan"],
                source=data["source"] or "other",
                source_note=data["source_note"],
                over_cap_reason=data["over_cap_reason"],
                emergency_reason=data["emergency_reason"],
            )
        except Refused as refused:
            show_refusal(request, refused, form=form)
        else:
            note = (
                "紧急检查已登记，请当日实施并尽快补办审批。"
                if inspection.emergency
                else "已提交局负责人审批。"
            )
            messages.success(request, f"检查任务 {inspection.number} 已登记。{note}")
            return redirect("inspection:detail", pk=inspection.pk)
    return render(request, "inspection/register.html", {"form": form})


def _documents(case):
    """The inspection's three documents: (type, label, issued document or None, new-draft URL)."""
    rows = []
    for key, label in (
        (APPROVAL_FORM, "行政检查审批表"),
        (NOTICE, "行政检查通知书"),
        (RECORD, "现场检查笔录"),
    ):
        document = issued(case, key).first()
        rows.append(
            {
                "key": key,
                "label": label,
                "document": document,
                "url": reverse("recording:document_detail", args=[case.pk, document.pk])
                if document
                else reverse("recording:document_new", args=[case.pk, key]),
            }
        )
    return rows


@require_GET
@login_required
def detail(request, pk):
    """The task page (mobile first): what, where, who, the 检查码 to show, the documents and the next step."""
    user = request.user
    inspection = get_inspection_for_user(request, pk)
    case = inspection.case
    today = timezone.localdate()
    context = {
        "inspection": inspection,
        "today": today,
        "can_approve": user.has_role(Role.BUREAU_HEAD)
        and inspection.approval in (ApprovalState.PENDING, ApprovalState.EMERGENCY),
        "opinion_form": OpinionForm(auto_id="opinion_%s"),
        "reason_form": ReasonForm(auto_id="reason_%s"),
    }
    if case is None:
        people = inspection.proposed_officers.prefetch_related(
            Prefetch("certificates", queryset=Certificate.objects.order_by("pk"))
        )
        context["officers"] = [
            (p, inspector_on(p, max(today, inspection.planned_on), inspection.item.field)) for p in people
        ]
        return render(request, "inspection/detail.html", context)
    assignments = case.assignments.select_related("officer").prefetch_related(
        Prefetch("officer__certificates", queryset=Certificate.objects.order_by("pk"))
    )
    can_work = case.may_work_on(user) and case.stage != Stage.ARCHIVED
    context.update(
        officers=[(a.officer, inspector_on(a.officer, today, inspection.item.field)) for a in assignments],
        can_work=can_work,
        documents=_documents(case),
        code_path=codes.path_for(inspection.code) if inspection.code else "",
        code_qr=codes.qr_for(inspection.code) if inspection.code else "",
        code_grouped=codes.grouped(inspection.code) if inspection.code else "",
        due=inspection.publication_due(),
        overdue=inspection.publication_overdue(today),
        follow_ups=list(inspection.follow_ups.select_related("case")),
    )
    if can_work:
        context.update(
            result_form=ResultForm(initial={"result_on": today}, auto_id="result_%s")
            if case.stage == Stage.INSPECTED
            else None,
            publish_form=PublishForm(
                initial={"public_summary": _default_public_text(inspection)}, auto_id="publish_%s"
            )
            if inspection.needs_publication and inspection.result and not inspection.published_at
            else None,
            follow_up_form=FollowUpForm(initial={"planned_on": inspection.rectify_by}, auto_id="follow_%s")
            if inspection.result == Result.RECTIFY and not context["follow_ups"]
            else None,
            test_report_form=DateForm(auto_id="report_%s")
            if inspection.samples_taken and not inspection.test_report_on
            else None,
        )
    if inspection.published_at:
        may_revise = inspection.may_revise_publication(user) and not inspection.withdrawn_at
        context.update(
            result_versions=list(inspection.result_versions.select_related("replaced_by")),
            correct_form=CorrectForm(initial={"public_summary": ""}, auto_id="correct_%s")
            if may_revise
            else None,
            withdraw_form=WithdrawForm(auto_id="withdraw_%s") if may_revise else None,
        )
    return render(request, "inspection/detail.html", context)


def _default_public_text(inspection) -> str:
    labels = {
        Result.NONE_FOUND: "未发现问题",
        Result.RECTIFY: f"发现问题，已责令限期整改（整改期限{inspection.rectify_by or ''}）",
        Result.REFER: "发现涉嫌违法行为，已移交立案调查",
    }
    return f"{inspection.item.item}：{labels.get(inspection.result, '')}。"


def _back(inspection):
    return redirect("inspection:detail", pk=inspection.pk)


def _act(request, inspection, action, success):
    try:
        action()
    except (Refused, TransitionRefused) as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, success)
    return _back(inspection)


@require_POST
@login_required
def approve(request, pk):
    inspection = get_inspection_for_user(request, pk)
    form = OpinionForm(request.POST)
    opinion = form.cleaned_data["opinion"] if form.is_valid() else ""
    return _act(
        request,
        inspection,
        lambda: inspection.approve(by=request.user, opinion=opinion),
        f"已批准检查任务 {inspection.number}，检查码已生成。",
    )


@require_POST
@login_required
def approve_many(request):
    """The bureau head approves the tasks ticked on the index page (e.g. a draw's) with one opinion."""
    form = OpinionForm(request.POST)
    opinion = form.cleaned_data["opinion"] if form.is_valid() else ""
    ids = [int(v) for v in request.POST.getlist("task") if v.isdigit()]
    done = 0
    for inspection in Inspection.objects.visible_to(request.user).filter(pk__in=ids).order_by("pk"):
        try:
            inspection.approve(by=request.user, opinion=opinion)
            done += 1
        except Refused as refused:
            for message in refused.messages:
                messages.error(request, f"{inspection.number}：{message}")
    if done:
        messages.success(request, f"已批准 {done} 项检查任务。")
    return redirect("inspection:index")


@require_POST
@login_required
def reject(request, pk):
    inspection = get_inspection_for_user(request, pk)
    form = OpinionForm(request.POST)
    opinion = form.cleaned_data["opinion"] if form.is_valid() else ""
    return _act(
        request, inspection, lambda: inspection.reject(by=request.user, opinion=opinion), "已不予批准。"
    )


STEP_LABELS = {Stage.INSPECTION_NOTIFIED: "已通知（检查通知书已送达）", Stage.INSPECTED: "现场检查已完成"}


@require_POST
@login_required
def advance(request, pk):
    """The two steps an officer confirms on the task page: notified, inspected (the gates decide)."""
    inspection = get_inspection_for_user(request, pk)
    target = request.POST.get("target", "")
    if target not in STEP_LABELS or inspection.case is None:
        messages.error(request, "无效的操作。")
        return _back(inspection)
    return _act(
        request,
        inspection,
        lambda: inspection.case.advance(target, actor=request.user),
        f"已记录：{STEP_LABELS[target]}。",
    )


@require_POST
@login_required
def result(request, pk):
    inspection = get_inspection_for_user(request, pk)
    form = ResultForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return _back(inspection)
    data = form.cleaned_data
    return _act(
        request,
        inspection,
        lambda: inspection.form_result(
            by=request.user,
            result=data["result"],
            summary=data["summary"],
            on=data["result_on"],
            rectify_by=data["rectify_by"],
            samples_taken=data["samples_taken"],
            test_report_on=data["test_report_on"],
            lead_title=data["lead_title"],
        ),
        "检查结果已登记。",
    )


@require_POST
@login_required
def test_report(request, pk):
    inspection = get_inspection_for_user(request, pk)
    form = DateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写检验报告出具日期。")
        return _back(inspection)
    return _act(
        request,
        inspection,
        lambda: inspection.record_test_report(by=request.user, on=form.cleaned_data["on"]),
        "已登记检验报告日期，公示期限自该日起算。",
    )


def _preview_page(request, inspection, shown, *, action, reason="", status=200):
    """The preview of a public text (publish or correct): the public name and text with each redaction
    marked, and the confirmation carrying the text and the preview's digest back."""
    confirm = ConfirmForm(
        initial={"public_summary": shown.written, "reason": reason, "preview_digest": shown.digest},
        auto_id="confirm_%s",
    )
    edit = (CorrectForm if action == "correct" else PublishForm)(
        initial={"public_summary": shown.written, "reason": reason}, auto_id="edit_%s"
    )
    context = {
        "inspection": inspection,
        "preview": shown,
        "action": action,
        "reason": reason,
        "confirm_form": confirm,
        "edit_form": edit,
    }
    return render(request, "inspection/publish_preview.html", context, status=status)


@require_POST
@login_required
def publish_preview(request, pk):
    """Step 1 of publishing: the officer's text as the public will read it (nothing is stored)."""
    inspection = get_inspection_for_user(request, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写公示内容（2000字以内）。")
        return _back(inspection)
    return _preview_page(
        request,
        inspection,
        inspection.preview_publication(form.cleaned_data["public_summary"]),
        action="publish",
    )


def _confirm(request, inspection, action, call, success):
    """Step 2: the confirmed preview goes to the domain; a changed preview is shown again, refused."""
    form = ConfirmForm(request.POST)
    data = (
        form.cleaned_data if form.is_valid() else {"public_summary": "", "reason": "", "preview_digest": ""}
    )
    try:
        call(data)
    except PreviewChanged as changed:
        show_refusal(request, changed)
        return _preview_page(
            request, inspection, changed.preview, action=action, reason=data.get("reason", ""), status=409
        )
    except (Refused, TransitionRefused) as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, success)
    return _back(inspection)


@require_POST
@login_required
def publish(request, pk):
    inspection = get_inspection_for_user(request, pk)
    return _confirm(
        request,
        inspection,
        "publish",
        lambda d: inspection.publish(
            by=request.user, public_summary=d["public_summary"], preview_digest=d["preview_digest"]
        ),
        "检查结果已在公示网站公示。",
    )


@require_POST
@login_required
def correct_preview(request, pk):
    inspection = get_inspection_for_user(request, pk)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写更正后的公示内容和更正理由。")
        return _back(inspection)
    shown = inspection.preview_publication(form.cleaned_data["public_summary"])
    return _preview_page(request, inspection, shown, action="correct", reason=form.cleaned_data["reason"])


@require_POST
@login_required
def correct(request, pk):
    inspection = get_inspection_for_user(request, pk)
    return _confirm(
        request,
        inspection,
        "correct",
        lambda d: inspection.correct_publication(
            by=request.user,
            public_summary=d["public_summary"],
            reason=d["reason"],
            preview_digest=d["preview_digest"],
        ),
        "已更正公示的检查结果，原公示内容保留在公示历史中。",
    )


@require_POST
@login_required
def withdraw(request, pk):
    inspection = get_inspection_for_user(request, pk)
    form = WithdrawForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"kind": "", "reason": ""}
    return _act(
        request,
        inspection,
        lambda: inspection.withdraw_publication(by=request.user, kind=data["kind"], reason=data["reason"]),
        "已撤回公示的检查结果，公示列表中保留该条目并显示撤回理由。",
    )


@require_POST
@login_required
def follow_up(request, pk):
    inspection = get_inspection_for_user(request, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写复查日期。")
        return _back(inspection)
    return _act(
        request,
        inspection,
        lambda: inspection.register_follow_up(by=request.user, planned_on=form.cleaned_data["planned_on"]),
        "整改复查任务已登记，待局负责人审批。",
    )


@require_POST
@login_required
def close(request, pk):
    inspection = get_inspection_for_user(request, pk)
    return _act(request, inspection, lambda: inspection.close(by=request.user), "检查已结案。")


@require_POST
@login_required
def cancel(request, pk):
    inspection = get_inspection_for_user(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        inspection,
        lambda: inspection.cancel(by=request.user, reason=reason),
        "检查任务已撤回或终止。",
    )
