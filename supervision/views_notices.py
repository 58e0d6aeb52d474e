"""Pages of 案卷评查 and 通报 for the supervisors (政策法规股 reviewers, bureau heads); units answer items."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.workflow import TransitionRefused

from . import evaluation, notices
from .forms import NoticeForm, NoticeItemForm, RoundForm, TextForm
from .models import CaseEvaluation, EvaluationCriterion, EvaluationRound, NoticeItem, SupervisionNotice


def _supervisor(request):
    if not notices.is_supervisor(request.user):
        raise PermissionDenied("仅政策法规股和局负责人可以使用监督检查功能。")


def _refused(request, exc):
    for message in exc.messages:
        messages.error(request, message)


@require_GET
@login_required
def rounds(request):
    _supervisor(request)
    items = EvaluationRound.objects.select_related("created_by").order_by("-created_at")
    return render(
        request,
        "supervision/rounds.html",
        {"rounds": items, "form": RoundForm(initial={"year": timezone.localdate().year})},
    )


@require_POST
@login_required
def round_start(request):
    _supervisor(request)
    form = RoundForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("supervision:rounds")
    data = form.cleaned_data
    round_ = evaluation.start_round(
        title=data["title"], year=data["year"], per_unit=data["per_unit"], seed=data["seed"], by=request.user
    )
    messages.success(request, f"已抽取 {round_.evaluations.count()} 卷（随机种子 {round_.seed}）。")
    return redirect("supervision:round", round_.pk)


@require_GET
@login_required
def round_detail(request, pk):
    _supervisor(request)
    round_ = get_object_or_404(EvaluationRound, pk=pk)
    items = round_.evaluations.select_related("case__handling_unit", "evaluator")
    return render(
        request,
        "supervision/round.html",
        {"round": round_, "items": items, "rollup": evaluation.rollup(round_)},
    )


@login_required
def evaluate(request, pk):
    _supervisor(request)
    item = get_object_or_404(CaseEvaluation.objects.select_related("case", "round"), pk=pk)
    criteria = list(EvaluationCriterion.objects.filter(is_active=True))
    if request.method == "POST":
        points, notes, problems = {}, {}, []
        for criterion in criteria:
            raw = request.POST.get(f"points_{criterion.pk}", "").strip()
            notes[criterion.pk] = request.POST.get(f"note_{criterion.pk}", "")
            if raw:
                try:
                    points[criterion.pk] = Decimal(raw)
                except InvalidOperation:
                    problems.append(f"“{criterion.text}”得分不是有效数字。")
        try:
            if problems:
                raise TransitionRefused(problems)
            evaluation.score(
                item, by=request.user, points=points, notes=notes, comment=request.POST.get("comment", "")
            )
        except TransitionRefused as exc:
            _refused(request, exc)
            return render(
                request,
                "supervision/evaluate.html",
                {"item": item, "criteria": criteria, "posted": request.POST},
                status=400,
            )
        messages.success(request, "评查结果已保存。")
        return redirect("supervision:round", item.round_id)
    return render(request, "supervision/evaluate.html", {"item": item, "criteria": criteria, "posted": {}})


@require_GET
@login_required
def notice_list(request):
    supervisor = notices.is_supervisor(request.user)
    qs = SupervisionNotice.objects.order_by("-created_at")
    if not supervisor:
        qs = qs.filter(items__unit=request.user.unit, number__gt="").distinct()
    return render(
        request,
        "supervision/notices.html",
        {
            "notices": qs,
            "supervisor": supervisor,
            "form": NoticeForm(),
            "overdue": list(notices.overdue_items()) if supervisor else [],
        },
    )


@require_POST
@login_required
def notice_create(request):
    _supervisor(request)
    form = NoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写通报标题和内容。")
        return redirect("supervision:notices")
    notice = SupervisionNotice.objects.create(created_by=request.user, **form.cleaned_data)
    record("supervision.notice.drafted", obj=notice)
    return redirect("supervision:notice", notice.pk)


def _notice_for(request, pk):
    notice = get_object_or_404(SupervisionNotice, pk=pk)
    if notices.is_supervisor(request.user):
        return notice
    if notice.number and notice.items.filter(unit=request.user.unit_id).exists():
        return notice
    raise Http404("通报不存在或您无权查看。")


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
            "items": items,
            "supervisor": notices.is_supervisor(request.user),
            "item_form": NoticeItemForm(),
            "text_form": TextForm(),
            "today": timezone.localdate(),
            "is_open": notices.is_open(notice),
        },
    )


@require_POST
@login_required
def notice_add_item(request, pk):
    _supervisor(request)
    notice = get_object_or_404(SupervisionNotice, pk=pk)
    if notice.number:
        messages.error(request, "通报已签发，不能再增加事项。")
        return redirect("supervision:notice", pk)
    form = NoticeItemForm(request.POST)
    if form.is_valid():
        NoticeItem.objects.create(notice=notice, **form.cleaned_data)
    else:
        messages.error(request, "请选择责任单位，填写问题和整改期限。")
    return redirect("supervision:notice", pk)


@require_POST
@login_required
def notice_issue(request, pk):
    notice = get_object_or_404(SupervisionNotice, pk=pk)
    try:
        notices.issue(notice, by=request.user)
        messages.success(request, "通报已签发。")
    except TransitionRefused as exc:
        _refused(request, exc)
    return redirect("supervision:notice", pk)


@require_GET
@login_required
def notice_pdf(request, pk):
    notice = _notice_for(request, pk)
    if not notice.pdf:
        raise Http404("通报尚未签发。")
    record("supervision.notice.downloaded", obj=notice)
    return FileResponse(
        notice.pdf.open("rb"),
        as_attachment=True,
        filename=f"{notice.number}.pdf",
        content_type="application/pdf",
    )


def _item_action(request, pk, action):
    item = get_object_or_404(NoticeItem.objects.select_related("notice"), pk=pk)
    _notice_for(request, item.notice_id)
    form = TextForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写内容。")
        return redirect("supervision:notice", item.notice_id)
    try:
        action(item, form.cleaned_data)
        messages.success(request, "已保存。")
    except TransitionRefused as exc:
        _refused(request, exc)
    return redirect("supervision:notice", item.notice_id)


@require_POST
@login_required
def item_answer(request, pk):
    return _item_action(request, pk, lambda item, d: notices.answer(item, by=request.user, text=d["text"]))


@require_POST
@login_required
def item_close(request, pk):
    return _item_action(
        request, pk, lambda item, d: notices.close(item, by=request.user, note=d["text"], accept=d["accept"])
    )


@require_POST
@login_required
def item_escalate(request, pk):
    return _item_action(request, pk, lambda item, d: notices.escalate(item, by=request.user, note=d["text"]))
