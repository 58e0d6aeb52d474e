"""Pages of 案卷评查 and 通报 for the supervisors (政策法规股 reviewers, bureau heads); units answer items.

One way each (docs/architecture.md, "Refusals"): a supervisor-only page is `@role_required(*SUPERVISORS)`
(403 for anyone else); a notice or item the user may not see is a 404 from its getter (audited as `Hidden`); a
refused action is shown with `show_refusal`; the notice PDF leaves through `send_stored_file` (hash-checked,
audited)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.files import send_stored_file
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.shared.refusals import Refused, get_visible_or_404, show_refusal

from . import evaluation, notices
from .forms import NoticeForm, NoticeItemForm, RoundForm, ScoreSheetForm, TextForm
from .models import (
    SUPERVISORS,
    CaseEvaluation,
    EvaluationCriterion,
    EvaluationRound,
    NoticeItem,
    SupervisionNotice,
    is_supervisor,
)


@require_GET
@login_required
@role_required(*SUPERVISORS)
def rounds(request):
    items = EvaluationRound.objects.select_related("created_by").order_by("-created_at")
    return render(
        request,
        "supervision/rounds.html",
        {"rounds": items, "form": RoundForm(initial={"year": timezone.localdate().year})},
    )


@require_POST
@login_required
@role_required(*SUPERVISORS)
def round_start(request):
    form = RoundForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("supervision:rounds")
    data = form.cleaned_data
    try:
        round_ = evaluation.start_round(
            title=data["title"],
            year=data["year"],
            per_unit=data["per_unit"],
            seed=data["seed"],
            by=request.user,
        )
    except Refused as exc:
        show_refusal(request, exc)
        return redirect("supervision:rounds")
    messages.success(request, f"已抽取 {round_.evaluations.count()} 卷（随机种子 {round_.seed}）。")
    return redirect("supervision:round", round_.pk)


@require_GET
@login_required
@role_required(*SUPERVISORS)
def round_detail(request, pk):
    round_ = get_object_or_404(EvaluationRound, pk=pk)
    items = round_.evaluations.select_related("case__handling_unit", "evaluator")
    return render(
        request,
        "supervision/round.html",
        {"round": round_, "items": items, "rollup": evaluation.rollup(round_)},
    )


@login_required
@role_required(*SUPERVISORS)
def evaluate(request, pk):
    item = get_object_or_404(CaseEvaluation.objects.select_related("case", "round"), pk=pk)
    criteria = list(EvaluationCriterion.objects.filter(is_active=True))
    if request.method == "POST":
        sheet = ScoreSheetForm(request.POST, criteria=criteria)
        try:
            if not sheet.is_valid():
                raise Refused(sheet.problems())
            evaluation.score(item, by=request.user, **sheet.scores())
        except Refused as exc:
            show_refusal(request, exc)
            return render(
                request, "supervision/evaluate.html", {"item": item, "criteria": criteria}, status=400
            )
        messages.success(request, "评查结果已保存。")
        return redirect("supervision:round", item.round_id)
    return render(request, "supervision/evaluate.html", {"item": item, "criteria": criteria})


@require_GET
@login_required
def notice_list(request):
    supervisor = is_supervisor(request.user)
    return render(
        request,
        "supervision/notices.html",
        {
            "notices": SupervisionNotice.objects.visible_to(request.user).order_by("-created_at"),
            "supervisor": supervisor,
            "form": NoticeForm(),
            "overdue": (
                list(NoticeItem.objects.overdue().select_related("notice", "unit").order_by("due_on", "pk"))
                if supervisor
                else []
            ),
        },
    )


@require_POST
@login_required
@role_required(*SUPERVISORS)
def notice_create(request):
    form = NoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写通报标题和内容。")
        return redirect("supervision:notices")
    notice = SupervisionNotice.objects.create(created_by=request.user, **form.cleaned_data)
    record("supervision.notice.drafted", obj=notice)
    return redirect("supervision:notice", notice.pk)


def _notice_for(request, pk) -> SupervisionNotice:
    """The notice if the user may see it (SupervisionNotice.objects.visible_to), else a 404 (audited)."""
    return get_visible_or_404(
        SupervisionNotice.objects.visible_to(request.user),
        pk=pk,
        what=f"督查通报#{pk}",
        action="supervision.notice.access_denied",
        message="通报不存在或您无权查看。",
    )


def _item_for(request, pk) -> NoticeItem:
    return get_visible_or_404(
        NoticeItem.objects.visible_to(request.user).select_related("notice"),
        pk=pk,
        what=f"通报整改事项#{pk}",
        action="supervision.notice.access_denied",
        message="整改事项不存在或您无权查看。",
    )


@require_GET
@login_required
def notice_detail(request, pk):
    notice = _notice_for(request, pk)
    items = notice.items.select_related("unit", "answered_by", "closed_by").prefetch_related("escalations")
    return render(
        request,
        "supervision/notice.html",
        {
            "notice": notice,
            "rows": [{"item": item, "may_answer": item.answerable_by(request.user)} for item in items],
            "supervisor": is_supervisor(request.user),
            "item_form": NoticeItemForm(),
            "text_form": TextForm(),
        },
    )


@require_POST
@login_required
@role_required(*SUPERVISORS)
def notice_add_item(request, pk):
    notice = get_object_or_404(SupervisionNotice, pk=pk)
    form = NoticeItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择责任单位，填写问题和整改期限。")
        return redirect("supervision:notice", pk)
    try:
        notices.add_item(notice, by=request.user, **form.cleaned_data)
    except Refused as exc:
        show_refusal(request, exc)
    return redirect("supervision:notice", pk)


@require_POST
@login_required
@role_required(*SUPERVISORS)
def notice_issue(request, pk):
    notice = get_object_or_404(SupervisionNotice, pk=pk)
    try:
        notices.issue(notice, by=request.user)
        messages.success(request, "通报已签发。")
    except Refused as exc:
        show_refusal(request, exc)
    return redirect("supervision:notice", pk)


@require_GET
@login_required
def notice_pdf(request, pk):
    notice = _notice_for(request, pk)
    if not notice.pdf:
        raise Http404("通报尚未签发。")
    try:
        return send_stored_file(
            request,
            notice.pdf,
            filename=f"{notice.number}.pdf",
            content_type="application/pdf",
            action="supervision.notice.downloaded",
            obj=notice,
            what=f"督查通报{notice.number}",
            expected_sha256=notice.pdf_sha256,
        )
    except Refused as exc:
        show_refusal(request, exc)
        return redirect("supervision:notice", pk)


def _item_action(request, pk, action):
    item = _item_for(request, pk)
    form = TextForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写内容。")
        return redirect("supervision:notice", item.notice_id)
    try:
        action(item, form.cleaned_data)
        messages.success(request, "已保存。")
    except Refused as exc:
        show_refusal(request, exc)
    return redirect("supervision:notice", item.notice_id)


@require_POST
@login_required
def item_answer(request, pk):
    return _item_action(request, pk, lambda item, d: notices.answer(item, by=request.user, text=d["text"]))


@require_POST
@login_required
@role_required(*SUPERVISORS)
def item_close(request, pk):
    return _item_action(
        request, pk, lambda item, d: notices.close(item, by=request.user, note=d["text"], accept=d["accept"])
    )


@require_POST
@login_required
@role_required(*SUPERVISORS)
def item_escalate(request, pk):
    return _item_action(request, pk, lambda item, d: notices.escalate(item, by=request.user, note=d["text"]))
