"""事后公开 pages: the public list, search, detail, print view, Atom feed, embeddable list, open data and error
reports (anonymous), and the staff review of publication drafts.

Anonymous pages read only Publication rows that were once published, and of those show content only while
currently published (status and end date checked in the query). Public pages are cached whole under the
publications' cache version, which every publish/withdraw/end renews; the key also
carries today's date, so an expired item leaves cached pages at midnight (publication.cached_page).
"""

import csv
import datetime
import json
import secrets
from functools import wraps

from csp.constants import NONE
from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.functional import cached_property
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wuding_enforcement.audit.api import client_ip, record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.cases.models import PartyKind
from wuding_enforcement.cases.workflow import TransitionRefused
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.models import Role, Unit
from wuding_enforcement.shared.penalties import PENALTY_LABELS

from . import publication as domain
from . import redaction
from .models import (
    ErrorReport,
    ErrorReportStatus,
    Publication,
    PublicationStatus,
    WithdrawalKind,
)

PER_PAGE = 20
SEARCH_COUNT_CAP = 1000
EMBED_ITEMS = 10
FEED_ITEMS = 50
REPORTS_PER_HOUR = 5
REVIEWER_ROLES = (Role.ADMIN, Role.BUREAU_HEAD, Role.UNIT_HEAD)


# --- Caching ----------------------------------------------------------------------------------------------


def _cacheable(request) -> bool:
    """Whole pages are cached for visitors without a session or pending messages: for them the page is the
    same for everyone (the public header shows no account, GET forms carry no CSRF token)."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def _page(request, variant: str, template: str, context_builder, content_type="text/html; charset=utf-8"):
    def build():
        return render_to_string(template, context_builder(), request=request)

    body = domain.cached_page(variant, build) if _cacheable(request) else build()
    return HttpResponse(body, content_type=content_type)


# --- Public: list and search -------------------------------------------------------------------------------


class SearchForm(forms.Form):
    party = forms.CharField(label="当事人", max_length=50, required=False)
    number = forms.CharField(label="决定书文号", max_length=60, required=False)
    violation = forms.CharField(label="违法行为类型", max_length=50, required=False)
    unit = forms.ModelChoiceField(
        label="承办单位", queryset=Unit.objects.none(), required=False, empty_label="全部"
    )
    date_from = forms.DateField(
        label="决定日期从", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).only("pk", "name")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return cleaned


def _filtered(form: SearchForm, qs):
    if not form.is_valid():
        return qs.none()
    data = form.cleaned_data
    return domain.search(
        qs,
        party=data["party"],
        number=data["number"],
        violation=data["violation"],
        unit=data["unit"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )


class CappedPaginator(Paginator):
    """A search result counts up to SEARCH_COUNT_CAP rows ("1000 余条"): an exact count of a common
    2-character term would visit every matching row, while the first pages need only the first few."""

    capped = False

    @cached_property
    def count(self):
        found = self.object_list[: SEARCH_COUNT_CAP + 1].count()
        self.capped = found > SEARCH_COUNT_CAP
        return min(found, SEARCH_COUNT_CAP)


def _variant(request, name: str) -> str:
    return name + "?" + "&".join(f"{k}={v}" for k, v in sorted(request.GET.items()))


SUMMARY_FIELDS = (
    "pk",
    "status",
    "document_number",
    "party_name",
    "party_kind",
    "violation_type",
    "penalty_content",
    "unit_name",
    "authority",
    "decided_on",
    "published_on",
    "withdrawal_reason",
    "withdrawal_kind",
    "withdrawn_at",
)


@require_GET
def publication_list(request):
    """行政处罚决定公示: the list with search. Queries on a cache miss: the units (search form), COUNT, the
    page of rows; none on a hit."""

    def context():
        form = SearchForm(request.GET or None)
        qs = _filtered(form, Publication.objects.listed()) if request.GET else Publication.objects.listed()
        paginator = (CappedPaginator if request.GET else Paginator)(
            qs.only(*SUMMARY_FIELDS).order_by("-published_on", "-pk"), PER_PAGE
        )
        page = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return {"form": form, "page": page, "query": query.urlencode(), "searched": bool(request.GET)}

    return _page(request, _variant(request, "list"), "disclosure/publication_list.html", context)


def _public_item(pk) -> Publication:
    """Anything once published (stale links say withdrawn/ended); drafts and never-published are 404."""
    item = Publication.objects.once_published().filter(pk=pk).first()
    if item is None:
        raise Http404("公示信息不存在。")
    return item


def _shown(item: Publication, today: datetime.date) -> bool:
    return item.status == PublicationStatus.PUBLISHED and item.ends_on > today


@require_GET
def publication_detail(request, pk):
    """One published decision: summary and redacted text; withdrawn or ended items say so, without content."""

    def context():
        item = _public_item(pk)
        today = timezone.localdate()
        return {"item": item, "shown": _shown(item, today), "today": today}

    return _page(request, f"detail:{pk}", "disclosure/publication_detail.html", context)


@require_GET
def publication_print(request, pk):
    def context():
        item = _public_item(pk)
        today = timezone.localdate()
        if not _shown(item, today):
            raise Http404("该公示信息已撤回或公示期已结束。")
        return {"item": item, "printed_on": today}

    return _page(request, f"print:{pk}", "disclosure/publication_print.html", context)


# --- Public: feed, embed, open data ------------------------------------------------------------------------


class PublicationFeed(Feed):
    feed_type = Atom1Feed
    title = f"{settings.BUREAU_NAME} 行政处罚决定公示"
    subtitle = "新公示的行政处罚决定（已依法隐去个人信息）"

    def link(self):
        return reverse("disclosure:publication_list")

    def items(self):
        return Publication.objects.current().order_by("-published_at", "-pk")[:FEED_ITEMS]

    def item_title(self, item):
        return f"{item.document_number} {item.party_name}"

    def item_description(self, item):
        return f"违法行为类型：{item.violation_type}；处罚内容：{item.penalty_content}；处罚机关：{item.authority}"

    def item_link(self, item):
        return reverse("disclosure:publication_detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


_feed = PublicationFeed()


@require_GET
def publication_feed(request):
    """Atom feed of new publications (cached like the pages: the feed changes when publications do)."""
    if not _cacheable(request):
        return _feed(request)
    body = domain.cached_page("feed", lambda: _feed(request).content.decode())
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


def embeddable(view):
    """Let the county government's portal frame this view: CSP frame-ancestors names the allowed origins
    (EMBED_ALLOWED_ORIGINS, read at request time) and X-Frame-Options is dropped for this view only. With no
    origins configured the page stays unframeable like every other."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        origins = list(settings.EMBED_ALLOWED_ORIGINS)
        if not origins:
            return csp_replace({"frame-ancestors": [NONE]})(view)(request, *args, **kwargs)
        return csp_replace({"frame-ancestors": origins})(xframe_options_exempt(view))(
            request, *args, **kwargs
        )

    return wrapped


@require_GET
@embeddable
def publication_embed(request):
    """The newest publications in a compact page for an iframe on the county government's portal."""

    def context():
        rows = list(
            Publication.objects.listed().only(*SUMMARY_FIELDS).order_by("-published_on", "-pk")[:EMBED_ITEMS]
        )
        return {"rows": rows}

    return _page(request, "embed", "disclosure/publication_embed.html", context)


OPEN_DATA_FIELDS = [
    ("document_number", "决定书文号"),
    ("party_name", "当事人"),
    ("credit_code", "统一社会信用代码"),
    ("legal_representative", "法定代表人（负责人）"),
    ("violation_type", "违法行为类型"),
    ("penalty_content", "处罚内容"),
    ("authority", "处罚机关"),
    ("unit_name", "承办单位"),
    ("decided_on", "处罚决定日期"),
    ("published_on", "公示日期"),
    ("ends_on", "公示截止日期"),
]


def _open_rows():
    """Currently published summaries only: withdrawn and expired items leave the exports (个人信息保护法)."""
    names = [name for name, _ in OPEN_DATA_FIELDS]
    for row in Publication.objects.current().order_by("-published_on", "-pk").values(*names).iterator(2000):
        yield {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in row.items()}


class _Echo:
    def write(self, value):
        return value


@require_GET
def open_data_csv(request):
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([label for _, label in OPEN_DATA_FIELDS])
        for row in _open_rows():
            yield writer.writerow([row[name] for name, _ in OPEN_DATA_FIELDS])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="publications.csv"'
    return response


@require_GET
def open_data_json(request):
    def chunks():
        meta = {
            "publisher": settings.BUREAU_NAME,
            "generated_on": timezone.localdate().isoformat(),
            "fields": dict(OPEN_DATA_FIELDS),
        }
        yield json.dumps(meta, ensure_ascii=False)[:-1] + ', "items": ['
        for i, row in enumerate(_open_rows()):
            yield ("," if i else "") + json.dumps(row, ensure_ascii=False)
        yield "]}"

    return StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")


# --- Public: error reports (纠错) -------------------------------------------------------------------------


class ErrorReportForm(forms.Form):
    name = forms.CharField(label="称呼（选填）", max_length=50, required=False)
    contact = forms.CharField(
        label="联系方式（选填）", max_length=100, required=False, help_text="便于我们核实和答复"
    )
    content = forms.CharField(
        label="您发现的问题",
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "请写明您发现的问题。",
            "min_length": "请把问题写得具体一些（至少5个字）。",
        },
    )
    # A field people do not see (hidden by CSS, skipped by keyboard): bots fill it in.
    website = forms.CharField(label="网址", required=False)


def _rate_limited(request) -> bool:
    key = f"disclosure:report-rate:{domain.ip_hash(client_ip(request) or 'unknown')}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3600)
        count = 1
    return count > REPORTS_PER_HOUR


@require_http_methods(["GET", "POST"])
def publication_report(request, pk):
    """Report an error in a published item (国办发〔2018〕118号: 纠错机制). Rate-limited per IP."""
    item = _public_item(pk)
    form = ErrorReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["website"]:
            form.add_error(None, "提交失败，请稍后再试。")
            status = 400
        elif _rate_limited(request):
            form.add_error(None, f"提交过于频繁：同一网络每小时最多提交{REPORTS_PER_HOUR}次，请稍后再试。")
            status = 429
        elif form.is_valid():
            report = ErrorReport.objects.create(
                publication=item,
                code=secrets.token_hex(5).upper(),
                name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"],
                content=form.cleaned_data["content"],
                ip_hash=domain.ip_hash(client_ip(request)),
            )
            record(
                "disclosure.error_report.received",
                obj=report,
                request=request,
                detail={"publication": item.pk, "code": report.code},
            )
            return redirect("disclosure:publication_report_status", code=report.code)
        else:
            status = 400
    return render(request, "disclosure/publication_report.html", {"item": item, "form": form}, status=status)


@require_GET
def publication_report_status(request, code):
    report = ErrorReport.objects.select_related("publication").filter(code=code.upper()).first()
    if report is None:
        raise Http404("没有找到该查询码。")
    return render(request, "disclosure/publication_report_status.html", {"report": report})


# --- Staff -------------------------------------------------------------------------------------------------


def get_publication_for_user(request, pk) -> Publication:
    """A publication the user may review, else 404 (existence does not leak; a refusal is audited)."""
    item = (
        Publication.objects.reviewable_by(request.user)
        .select_related("document", "case", "case__handling_unit", "published_by", "withdrawn_by", "ended_by")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        if Publication.objects.filter(pk=pk).exists():
            record(
                "disclosure.publication.access_denied",
                outcome=Outcome.DENIED,
                request=request,
                object_repr=f"公示#{pk}",
                detail={"publication": pk, "path": request.path},
            )
        raise Http404("公示信息不存在或您无权审核。")
    return item


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
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = []
    for item in page:
        corrected = domain.correction_date(item)
        rows.append(
            {
                "item": item,
                "deadline": domain.deadline_status(item, today)
                if item.status == PublicationStatus.DRAFT
                else None,
                "corrected_on": corrected,
                "withdraw_by": domain.withdrawal_due(item)
                if corrected and item.status == "published"
                else None,
            }
        )
    open_reports = ErrorReport.objects.filter(
        status=ErrorReportStatus.OPEN, publication__in=base.values("pk")
    ).count()
    return render(
        request,
        "disclosure/staff_publication_list.html",
        {"rows": rows, "page": page, "tab": tab, "open_reports": open_reports, "today": today},
    )


class RedactionForm(forms.Form):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(label="类别", choices=redaction.KIND_CHOICES)


class RedactTextForm(forms.Form):
    needle = forms.CharField(label="要隐去的文字", max_length=200)
    kind = forms.ChoiceField(label="类别", choices=redaction.KIND_CHOICES, initial=redaction.NAME)


class RemoveRedactionForm(forms.Form):
    reason = forms.CharField(label="取消理由", max_length=200)


class WithdrawForm(forms.Form):
    kind = forms.ChoiceField(label="撤回原因", choices=WithdrawalKind.choices)
    reason = forms.CharField(
        label="撤回理由（向社会公开）", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    event_on = forms.DateField(
        label="决定被变更、撤销或确认违法、无效的日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class EarlyEndForm(forms.Form):
    performed = forms.BooleanField(label=domain.EARLY_END_CONDITIONS[0][1], required=False)
    remedied = forms.BooleanField(label=domain.EARLY_END_CONDITIONS[1][1], required=False)
    no_repeat = forms.BooleanField(label=domain.EARLY_END_CONDITIONS[2][1], required=False)
    not_untrustworthy = forms.BooleanField(label=domain.EARLY_END_CONDITIONS[3][1], required=False)
    request_on = forms.DateField(label="当事人申请日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label="审核意见", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label="不予公示的理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
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
    active = [r for r in redactions if r.removed_at is None]
    spans = [redaction.Span(r.start, r.end, r.kind, r.replacement) for r in active]
    is_draft = item.status == PublicationStatus.DRAFT
    flags = domain.review_flags(item) if is_draft else []
    preview = redaction.apply(item.original_text, spans) if is_draft else item.published_text
    context = {
        "item": item,
        "original_segments": _segments_with_offsets(item.original_text, spans, flags),
        "preview": preview,
        "redactions": redactions,
        "flag_rows": [{"flag": f, "text": item.original_text[f.start : f.end]} for f in flags],
        "kind_labels": redaction.KIND_LABELS,
        "is_draft": is_draft,
        "problems": domain.publish_problems(item) if is_draft else [],
        "deadline": domain.deadline_status(item) if is_draft else None,
        "withdraw_due": domain.withdrawal_due(item),
        "text_form": RedactTextForm(),
        "withdraw_form": WithdrawForm(),
        "early_form": EarlyEndForm(),
        "close_form": CloseForm(),
        "early_blocked": sorted(set(item.penalty_types) & domain.NO_EARLY_END_TYPES),
        "penalty_labels": PENALTY_LABELS,
        "reports": list(item.error_reports.select_related("replied_by")),
        "person_party": item.party_kind == PartyKind.PERSON,
    }
    return render(request, "disclosure/staff_publication_detail.html", context)


def _act(request, item, action, success: str):
    try:
        action()
    except TransitionRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("disclosure:staff_publication_detail", pk=item.pk)


def _form_errors(request, form, item):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("disclosure:staff_publication_detail", pk=item.pk)


@require_POST
@login_required
def staff_redaction_add(request, pk):
    item = get_publication_for_user(request, pk)
    form = RedactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "所选位置或类别无效，请重新选择。")
        return redirect("disclosure:staff_publication_detail", pk=item.pk)
    data = form.cleaned_data
    return _act(
        request,
        item,
        lambda: domain.add_redaction(
            item, by=request.user, start=data["start"], end=data["end"], kind=data["kind"]
        ),
        "已隐去所选内容。",
    )


@require_POST
@login_required
def staff_redaction_add_text(request, pk):
    item = get_publication_for_user(request, pk)
    form = RedactTextForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, item)
    data = form.cleaned_data
    return _act(
        request,
        item,
        lambda: domain.add_redactions_of_text(
            item, by=request.user, needle=data["needle"], kind=data["kind"]
        ),
        f"已隐去原文中所有“{data['needle']}”。",
    )


@require_POST
@login_required
def staff_redaction_remove(request, pk, redaction_pk):
    item = get_publication_for_user(request, pk)
    form = RemoveRedactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请写明取消隐去的理由。")
        return redirect("disclosure:staff_publication_detail", pk=item.pk)
    return _act(
        request,
        item,
        lambda: domain.remove_redaction(
            item, by=request.user, redaction_id=redaction_pk, reason=form.cleaned_data["reason"]
        ),
        "已取消该处隐去，记录保留。",
    )


@require_POST
@login_required
def staff_publication_publish(request, pk):
    item = get_publication_for_user(request, pk)
    return _act(request, item, lambda: domain.publish(item, by=request.user), "已公示。")


@require_POST
@login_required
def staff_publication_withdraw(request, pk):
    item = get_publication_for_user(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, item)
    data = form.cleaned_data
    return _act(
        request,
        item,
        lambda: domain.withdraw(
            item, by=request.user, kind=data["kind"], reason=data["reason"], event_on=data["event_on"]
        ),
        "已撤回公示，公示列表中保留该条目并显示撤回理由。",
    )


@require_POST
@login_required
def staff_publication_end_early(request, pk):
    item = get_publication_for_user(request, pk)
    form = EarlyEndForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, item)
    data = form.cleaned_data
    return _act(
        request,
        item,
        lambda: domain.end_early(
            item, by=request.user, confirmations=data, request_on=data["request_on"], note=data["note"]
        ),
        "已提前停止公示。",
    )


@require_POST
@login_required
def staff_publication_close(request, pk):
    item = get_publication_for_user(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, item)
    return _act(
        request,
        item,
        lambda: domain.close_without_publishing(item, by=request.user, reason=form.cleaned_data["reason"]),
        "已决定不予公示，记录保留。",
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(label="答复", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    corrected = forms.BooleanField(label="已据此更正公示信息", required=False)


@require_GET
@login_required
@role_required(*REVIEWER_ROLES)
def staff_report_list(request):
    """Error reports on publications the user reviews, open first. Queries: COUNT, the page (+ publication)."""
    base = Publication.objects.reviewable_by(request.user)
    qs = (
        ErrorReport.objects.filter(publication__in=base.values("pk"))
        .select_related("publication")
        .defer("publication__original_text", "publication__published_text", "publication__search_grams")
        .order_by("-status", "-created_at")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "disclosure/staff_publication_reports.html", {"page": page, "form": ReplyForm()})


@require_POST
@login_required
def staff_report_reply(request, report_pk):
    report = ErrorReport.objects.filter(pk=report_pk).select_related("publication").first()
    if report is None:
        raise Http404("纠错信息不存在。")
    get_publication_for_user(request, report.publication_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写答复内容。")
        return redirect("disclosure:staff_report_list")
    report.reply = form.cleaned_data["reply"]
    report.corrected = form.cleaned_data["corrected"]
    report.status = ErrorReportStatus.ANSWERED
    report.replied_at = timezone.now()
    report.replied_by = request.user
    report._change_reason = "disclosure.error_report.answered"
    report._history_user = request.user
    report.save()
    record(
        "disclosure.error_report.answered",
        obj=report,
        actor=request.user,
        detail={"publication": report.publication_id, "code": report.code, "corrected": report.corrected},
    )
    messages.success(request, f"已答复纠错（查询码 {report.code}）。")
    return redirect("disclosure:staff_report_list")
