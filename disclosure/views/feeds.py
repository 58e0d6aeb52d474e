"""事后公开 for machines: the Atom feed of new publications and the open data (CSV, JSON). (The views the county
government's portal embeds are in embed.py.) Currently published summaries only (Publication.objects.
current()): withdrawn and expired items leave them (个人信息保护法: no longer than the purpose needs)."""

import datetime
import json
from decimal import Decimal

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET

from inspection.models import Inspection
from wuding_enforcement.shared import csvsafe

from .. import inspection_results, open_data, periods
from ..models import Publication
from ..sections import PUBLICATIONS
from .pages import cacheable

FEED_ITEMS = 50
# What an entry shows (title, summary, link, dates): the decision's texts stay unread — out of line (TOAST),
# they would be read from the disk for each of the 50 entries once the table outgrows the memory.
FEED_FIELDS = (
    "pk",
    "document_number",
    "party_name",
    "violation_type",
    "penalty_content",
    "authority",
    "published_at",
)


class PublicationFeed(Feed):
    """New publications: 行政处罚决定 and the results of planned inspections (双随机 and others, 国发〔2019〕5号),
    newest first, FEED_ITEMS in all."""

    feed_type = Atom1Feed
    title = f"{settings.BUREAU_NAME} 行政处罚决定和抽查检查结果公示"
    subtitle = "新公示的行政处罚决定和抽查检查结果（已依法隐去个人信息）"
    # RFC 4287 §4.1.1: a feed without atom:author must give one in every entry; the bureau writes them all.
    author_name = settings.BUREAU_NAME

    def author_link(self):
        return settings.PUBLIC_BASE_URL.rstrip("/") + "/"

    def link(self):
        return reverse("disclosure:publication_list")

    def items(self):
        decisions = list(
            Publication.objects.current().only(*FEED_FIELDS).order_by("-published_at", "-pk")[:FEED_ITEMS]
        )
        inspections = list(inspection_results.published().order_by("-published_at", "-pk")[:FEED_ITEMS])
        both = sorted([*decisions, *inspections], key=lambda item: (item.published_at, item.pk), reverse=True)
        return both[:FEED_ITEMS]

    def item_title(self, item):
        if isinstance(item, Inspection):
            return inspection_results.title(item)
        return f"{item.document_number} {item.party_name}"

    def item_description(self, item):
        if isinstance(item, Inspection):
            return (
                f"{item.get_kind_display()}；检查事项：{item.item.item}；检查结果：{item.get_result_display()}；"
                f"{item.public_summary}；检查机关：{settings.BUREAU_NAME}"
            )
        return f"违法行为类型：{item.violation_type}；处罚内容：{item.penalty_content}；处罚机关：{item.authority}"

    def item_link(self, item):
        if isinstance(item, Inspection):
            return inspection_results.public_url(item)
        return reverse("disclosure:publication_detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


_feed = PublicationFeed()


@require_GET
def publication_feed(request):
    """Atom feed of new publications (cached like the pages: the feed changes when publications do)."""
    if not cacheable(request):
        return _feed(request)
    body = PUBLICATIONS.page("feed", lambda: _feed(request).content.decode())
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


OPEN_DATA_FIELDS = [
    ("document_number", "决定书文号"),
    ("party_name", "当事人"),
    ("credit_code", "统一社会信用代码"),
    ("legal_representative", "法定代表人（负责人）"),
    ("violation_type", "违法行为类型"),
    ("penalty_content", "处罚内容"),
    ("fine_amount", "罚款金额（元）"),
    ("authority", "处罚机关"),
    ("unit_name", "承办单位"),
    ("decided_on", "处罚决定日期"),
    ("published_on", "公示日期"),
    ("last_day", "公示截止日期"),
]
# Read from the table; 公示截止日期 is computed from ends_on by the one definition (disclosure/periods.py).
_STORED = [name for name, _ in OPEN_DATA_FIELDS if name != "last_day"] + ["ends_on"]


def _open_rows():
    """Rows of the open data: dates as ISO strings, the fine as a number (Decimal; JSON writes it as a number,
    CSV as 150000.00), the text of 处罚内容 beside it."""
    for row in Publication.objects.current().order_by("-published_on", "-pk").values(*_STORED).iterator(2000):
        row["last_day"] = periods.last_day_shown(row.pop("ends_on"))
        yield {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in row.items()}


class _Echo:
    def write(self, value):
        return value


def csv_lines():
    writer = csvsafe.writer(_Echo())
    yield "\ufeff" + writer.writerow([label for _, label in OPEN_DATA_FIELDS])
    for row in _open_rows():
        yield writer.writerow([row[name] for name, _ in OPEN_DATA_FIELDS])


def json_chunks():
    meta = {
        "publisher": settings.BUREAU_NAME,
        "generated_on": timezone.localdate().isoformat(),
        "fields": dict(OPEN_DATA_FIELDS),
    }
    yield json.dumps(meta, ensure_ascii=False)[:-1] + ', "items": ['
    for i, row in enumerate(_open_rows()):
        yield ("," if i else "") + json.dumps(row, ensure_ascii=False, default=_number)
    yield "]}"


def inspection_csv_lines():
    """The published inspection results (disclosure/inspection_results.py) as CSV, formula cells neutralised."""
    fields = inspection_results.OPEN_DATA_FIELDS
    writer = csvsafe.writer(_Echo())
    yield "\ufeff" + writer.writerow([label for _, label in fields])
    for row in inspection_results.open_rows(settings.BUREAU_NAME):
        yield writer.writerow([row[name] for name, _ in fields])


def inspection_json_chunks():
    meta = {
        "publisher": settings.BUREAU_NAME,
        "generated_on": timezone.localdate().isoformat(),
        "basis": "国发〔2019〕5号：抽查检查结果自形成之日起20个工作日内向社会公示",
        "fields": dict(inspection_results.OPEN_DATA_FIELDS),
    }
    yield json.dumps(meta, ensure_ascii=False)[:-1] + ', "items": ['
    for i, row in enumerate(inspection_results.open_rows(settings.BUREAU_NAME)):
        yield ("," if i else "") + json.dumps(row, ensure_ascii=False)
    yield "]}"


def _number(value):
    """Money in JSON as a number (yuan; two decimals are exact in a double up to 10^13)."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value))


def _prebuilt(request, fmt: str, content_type: str):
    """Today's prebuilt file (disclosure/open_data.py) with its ETag (304 when the client has it), or None."""
    entry = open_data.current(fmt)
    if entry is None:
        return None
    etag = f'"{entry["etag"]}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        try:
            handle = default_storage.open(entry["name"], "rb")
        except OSError:
            return None
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(entry["size"])
    response["ETag"] = etag
    return response


def _build_later() -> None:
    """No file of today: stream this once and have the files built (outbox; waiting builds coalesce)."""
    with transaction.atomic():
        open_data.request_build()


@require_GET
def open_data_csv(request):
    response = _prebuilt(request, "csv", "text/csv; charset=utf-8")
    if response is None:
        _build_later()
        response = StreamingHttpResponse(csv_lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="publications.csv"'
    return response


@require_GET
def open_data_json(request):
    response = _prebuilt(request, "json", "application/json; charset=utf-8")
    if response is None:
        _build_later()
        response = StreamingHttpResponse(json_chunks(), content_type="application/json; charset=utf-8")
    return response


@require_GET
def inspection_open_data_csv(request):
    """The published inspection results as CSV (prebuilt like the decisions' files)."""
    response = _prebuilt(request, "inspections-csv", "text/csv; charset=utf-8")
    if response is None:
        _build_later()
        response = StreamingHttpResponse(inspection_csv_lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="inspection-results.csv"'
    return response


@require_GET
def inspection_open_data_json(request):
    response = _prebuilt(request, "inspections-json", "application/json; charset=utf-8")
    if response is None:
        _build_later()
        response = StreamingHttpResponse(
            inspection_json_chunks(), content_type="application/json; charset=utf-8"
        )
    return response
