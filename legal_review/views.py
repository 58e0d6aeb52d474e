"""Legal-review pages of a case: the handling unit's (and the bureau head's) view of a case's review and its
actions (one URL each, POST only); the reviewer's pages are views_reviewer.py. Views read input, call the domain
and show its Chinese answer (PRG with messages); the rules are model methods (models/) and gates.py."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from recording.access import document_pdf_name, get_document_for_user
from wuding_enforcement.audit.files import FileAltered, send_stored_file
from wuding_enforcement.cases.access import get_case_for_user
from wuding_enforcement.cases.workflow import TransitionRefused
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared.chinese import cn_date
from wuding_enforcement.shared.form_problems import show_form_problems
from wuding_enforcement.shared.refusals import show_refusal

from . import forms
from . import package as packaging
from .benchmarks import compare_case
from .criteria import DECISION_TYPES, major_status
from .gates import review_problems
from .models import (
    CollectiveReferral,
    MajorFlag,
    Objection,
    ReviewRound,
)
from .views_reviewer import checklist_rows

HISTORY_ROWS = 20
logger = logging.getLogger("wuding.legal_review")


def _to_case(case):
    return redirect("legal_review:case", pk=case.pk)


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
        "rounds": [(r, checklist_rows(r)) for r in rounds],
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
