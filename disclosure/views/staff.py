"""The public site's staff pages: the review of publication drafts (redactions, publish, withdraw, early end,
not publishing), answering 纠错, publishing the annual statistics, and downloading certificate QR codes.

Views stay thin: each fetches its object through a permission-scoped getter (a publication the user does not
review is a 404, audited as disclosure.publication.access_denied by the audit middleware), reads the form and
calls the model method, which refuses with Chinese reasons (shown with show_refusal) whatever path calls it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from wuding_enforcement.cases.models import PartyKind
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.models import Certificate, Role
from wuding_enforcement.shared.refusals import Refused, get_visible_or_404, show_refusal

from .. import redaction, statistics
from ..deadlines import deadline_status, withdrawal_deadline
from ..forms import (
    CloseForm,
    DecisionChangeForm,
    EarlyEndForm,
    RedactionForm,
    RedactTextForm,
    RemoveRedactionForm,
    ReplyForm,
    WithdrawForm,
)
from ..models import AnnualReport, DecisionChange, ErrorReport, Publication, PublicationStatus
from ..signing import qr_png, qr_svg, signed_certificate_url

# Who reviews publications (and answers 纠错, and exports to the credit system): Publication.reviewable_by.
REVIEWER_ROLES = (Role.ADMIN, Role.BUREAU_HEAD, Role.UNIT_HEAD)


# --- Getters ---------------------------------------------------------------------------------------------


def get_publication_for_user(request, pk) -> Publication:
    """A publication the user may review; else 404 (Hidden, audited, when it exists: existence does not leak)."""
    visible = Publication.objects.reviewable_by(request.user).select_related(
        "document", "case", "case__handling_unit", "published_by", "withdrawn_by", "ended_by"
    )
    return get_visible_or_404(
        visible,
        what=f"公示#{pk}",
        action="disclosure.publication.access_denied",
        message="公示信息不存在或您无权审核。",
        detail={"publication": pk, "path": request.path},
        pk=pk,
    )


def get_error_report_for_user(request, pk) -> ErrorReport:
    """A 纠错 on a publication the user reviews; else 404 (Hidden, audited, when it exists)."""
    return get_visible_or_404(
        ErrorReport.objects.answerable_by(request.user).select_related("publication"),
        what=f"纠错#{pk}",
        action="disclosure.error_report.access_denied",
        message="纠错信息不存在或您无权处理。",
        detail={"error_report": pk, "path": request.path},
        pk=pk,
    )


def get_certificate_for_qr(
    request, number, *, action="disclosure.certificate_qr.access_denied"
) -> Certificate:
    """A certificate whose signed QR code (and 核验卡) the user may have: Certificate.objects.printable_by — their
    own, or any for an admin; else 404 (Hidden, audited as `action`, when it exists)."""
    return get_visible_or_404(
        Certificate.objects.printable_by(request.user).select_related("holder", "unit"),
        what=f"执法证件{number}",
        action=action,
        message="未找到该执法证件。",
        detail={"number": number, "path": request.path},
        number=number,
    )


# --- The review of publications -----------------------------------------------------------------------------


def _publication_row(item: Publication, today):
    corrected = item.withdrawal_event()
    published = item.status == PublicationStatus.PUBLISHED
    return {
        "item": item,
        "deadline": deadline_status(item, today) if item.is_draft else None,
        "corrected_on": corrected,
        "withdrawal": withdrawal_deadline(item, today) if corrected and published else None,
    }


@require_GET
@login_required
@role_required(*REVIEWER_ROLES)
def staff_publication_list(request):
    """Drafts with their deadline flag, published items whose decision was corrected (to withdraw), and the
    rest. Queries: the page of publications (+ document and its correction), COUNT, open error reports."""
    today = timezone.localdate()
    tab = request.GET.get("tab", "drafts")
    base = Publication.objects.reviewable_by(request.user)
    if tab == "published":
        qs = base.filter(status=PublicationStatus.PUBLISHED).order_by("-published_on", "-pk")
    elif tab == "closed":
        qs = base.exclude(status__in=[PublicationStatus.DRAFT, PublicationStatus.PUBLISHED]).order_by("-pk")
    else:
        tab = "drafts"
        qs = base.filter(status=PublicationStatus.DRAFT).order_by("due_on", "pk")
    qs = qs.select_related("document__superseded_by").defer("original_text", "published_text", "search_grams")
    listed = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [_publication_row(item, today) for item in listed]
    open_reports = ErrorReport.objects.answerable_by(request.user).open().count()
    return render(
        request,
        "disclosure/staff_publication_list.html",
        {"rows": rows, "page": listed, "tab": tab, "open_reports": open_reports},
    )


def _segments_with_offsets(text, spans, flags):
    out, pos = [], 0
    for piece, obj, role in redaction.segments(text, spans, flags):
        out.append({"text": piece, "obj": obj, "role": role, "start": pos})
        pos += len(piece)
    return out


@require_GET
@login_required
def staff_publication_detail(request, pk):
    """Original and redacted text side by side, the redaction log, the reviewer's flags, the actions."""
    item = get_publication_for_user(request, pk)
    redactions = list(item.redactions.select_related("created_by", "removed_by").order_by("start", "pk"))
    spans = [redaction.Span(r.start, r.end, r.kind, r.replacement) for r in redactions if r.is_active]
    flags = item.review_flags() if item.is_draft else []
    context = {
        "item": item,
        "original_segments": _segments_with_offsets(item.original_text, spans, flags),
        "preview": redaction.apply(item.original_text, spans) if item.is_draft else item.published_text,
        "redactions": redactions,
        "flag_rows": [{"flag": f, "text": item.original_text[f.start : f.end]} for f in flags],
        "kind_labels": redaction.KIND_LABELS,
        "is_draft": item.is_draft,
        "problems": item.publish_problems() if item.is_draft else [],
        "deadline": deadline_status(item) if item.is_draft else None,
        "withdraw_due": item.withdrawal_due(),
        "text_form": RedactTextForm(),
        "withdraw_form": WithdrawForm(),
        "change_form": DecisionChangeForm(prefix="change"),
        "changes": list(item.changes.all()),
        "early_form": EarlyEndForm(),
        "close_form": CloseForm(),
        "reports": list(item.error_reports.select_related("replied_by")),
        "person_party": item.party_kind == PartyKind.PERSON,
    }
    return render(request, "disclosure/staff_publication_detail.html", context)


def _back(item):
    return redirect("disclosure:staff_publication_detail", pk=item.pk)


def _act(request, item, action, success: str):
    """Run a review action; its refusal (the model's Chinese reasons) becomes messages."""
    try:
        action()
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, success)
    return _back(item)


def _invalid(request, form, item, message: str | None = None):
    """The form's own errors (or one message) shown like a refusal."""
    show_refusal(request, ValidationError(message or form.errors.as_data()))
    return _back(item)


@require_POST
@login_required
def staff_redaction_add(request, pk):
    item = get_publication_for_user(request, pk)
    form = RedactionForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, item, "所选位置或类别无效，请重新选择。")
    data = form.cleaned_data
    return _act(
        request,
        item,
        lambda: item.add_redaction(by=request.user, start=data["start"], end=data["end"], kind=data["kind"]),
        "已隐去所选内容。",
    )


@require_POST
@login_required
def staff_redaction_add_text(request, pk):
    item = get_publication_for_user(request, pk)
    form = RedactTextForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, item)
    data = form.cleaned_data
    return _act(
        request,
        item,
        lambda: item.add_redactions_of_text(by=request.user, needle=data["needle"], kind=data["kind"]),
        f"已隐去原文中所有“{data['needle']}”。",
    )


@require_POST
@login_required
def staff_redaction_remove(request, pk, redaction_pk):
    item = get_publication_for_user(request, pk)
    form = RemoveRedactionForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, item, "请写明取消隐去的理由。")
    return _act(
        request,
        item,
        lambda: item.remove_redaction(
            by=request.user, redaction_id=redaction_pk, reason=form.cleaned_data["reason"]
        ),
        "已取消该处隐去，记录保留。",
    )


@require_POST
@login_required
def staff_publication_publish(request, pk):
    item = get_publication_for_user(request, pk)
    return _act(request, item, lambda: item.publish(by=request.user), "已公示。")


@require_POST
@login_required
def staff_publication_withdraw(request, pk):
    item = get_publication_for_user(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, item)
    data = form.cleaned_data
    return _act(
        request,
        item,
        lambda: item.withdraw(
            by=request.user, kind=data["kind"], reason=data["reason"], event_on=data["event_on"]
        ),
        "已撤回公示，公示列表中保留该条目并显示撤回理由。",
    )


@require_POST
@login_required
def staff_publication_change(request, pk):
    """登记 a 复议决定, an effective judgment, a self-correction or a superior's order that changed the
    decision: the withdrawal clock starts from the date it reached the bureau."""
    item = get_publication_for_user(request, pk)
    form = DecisionChangeForm(request.POST, prefix="change")
    if not form.is_valid():
        return _invalid(request, form, item)
    data = form.cleaned_data
    return _act(
        request,
        item,
        lambda: DecisionChange.record_change(item, by=request.user, **data),
        "已登记。请在期限内撤回公示并说明理由。",
    )


@require_POST
@login_required
def staff_publication_end_early(request, pk):
    item = get_publication_for_user(request, pk)
    form = EarlyEndForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, item)
    data = form.cleaned_data
    return _act(
        request,
        item,
        lambda: item.end_early(
            by=request.user, confirmations=data, request_on=data["request_on"], note=data["note"]
        ),
        "已提前停止公示。",
    )


@require_POST
@login_required
def staff_publication_close(request, pk):
    item = get_publication_for_user(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, item)
    return _act(
        request,
        item,
        lambda: item.close_without_publishing(by=request.user, reason=form.cleaned_data["reason"]),
        "已决定不予公示，记录保留。",
    )


# --- 纠错 -----------------------------------------------------------------------------------------------------


@require_GET
@login_required
@role_required(*REVIEWER_ROLES)
def staff_report_list(request):
    """Error reports on publications the user reviews, open first. Queries: COUNT, the page (+ publication and
    who answered)."""
    qs = (
        ErrorReport.objects.answerable_by(request.user)
        .select_related("publication", "replied_by")
        .defer("publication__original_text", "publication__published_text", "publication__search_grams")
        .order_by("-status", "-created_at")
    )
    listed = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "disclosure/staff_publication_reports.html", {"page": listed, "form": ReplyForm()})


@require_POST
@login_required
def staff_report_reply(request, report_pk):
    report = get_error_report_for_user(request, report_pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        show_refusal(request, ValidationError("请填写答复内容。"))
        return redirect("disclosure:staff_report_list")
    try:
        report.answer(
            by=request.user, reply=form.cleaned_data["reply"], corrected=form.cleaned_data["corrected"]
        )
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, f"已答复纠错（查询码 {report.code}）。")
    return redirect("disclosure:staff_report_list")


# --- 年度统计: the 31 January flag and publishing ------------------------------------------------------------


@require_GET
@login_required
@role_required(Role.ADMIN, Role.BUREAU_HEAD)
def statistics_staff(request):
    due = statistics.due_state()
    report = AnnualReport.objects.filter(year=due.year).first()
    figures = statistics.compute_year(due.year, report=report)
    return render(
        request,
        "disclosure/statistics_staff.html",
        {"due": due, "report": report, "figures": figures, "reports": list(AnnualReport.objects.all())},
    )


@require_POST
@login_required
@role_required(Role.ADMIN, Role.BUREAU_HEAD)
def statistics_publish(request, year):
    try:
        AnnualReport.publish_year(year, by=request.user)
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, f"{year}年度行政执法统计已发布。")
    return redirect("disclosure:statistics_staff")


# --- Certificate QR codes ------------------------------------------------------------------------------------


@require_GET
@login_required
def certificate_qr(request, number, fmt):
    """The signed QR code of a certificate for badges, notices and documents: its holder may download their
    own, admins any (SVG for print, PNG for office documents)."""
    if fmt not in ("svg", "png"):
        raise Http404("未找到该执法证件。")
    cert = get_certificate_for_qr(request, number)
    url = signed_certificate_url(cert.number)
    if fmt == "svg":
        response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr_png(url), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.number}-qr.{fmt}"'
    return response
