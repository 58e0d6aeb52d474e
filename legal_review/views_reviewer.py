"""The legal reviewer's pages: the queue, the review page of an assigned round, its actions (decide, assign,
advisers) and the statistics for supervisors. The rules are the models' methods (models/rounds.py)."""

import logging
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.workflow import TransitionRefused
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.models import Role, Staff
from wuding_enforcement.shared.form_problems import show_form_problems
from wuding_enforcement.shared.penalties import penalty_line
from wuding_enforcement.shared.refusals import get_visible_or_404, show_refusal

from . import forms
from . import package as packaging
from . import prechecks as precheck_module
from .benchmarks import compare_case
from .criteria import major_status
from .models import (
    OUTCOMES,
    AdviserOpinion,
    ChecklistItem,
    CheckPoint,
    ReviewRound,
    RoundStatus,
)

HISTORY_ROWS = 20
logger = logging.getLogger("wuding.legal_review")


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
        rows = [(r, r.due_label(today)) for r in open_rounds]
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


def checklist_rows(review_round):
    items = {i.point: i for i in review_round.checklist.all()}
    return [(point, items.get(point.value)) for point in CheckPoint]


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
    return _render_round(request, _round_for_reviewer(request, round_pk))


def _render_round(request, review_round, decide_form=None):
    """The review page; after a refused outcome it shows the reviewer's own input again (decide_form)."""
    case = review_round.case
    if review_round.is_open or not review_round.package:
        pkg = packaging.build(case)
        checks = precheck_module.run(case, pkg, base_amount=review_round.base_amount)
    else:
        # A closed round shows what was submitted and what the pre-check found when it was decided, not
        # the case as it stands today.
        pkg = packaging.as_submitted(case, review_round.package)
        checks = [precheck_module.PreCheck.from_json(p) for p in review_round.prechecks] or (
            precheck_module.run(case, pkg, base_amount=review_round.base_amount)
        )
    flagged = precheck_module.problems_by_point(checks)
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
    if decide_form is None and review_round.is_open:
        decide_form = forms.DecideForm(prefix="decide", initial=initial)
    return render(
        request,
        "legal_review/round.html",
        {
            "round": review_round,
            "case": case,
            "pkg": pkg,
            "proposal_line": penalty_line(pkg.proposal.data or {}) if pkg.proposal else "",
            "prechecks": checks,
            "flagged": flagged,
            "status": major_status(case, pkg.proposals),
            "comparisons": compare_case(case, pkg.proposals, review_round.base_amount),
            "rounds": [(r, checklist_rows(r)) for r in rounds],
            "advisers": list(review_round.adviser_opinions.all()),
            "decide_form": decide_form,
            "point_rows": decide_form.point_rows(flagged) if decide_form else [],
            "ask_form": forms.AdviserAskForm(prefix="ask") if review_round.is_open else None,
            "answer_form": forms.AdviserOpinionForm(prefix="answer") if review_round.is_open else None,
            "due": review_round.due_label(timezone.localdate()) if review_round.is_open else None,
        },
    )


@require_POST
@login_required
@role_required(Role.LEGAL_REVIEWER)
def decide(request, round_pk):
    """A refused outcome shows the page again with what the reviewer entered (nothing typed is lost) and
    the domain's reasons — among them, where a pre-check found a problem, the reason or the confirmation
    it still needs."""
    review_round = _round_for_reviewer(request, round_pk)
    form = forms.DecideForm(request.POST, prefix="decide")
    if not form.is_valid():
        show_form_problems(request, form)
        return _render_round(request, review_round, form)
    try:
        review_round.decide(
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            opinion=form.cleaned_data["opinion"],
            points=form.points(),
            crime_suspected=form.cleaned_data["crime_suspected"],
            override_reasons=form.override_reasons(),
            confirm_overrides=form.cleaned_data["confirm_overrides"],
        )
    except TransitionRefused as refused:
        show_refusal(request, refused)
        return _render_round(request, review_round, form)
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
