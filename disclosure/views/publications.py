"""事后公开, the public pages (docs/domain.md §1): the list with search, a decision's page and print view, and
纠错 (error reports) with their follow-up by code.

Anonymous pages read only Publication rows that were once published, and of those show content only while
currently published (Publication.is_shown; the lists filter the same in the query). Pages are cached whole in
the publications section (disclosure/sections.py), which every publish/withdraw/end renews; the keys carry
today's date, so an expired item leaves cached pages at midnight.
"""

import logging

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from wuding_enforcement.audit.api import client_ip
from wuding_enforcement.shared.paginator import BoundedPaginator
from wuding_enforcement.shared.ratelimit import RateLimit
from wuding_enforcement.shared.refusals import Refused, show_refusal

from .. import search
from ..forms import ErrorReportForm, SearchForm
from ..models import ErrorReport, Publication
from ..sections import PUBLICATIONS, publication_key
from .pages import query_variant, whole_page

logger = logging.getLogger("wuding.disclosure")

PER_PAGE = 20
# The list's order (index disclosure_pub_listed_idx).
LIST_ORDER = ("-published_on", "-pk")
# Rows a search counts past the start of the page shown ("1000 余条" beyond it; BoundedPaginator).
SEARCH_COUNT_CAP = 1000
REPORTS_PER_HOUR = 5
REPORT_LIMIT = RateLimit("disclosure.error_report", limit=REPORTS_PER_HOUR, window=3600)

# What a list row shows: the summary, never the texts.
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
    """行政处罚决定公示: the list with search. Queries on a cache miss: the units (search form), the count
    (the unfiltered list's exact total is cached in the section; a search's is bounded, BoundedPaginator),
    the page of rows (past page 1: the page's ids on the index, then their rows); none on a hit. A search finding more than search.SMALL_RESULT rows reads its page newest
    first instead (the window's start, the page; and the indexed page when the window falls short). The index
    behind the order: disclosure_pub_listed_idx."""

    def context():
        form = SearchForm(request.GET or None)
        listed = Publication.objects.listed()
        qs = form.search(listed) if request.GET else listed
        # A page number alone is not a search: the list keeps its exact total on every page.
        searched = any(value for key, value in request.GET.items() if key != "page")
        total = None if searched else int(PUBLICATIONS.page("count:listed", lambda: str(listed.count())))
        paginator = BoundedPaginator(
            qs.only(*SUMMARY_FIELDS).order_by(*LIST_ORDER),
            PER_PAGE,
            bound=SEARCH_COUNT_CAP,
            page=request.GET.get("page"),
            total=total,
        )
        found = paginator.get_page(request.GET.get("page"))
        if not searched and found.number > 1:
            read_by_keys(found)
        if searched and form.is_valid() and (paginator.capped or paginator.count > search.SMALL_RESULT):
            # A large result: its page read newest first over a window of the newest decisions
            # (disclosure/search.py), exactly the rows above, without fetching every match.
            start = search.window_start(listed, LIST_ORDER)
            window = listed if start is None else listed.filter(published_on__gte=start)
            search.read_newest_first(
                found, form.search(window, indexed=False).only(*SUMMARY_FIELDS).order_by(*LIST_ORDER)
            )
        query = request.GET.copy()
        query.pop("page", None)
        return {"form": form, "page": found, "query": query.urlencode(), "searched": searched}

    return whole_page(
        request, PUBLICATIONS, query_variant(request, "list"), "disclosure/publication_list.html", context
    )


def read_by_keys(page) -> None:
    """Fill a page of the unfiltered list from its rows' ids: the ids by an index-only scan of the list's index
    (disclosure_pub_listed_idx covers the order, the id and the end date the list filters on), then the rows
    by id. Skipping to page 2,000 then walks 40,000 index entries, not 40,000 table rows — the same rows, in the
    same order, as the page's own query."""
    keys = list(page.object_list.values_list("pk", flat=True))
    rows = Publication.objects.only(*SUMMARY_FIELDS).order_by().in_bulk(keys)
    page.object_list = [rows[key] for key in keys if key in rows]


# Never shown on a public page: the issued text (staff only) and the search keys. Stored out of line (TOAST),
# the issued text alone would double what a page reads from the disk once the table outgrows the memory.
PUBLIC_DEFERRED = ("original_text", "search_grams", "number_key", "party_key")


def get_public_publication(pk) -> Publication:
    """Anything once published (a stale link says withdrawn or ended). A draft or a never-published item is a
    plain 404 — not audited: anonymous visitors guessing ids would only flood the audit log."""
    item = Publication.objects.once_published().defer(*PUBLIC_DEFERRED).filter(pk=pk).first()
    if item is None:
        raise Http404("公示信息不存在。")
    return item


@require_GET
def publication_detail(request, pk):
    """One published decision: summary and redacted text; withdrawn or ended items say so, without content."""

    def context():
        item = get_public_publication(pk)
        today = timezone.localdate()
        return {"item": item, "shown": item.is_shown(today), "today": today}

    return whole_page(
        request,
        PUBLICATIONS,
        "detail",
        "disclosure/publication_detail.html",
        context,
        obj=publication_key(pk),
    )


@require_GET
def publication_print(request, pk):
    def context():
        item = get_public_publication(pk)
        today = timezone.localdate()
        if not item.is_shown(today):
            raise Http404("该公示信息已撤回或公示期已结束。")
        return {"item": item, "printed_on": today}

    return whole_page(
        request, PUBLICATIONS, "print", "disclosure/publication_print.html", context, obj=publication_key(pk)
    )


@require_http_methods(["GET", "POST"])
def publication_report(request, pk):
    """Report an error in a published item (国办发〔2018〕118号: 纠错机制). Rate-limited per address."""
    item = get_public_publication(pk)
    form = ErrorReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.filled_by_a_bot:
            logger.info("error report on publication %s refused: honeypot filled", item.pk)
            form.add_error(None, "提交失败，请稍后再试。")
            status = 400
        elif REPORT_LIMIT.exceeded(client_ip(request)):
            form.add_error(None, f"提交过于频繁：同一网络每小时最多提交{REPORTS_PER_HOUR}次，请稍后再试。")
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                report = ErrorReport.receive(
                    item,
                    content=data["content"],
                    name=data["name"],
                    contact=data["contact"],
                    address=client_ip(request),
                )
            except Refused as refused:
                show_refusal(request, refused, form=form)
                status = 400
            else:
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
