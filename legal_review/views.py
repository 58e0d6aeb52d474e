"""Legal-review pages: the reviewer's queue, the review page, the handling unit's view of a case's review,
its actions (one URL each, POST only) and the statistics for supervisors. Views read input, call the domain
and show its Chinese answer (PRG with messages); the rules are model methods (models/) and gates.py."""

import logging
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from recording.access import document_pdf_name, get_document_for_user
from wuding_enforcement.audit.files import FileAltered, send_stored_file
from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.access import get_case_for_user
from wuding_enforcement.cases.workflow import TransitionRefused
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.models import Role, Staff
from wuding_enforcement.shared.chinese import cn_date
from wuding_enforcement.shared.form_problems import show_form_problems
from wuding_enforcement.shared.refusals import get_visible_or_404, show_refusal

from . import forms
from . import package as packaging
from . import prechecks as precheck_module
from .benchmarks import compare_case
from .criteria import DECISION_TYPES, major_status
from .gates import review_problems
from .models import (
    OUTCOMES,
    AdviserOpinion,
    ChecklistItem,
    CheckPoint,
    CollectiveReferral,
    MajorFlag,
    Objection,
    ReviewRound,
    RoundStatus,
)

HISTORY_ROWS = 20
logger = logging.getLogger("wuding.legal_review")


def _to_case(case):
    return redirect("legal_review:case", pk=case.pk)


# --- The reviewer's queue ----------------------------------------------------------------------------


@require_GET
@login_required
@role_required(Role.LEGAL_REVIEWER, Role.BUREAU_HEAD)
def index(request):
    """Queries: the open rounds (1), my returned rounds (1), my history (1), whatever the number of rows;
    plus the calendar table once for the working days left."""
    user = request.user
    today = timezone.localdate()
    is_head = user.has_role(Role.BUREAU_HEAD)
    open_rounds = ReviewRound.objects.open().for_rows().order_by("due_on", "pk")
    if not is_head:
        open_rounds = open_rounds.filter(Q(reviewer=user) | Q(status=RoundStatus.SUBMITTED))
    open_rounds = list(open_rounds)
    with calendar.cached():
        rows = [(r, _due(r, today)) for r in open_rounds]
    returned = list(
        ReviewRound.objects.for_rows()
        .filter(reviewer=user, status=RoundStatus.RETURNED)
        .exclude(Exists(ReviewRound.objects.filter(case=OuterRef("case"), number__gt=OuterRef("number"))))
        .order_by("-decided_at")
    )
    history = list(
        ReviewRound.objects.for_rows()
        .filter(reviewer=user, status__in=OUTCOMES)
        .select_related("opinion_document")
        .order_by("-decided_at")[:HISTORY_ROWS]
    )
    return render(
        request,
        "legal_review/index.html",
        {
            "unassigned": [row for row in rows if row[0].status == RoundStatus.SUBMITTED],
            "mine": [row for row in rows if row[0].status == RoundStatus.IN_REVIEW],
            "returned": returned,
            "history": history,
            "is_head": is_head,
            "reviewers": list(Staff.objects.with_role(Role.LEGAL_REVIEWER).order_by("username"))
            if is_head
            else [],
            "today": today,
        },
    )


def _due(review_round, today):
    """(label, css class) of an open round's due date."""
    if today > review_round.due_on:
        days = calendar.working_days_between(review_round.due_on, today)
        return f"已逾期 {max(days, 1)} 个工作日", "red"
    left = calendar.working_days_between(today, review_round.due_on)
    return f"剩余 {left} 个工作日", "amber" if left <= 3 else "ok"


# --- The handling unit's view of a case's review ------------------------------------------------------


@require_GET
@login_required
def case_review(request, pk):
    case = get_case_for_user(request, pk)
    user = request.user
    pkg = packaging.build(case)
    status = major_status(case, pkg.proposals)
    rounds = list(
        case.review_rounds.select_related("reviewer", "submitted_by", "opinion_document").prefetch_related(
            "checklist",
            Prefetch("objections", queryset=Objection.objects.select_related("by", "coordination__chair")),
            "adviser_opinions",
        )
    )
    latest = rounds[-1] if rounds else None
    can_write = case.may_work_on(user)
    is_head = user.has_role(Role.BUREAU_HEAD)
    discussions = list(
        case.collective_discussions.select_related("chair", "document").prefetch_related("participants")
    )
    context = {
        "case": case,
        "status": status,
        "pkg": pkg,
        "comparisons": compare_case(case, pkg.proposals, latest.base_amount if latest else None),
        "rounds": [(r, _checklist_rows(r)) for r in rounds],
        "latest": latest,
        "gate_problems": review_problems(case, pkg.proposals, status),
        "flags": MajorFlag.objects.filter(case=case).select_related("criterion", "flagged_by", "removed_by"),
        "referrals": CollectiveReferral.objects.filter(case=case).select_related("by"),
        "discussions": discussions,
        "decisions": [d for d in pkg.proposals if d.doc_type in DECISION_TYPES],
        "can_write": can_write,
        "is_head": is_head,
        "is_reviewer": latest is not None and latest.reviewer_id == user.pk,
        "submit_form": forms.SubmitForm(prefix="submit") if can_write else None,
        "flag_form": forms.FlagForm(prefix="flag") if can_write else None,
        "objection_form": forms.ObjectionForm(prefix="objection") if can_write else None,
        "coordination_form": forms.CoordinationForm(prefix="coord") if is_head else None,
        "collective_form": forms.CollectiveForm(prefix="collective") if is_head else None,
        "reason_form": forms.ReasonForm(prefix="reason") if is_head else None,
        "confirmation_text": packaging.CONFIRMATION_TEXT,
    }
    return render(request, "legal_review/case.html", context)


def _checklist_rows(review_round):
    items = {i.point: i for i in review_round.checklist.all()}
    return [(point, items.get(point.value)) for point in CheckPoint]


@require_POST
@login_required
def flag_add(request, pk):
    case = get_case_for_user(request, pk, write=True)
    form = forms.FlagForm(request.POST, prefix="flag")
    if not form.is_valid():
        show_form_problems(request, form)
        return _to_case(case)
    try:
        MajorFlag.add(
            case,
            by=request.user,
            criterion=form.cleaned_data["criterion"],
            reason=form.cleaned_data["reason"],
        )
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, "已标记为重大执法决定。")
    return _to_case(case)


@require_POST
@login_required
@role_required(Role.BUREAU_HEAD)
def flag_remove(request, pk, flag_pk):
    case = get_case_for_user(request, pk)
    flag = get_object_or_404(MajorFlag, pk=flag_pk, case=case)
    form = forms.ReasonForm(request.POST, prefix="reason")
    if not form.is_valid():
        show_form_problems(request, form)
        return _to_case(case)
    try:
        flag.remove(by=request.user, reason=form.cleaned_data["reason"])
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, "已撤销该标记。")
    return _to_case(case)


@require_POST
@login_required
@role_required(Role.BUREAU_HEAD)
def refer_collective(request, pk):
    case = get_case_for_user(request, pk)
    form = forms.ReasonForm(request.POST, prefix="reason")
    if not form.is_valid():
        show_form_problems(request, form)
        return _to_case(case)
    try:
        CollectiveReferral.refer(case, by=request.user, reason=form.cleaned_data["reason"])
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, "已决定本案提交局负责人集体讨论。")
    return _to_case(case)


@require_POST
@login_required
def submit(request, pk):
    case = get_case_for_user(request, pk, write=True)
    form = forms.SubmitForm(request.POST, prefix="submit")
    if not form.is_valid():
        show_form_problems(request, form)
        return _to_case(case)
    try:
        review_round = ReviewRound.submit(
            case,
            by=request.user,
            confirmed=form.cleaned_data["confirmed"],
            base_amount=form.cleaned_data["base_amount"],
            note=form.cleaned_data["note"],
        )
    except TransitionRefused as refused:
        show_refusal(request, refused)
    except IntegrityError:
        # Two submissions raced past the check; the constraint (one open round per case) kept one.
        logger.warning("second open review round refused by the constraint on case %s", case.pk)
        messages.error(request, "本案已有尚未完成的法制审核，请勿重复送审。")
    else:
        messages.success(
            request, f"已送审第{review_round.number}轮法制审核，审核期限至{cn_date(review_round.due_on)}。"
        )
    return _to_case(case)


@require_POST
@login_required
def object_to(request, pk, round_pk):
    case = get_case_for_user(request, pk, write=True)
    review_round = get_object_or_404(ReviewRound, pk=round_pk, case=case)
    form = forms.ObjectionForm(request.POST, prefix="objection")
    if not form.is_valid():
        show_form_problems(request, form)
        return _to_case(case)
    try:
        Objection.raise_objection(review_round, by=request.user, text=form.cleaned_data["text"])
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, "已提出异议，等待局负责人主持协调。")
    return _to_case(case)


@require_POST
@login_required
@role_required(Role.BUREAU_HEAD)
def coordinate(request, pk, objection_pk):
    from .models import Coordination

    case = get_case_for_user(request, pk)
    objection = get_object_or_404(Objection, pk=objection_pk, round__case=case)
    form = forms.CoordinationForm(request.POST, prefix="coord")
    if not form.is_valid():
        show_form_problems(request, form)
        return _to_case(case)
    try:
        Coordination.conclude(objection, by=request.user, **form.cleaned_data)
    except TransitionRefused as refused:
        show_refusal(request, refused)
    except IntegrityError:
        logger.warning("coordination of objection %s refused by a constraint", objection.pk)
        messages.error(request, "该异议已协调，或本案已有尚未完成的审核轮次。")
    else:
        messages.success(request, "已记录协调结果。")
    return _to_case(case)


@require_POST
@login_required
@role_required(Role.BUREAU_HEAD)
def collective(request, pk):
    from .models import CollectiveDiscussion

    case = get_case_for_user(request, pk)
    form = forms.CollectiveForm(request.POST, prefix="collective")
    if not form.is_valid():
        show_form_problems(request, form)
        return _to_case(case)
    try:
        CollectiveDiscussion.hold(case, by=request.user, **form.cleaned_data)
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, "已记录集体讨论并生成集体讨论记录。")
    return _to_case(case)


@require_POST
@login_required
def issue_decision(request, pk, doc_pk):
    """Issue the case's decision document through Document.issue (the review gate applies there, as on every
    path); the request does not wait on a broker for it."""
    case = get_case_for_user(request, pk, write=True)
    document = get_document_for_user(request, case, doc_pk, doc_type__in=DECISION_TYPES)
    try:
        issued = document.issue(by=request.user)
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, f"已签发{issued.type_title}（{issued.number}）。")
    return _to_case(case)


@require_GET
@login_required
def document_pdf(request, pk, doc_pk):
    """The PDF of an issued review document or decision of a case the user may see: classified documents
    only for those who may see the case's classified records, hash-checked and audited like every file."""
    case = get_case_for_user(request, pk)
    document = get_document_for_user(
        request,
        case,
        doc_pk,
        status="issued",
        doc_type__in=("review_opinion", "collective_record", *DECISION_TYPES),
    )
    if not document.pdf:
        raise Http404("文书没有PDF。")
    try:
        return send_stored_file(
            request,
            document.pdf,
            filename=document_pdf_name(document),
            content_type="application/pdf",
            action="recording.document.downloaded",
            obj=case,
            what="文书 PDF",
            detail={"document": document.pk},
            expected_sha256=document.pdf_sha256,
        )
    except FileAltered as exc:
        show_refusal(request, exc)
        return _to_case(case)


# --- The review page -------------------------------------------------------------------------------------


def _round_for_reviewer(request, round_pk):
    """The assigned reviewer, still holding the role, only; anyone else gets a 404 (`Hidden`, audited as
    legal_review.round.access_denied), so existence does not leak. The check is per round, so the page carries
    no role decorator of its own."""
    mine = ReviewRound.objects.for_rows().filter(reviewer=request.user)
    if not request.user.has_role(Role.LEGAL_REVIEWER):
        mine = mine.none()
    return get_visible_or_404(
        mine,
        what=f"法制审核轮次#{round_pk}",
        action="legal_review.round.access_denied",
        message="审核任务不存在或未分配给您。",
        detail={"round": round_pk, "path": request.path},
        pk=round_pk,
    )


@require_GET
@login_required
def round_review(request, round_pk):
    review_round = _round_for_reviewer(request, round_pk)
    case = review_round.case
    pkg = packaging.build(case)
    checks = precheck_module.run(case, pkg, base_amount=review_round.base_amount)
    rounds = list(
        case.review_rounds.select_related("reviewer", "opinion_document").prefetch_related(
            "checklist", "adviser_opinions"
        )
    )
    initial = {}
    previous = [r for r in rounds if r.number < review_round.number and r.status in OUTCOMES]
    if previous:
        for item in previous[-1].checklist.all():
            initial[f"point_{item.point}"] = item.result
            initial[f"comment_{item.point}"] = item.comment
    decide_form = forms.DecideForm(prefix="decide", initial=initial) if review_round.is_open else None
    return render(
        request,
        "legal_review/round.html",
        {
            "round": review_round,
            "case": case,
            "pkg": pkg,
            "prechecks": checks,
            "status": major_status(case, pkg.proposals),
            "comparisons": compare_case(case, pkg.proposals, review_round.base_amount),
            "rounds": [(r, _checklist_rows(r)) for r in rounds],
            "advisers": list(review_round.adviser_opinions.all()),
            "decide_form": decide_form,
            "ask_form": forms.AdviserAskForm(prefix="ask") if review_round.is_open else None,
            "answer_form": forms.AdviserOpinionForm(prefix="answer") if review_round.is_open else None,
            "due": _due(review_round, timezone.localdate()) if review_round.is_open else None,
        },
    )


@require_POST
@login_required
@role_required(Role.LEGAL_REVIEWER)
def decide(request, round_pk):
    review_round = _round_for_reviewer(request, round_pk)
    form = forms.DecideForm(request.POST, prefix="decide")
    if not form.is_valid():
        show_form_problems(request, form)
        return redirect("legal_review:round", round_pk=review_round.pk)
    try:
        review_round.decide(
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            opinion=form.cleaned_data["opinion"],
            points=form.points(),
            crime_suspected=form.cleaned_data["crime_suspected"],
        )
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(
            request,
            f"已作出审核结论“{review_round.get_status_display()}”，法制审核意见书{review_round.opinion_document.number}已签发。",
        )
    return redirect("legal_review:round", round_pk=review_round.pk)


@require_POST
@login_required
@role_required(Role.LEGAL_REVIEWER, Role.BUREAU_HEAD)
def assign(request, round_pk):
    """The bureau head assigns a reviewer; a reviewer takes an unassigned round (reviewer = self)."""
    review_round = get_object_or_404(ReviewRound.objects.select_related("case"), pk=round_pk)
    if request.user.has_role(Role.BUREAU_HEAD) and "reviewer" in request.POST:
        form = forms.AssignForm(request.POST)
        if not form.is_valid():
            show_form_problems(request, form)
            return redirect("legal_review:index")
        reviewer = form.cleaned_data["reviewer"]
    else:
        reviewer = request.user
    try:
        review_round.assign(reviewer, by=request.user)
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(
            request,
            f"{review_round.case.number} 第{review_round.number}轮审核已分配给{reviewer.display_name}。",
        )
    return redirect("legal_review:index")


@require_POST
@login_required
@role_required(Role.LEGAL_REVIEWER)
def adviser_ask(request, round_pk):
    review_round = _round_for_reviewer(request, round_pk)
    form = forms.AdviserAskForm(request.POST, prefix="ask")
    if form.is_valid():
        try:
            review_round.ask_adviser(by=request.user, **form.cleaned_data)
        except TransitionRefused as refused:
            show_refusal(request, refused)
        else:
            messages.success(request, "已记录征求意见事项。")
    else:
        show_form_problems(request, form)
    return redirect("legal_review:round", round_pk=review_round.pk)


@require_POST
@login_required
@role_required(Role.LEGAL_REVIEWER)
def adviser_answer(request, round_pk, item_pk):
    review_round = _round_for_reviewer(request, round_pk)
    item = get_object_or_404(AdviserOpinion, pk=item_pk, round=review_round)
    form = forms.AdviserOpinionForm(request.POST, prefix="answer")
    if form.is_valid():
        try:
            review_round.record_adviser_opinion(item, by=request.user, **form.cleaned_data)
        except TransitionRefused as refused:
            show_refusal(request, refused)
        else:
            messages.success(request, "已记录书面意见。")
    else:
        show_form_problems(request, form)
    return redirect("legal_review:round", round_pk=review_round.pk)


# --- Statistics -----------------------------------------------------------------------------------------


@require_GET
@login_required
@role_required(Role.BUREAU_HEAD, Role.LEGAL_REVIEWER)
def stats(request):
    """Counts by outcome, pass rate, the most common problems, average working days to an outcome."""
    decided = list(
        ReviewRound.objects.filter(status__in=OUTCOMES).values("status", "submitted_on", "decided_on")
    )
    counts = Counter(r["status"] for r in decided)
    open_count = ReviewRound.objects.open().count()
    with calendar.cached():
        days = [calendar.working_days_between(r["submitted_on"], r["decided_on"]) for r in decided]
    problems = (
        ChecklistItem.objects.filter(result="problem")
        .values("point")
        .annotate(n=Count("pk"))
        .order_by("-n", "point")
    )
    total = len(decided)
    return render(
        request,
        "legal_review/stats.html",
        {
            "total": total,
            "open_count": open_count,
            "counts": [
                (s, counts.get(s.value, 0))
                for s in (RoundStatus.APPROVED, RoundStatus.RETURNED, RoundStatus.REFUSED)
            ],
            "pass_rate": f"{counts.get(RoundStatus.APPROVED, 0) * 100 / total:.1f}%" if total else "—",
            "average_days": f"{sum(days) / len(days):.1f}" if days else "—",
            "problems": [(CheckPoint(p["point"]).label, p["point"], p["n"]) for p in problems],
        },
    )
