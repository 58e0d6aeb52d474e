"""Staff pages of the shared case: the list, the case page, and its actions (one URL each, POST only).

Views only read input, call the domain (Case.request_approval, Approval.give_opinion, Case.advance) and show
its Chinese answer; they never decide whether a move is allowed. After a POST they redirect (PRG), with the
outcome in the messages framework.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from wuding_enforcement.roster.models import Unit
from wuding_enforcement.shared.form_problems import show_form_problems
from wuding_enforcement.shared.refusals import show_refusal

from . import staff_cache
from .access import get_case_for_user
from .deadline_rows import next_open_deadlines
from .forms import (
    EXTENSION_KINDS,
    AdvanceForm,
    ApprovalRequestForm,
    CaseFilterForm,
    OfficerChangeForm,
    OpinionForm,
    advance_choices,
    approval_kinds_for,
)
from .models import (
    Approval,
    ApprovalKind,
    ApprovalOpinion,
    Case,
    CaseOfficer,
    CaseTransition,
    OfficerChange,
    PowerItem,
)
from .workflow import Stage, TransitionRefused

PAGE_SIZE = 25

logger = logging.getLogger("wuding.cases")

# The unbound filter form's HTML by the units it offers ((pk, name) of each active unit, read by the view on
# every request): rendering its widgets through the form templates cost a tenth of the list's time (one
# template per <option>), for the same HTML for everyone. A changed unit is a new key; a bound form (filters
# chosen) is rendered each time.
_UNBOUND_FILTERS: dict[tuple, str] = {}
_UNBOUND_FILTERS_MAX = 16


def filters_html(form: CaseFilterForm, units) -> str:
    """The filters' HTML (templates/cases/_filters.html); the unbound form's from the per-process memo."""
    if form.is_bound:
        return render_to_string("cases/_filters.html", {"form": form})
    key = tuple((u.pk, u.name) for u in units)
    html = _UNBOUND_FILTERS.get(key)
    if html is None:
        html = render_to_string("cases/_filters.html", {"form": form})
        if len(_UNBOUND_FILTERS) >= _UNBOUND_FILTERS_MAX:
            _UNBOUND_FILTERS.clear()
        _UNBOUND_FILTERS[key] = html
    return html


@require_GET
@login_required
def case_list(request):
    """The list's body (everything below the header) is cached per user, page and filters in the staff
    pages' section (cases/staff_cache.py): renewed by any change of what a staff page shows, keyed by today's
    date, and valid only until the first hours clock it shows as running ends (its status turns red then).
    The header (CSRF token, messages, the unread count) is rendered per request."""
    today = timezone.localdate()

    def build() -> str:
        return _case_list_body(request, today)

    body = staff_cache.cached_body(request, "cases:list", today, build)
    return render(request, "cases/case_list.html", {"body": body})


def _case_list_body(request, today) -> str:
    user = request.user
    units = list(Unit.objects.filter(is_active=True))
    form = CaseFilterForm(request.GET or None, units=units)
    cases = Case.objects.visible_to(user)
    if form.is_bound:
        cases = form.filter(cases, user)
    # The row's next deadline comes from the deadline table (one query for the page), so the page does not
    # prefetch everything every clock reads (documents, publications, review rounds ...) as for_rows() does.
    cases = (
        cases.select_related("handling_unit")
        .prefetch_related(
            "parties", Prefetch("assignments", queryset=CaseOfficer.objects.select_related("officer"))
        )
        .order_by("-lead_year", "-lead_seq")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = next_open_deadlines(page.object_list, today)
    html = render_to_string(
        "cases/_case_list_body.html",
        {"filters_html": filters_html(form, units), "page": page, "rows": rows, "query": request.GET},
    )
    return staff_cache.with_until(html, staff_cache.until([d for _, d in rows], timezone.now()))


@require_GET
@login_required
def case_detail(request, pk):
    user = request.user
    case = get_case_for_user(request, pk)
    today = timezone.localdate()
    prefetch_related_objects(
        [case],
        "parties",
        Prefetch(
            "assignments",
            queryset=CaseOfficer.objects.select_related("officer").prefetch_related("officer__certificates"),
        ),
        Prefetch("matters", queryset=PowerItem.objects.select_related("responsible_unit")),
        Prefetch("transitions", queryset=CaseTransition.objects.select_related("actor")),
        Prefetch(
            "approvals",
            queryset=Approval.objects.select_related("requested_by").prefetch_related(
                Prefetch("opinions", queryset=ApprovalOpinion.objects.select_related("by"))
            ),
        ),
        "pauses",
    )
    officers = [
        (
            assignment,
            [
                (c, c.status_label_on(today), c.is_valid_on(today))
                for c in assignment.officer.certificates.all()
            ],
        )
        for assignment in case.assignments.all()
    ]
    can_write = case.may_work_on(user)
    awaiting_me = set(Approval.objects.awaiting(user).filter(case=case).values_list("pk", flat=True))
    changes = {
        c.approval_id: c
        for c in OfficerChange.objects.filter(approval__case=case)
        .select_related("lead")
        .prefetch_related("officers")
    }
    approvals = [(a, a.pk in awaiting_me, changes.get(a.pk)) for a in case.approvals.all()]
    context = {
        "case": case,
        "today": today,
        "officers": officers,
        "approvals": approvals,
        "deadlines": case.deadlines(today),
        "can_write": can_write,
    }
    if can_write:
        direct, by_approval = advance_choices(case)
        kinds = approval_kinds_for(case)
        context.update(
            approval_form=ApprovalRequestForm(kinds=kinds, auto_id="id_approval_%s"),
            advance_form=AdvanceForm(targets=direct, auto_id="id_advance_%s") if direct else None,
            needs_approval=[Stage(t).label for t in by_approval],
            officer_change_form=OfficerChangeForm(case=case, auto_id="id_change_%s")
            if not case.approval_refusals(ApprovalKind.OFFICER_CHANGE)
            else None,
        )
    return render(request, "cases/case_detail.html", context)


def _back(request, case):
    """Back to the page the action was posted from (e.g. the recording workspace) when it names a safe
    local `next`; otherwise to the case page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("cases:detail", pk=case.pk)


@require_POST
@login_required
def request_approval(request, pk):
    case = get_case_for_user(request, pk, write=True)
    form = ApprovalRequestForm(request.POST)
    if not form.is_valid():
        show_form_problems(request, form)
        return _back(request, case)
    kind = form.cleaned_data["kind"]
    days = form.cleaned_data["days"] if kind in EXTENSION_KINDS else None
    try:
        case.request_approval(kind, by=request.user, reason=form.cleaned_data["reason"], days=days)
    except TransitionRefused as refused:
        show_refusal(request, refused)
    except IntegrityError:
        logger.warning("second pending %s approval refused by the constraint on case %s", kind, case.pk)
        # Two submissions at the same instant: the database's one-pending-per-kind constraint caught the
        # second one after the domain's check let both through.
        messages.error(request, f"本案已有待审批的“{ApprovalKind(kind).label}”，请勿重复提交。")
    else:
        messages.success(
            request, f"已提交“{ApprovalKind(kind).label}”，等待{case.handling_unit}负责人签署意见。"
        )
    return _back(request, case)


@require_POST
@login_required
def request_officer_change(request, pk):
    """变更承办人员: the proposed team goes to the unit head and the bureau head like any approval."""
    case = get_case_for_user(request, pk, write=True)
    form = OfficerChangeForm(request.POST, case=case)
    if not form.is_valid():
        show_form_problems(request, form)
        return _back(request, case)
    try:
        case.request_approval(
            ApprovalKind.OFFICER_CHANGE,
            by=request.user,
            reason=form.cleaned_data["reason"],
            officers=form.team(),
        )
    except TransitionRefused as refused:
        show_refusal(request, refused)
    except IntegrityError:
        logger.warning("second pending officer change refused by the constraint on case %s", case.pk)
        messages.error(request, "本案已有待审批的“变更承办人员审批”，请勿重复提交。")
    else:
        messages.success(request, f"已提交“变更承办人员审批”，等待{case.handling_unit}负责人签署意见。")
    return _back(request, case)


@require_POST
@login_required
def give_opinion(request, pk, approval_pk):
    case = get_case_for_user(request, pk)
    approval = get_object_or_404(Approval, pk=approval_pk, case=case)
    form = OpinionForm(request.POST)
    if not form.is_valid():
        show_form_problems(request, form)
        return _back(request, case)
    try:
        approval.give_opinion(
            request.user, agree=form.cleaned_data["agree"], opinion=form.cleaned_data["opinion"]
        )
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(
            request, f"已签署意见，“{approval.get_kind_display()}”{approval.get_status_display()}。"
        )
    return _back(request, case)


@require_POST
@login_required
def advance(request, pk):
    case = get_case_for_user(request, pk, write=True)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        show_form_problems(request, form)
        return _back(request, case)
    target = form.cleaned_data["target"]
    try:
        case.advance(
            target, actor=request.user, reason=form.cleaned_data["reason"], on=form.cleaned_data["on"]
        )
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, f"案件已转入“{Stage(target).label}”阶段。")
    return _back(request, case)
