"""Past page 1, the public list reads a page's ids on the list's index and then those rows
(disclosure/views/publications.py read_by_keys): every page must show exactly the rows of the plain ordered
query, with the exact total, the page numbers and the links — ties on a date, withdrawn rows and rows the list
leaves out (ended, expired, drafts) included."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from disclosure.models import Publication, PublicationStatus
from disclosure.views import publications as views
from recording.models import Document

pytestmark = pytest.mark.django_db
FABRICATED_PUBLICATIONS = True

ROWS = 260
PER_PAGE = 20


@pytest.fixture
def many(make_case, officer):
    case = make_case()
    issued = timezone.make_aware(datetime.datetime(2026, 11, 20, 10, 0))
    documents = Document.objects.bulk_create(
        Document(
            case=case,
            doc_type="penalty_decision",
            status="issued",
            data={},
            number=f"武市监处罚〔2026〕{i + 1}号",
            pdf_sha256="0" * 64,
            verification_code=f"KEYS{i:04d}",
            issued_at=issued,
            issued_by=officer,
            created_by=officer,
        )
        for i in range(ROWS)
    )
    today = timezone.localdate()
    statuses = [PublicationStatus.PUBLISHED] * 7 + [PublicationStatus.WITHDRAWN, PublicationStatus.ENDED]
    publications = []
    for i, document in enumerate(documents):
        # Seventeen dates only: many ties, ordered by id within a date; ids not in date order.
        published_on = today - datetime.timedelta(days=(i * 7) % 17 + 1)
        status = statuses[i % len(statuses)]
        publications.append(
            Publication(
                document=document,
                case=case,
                status=status,
                document_number=document.number,
                party_name=f"武定县第{i}商贸有限公司",
                party_kind="organisation",
                violation_type="经营超过保质期的食品",
                penalty_content="罚款1000.00元",
                authority="武定县市场监督管理局",
                unit=case.handling_unit,
                unit_name=case.handling_unit.name,
                decided_on=published_on - datetime.timedelta(days=3),
                original_text="x",
                published_text="x",
                due_on=published_on + datetime.timedelta(days=7),
                created_by=officer,
                published_at=timezone.now(),
                published_on=published_on,
                # Every eleventh row's period is over (not listed, though not yet recorded as ended).
                ends_on=today - datetime.timedelta(days=1)
                if i % 11 == 3
                else today + datetime.timedelta(days=90),
                withdrawn_at=timezone.now() if status == PublicationStatus.WITHDRAWN else None,
                withdrawal_kind="revoked" if status == PublicationStatus.WITHDRAWN else "",
                withdrawal_reason="经行政复议，原处罚决定被撤销。"
                if status == PublicationStatus.WITHDRAWN
                else "",
                ended_at=timezone.now() if status == PublicationStatus.ENDED else None,
                end_kind="expired" if status == PublicationStatus.ENDED else "",
                end_reason="公示期满。" if status == PublicationStatus.ENDED else "",
            )
        )
    Publication.objects.bulk_create(publications)
    return list(Publication.objects.listed().order_by("-published_on", "-pk").values_list("pk", flat=True))


def shown(client, page):
    cache.clear()
    response = client.get(reverse("disclosure:publication_list"), {"page": page})
    assert response.status_code == 200
    return response


def test_every_page_shows_exactly_the_rows_of_the_ordered_list(client, many, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", PER_PAGE)
    pages = -(-len(many) // PER_PAGE)
    assert 200 < len(many) < ROWS and pages > 10
    for number in range(1, pages + 1):
        response = shown(client, number)
        page = response.context["page"]
        assert [p.pk for p in page.object_list] == many[(number - 1) * PER_PAGE : number * PER_PAGE], number
        body = response.content.decode()
        assert f"共 {len(many)} 条" in body and f"第 {number} / {pages} 页" in body
        assert ('rel="prev"' in body) == (number > 1)
        assert ('rel="next"' in body) == (number < pages)
        if number < pages:
            assert re.search(rf'href="\?page={number + 1}" rel="next"', body)
    # A page past the end is the last page, as before.
    page = shown(client, pages + 5).context["page"]
    assert page.number == pages and [p.pk for p in page.object_list] == many[(pages - 1) * PER_PAGE :]


def test_a_deep_page_reads_ids_then_rows(client, many, monkeypatch, django_assert_num_queries):
    """The page's rows are fetched by id, after the ids: the count is cached, so a deep page is the units
    (search form), the ids on the index and the rows."""
    monkeypatch.setattr(views, "PER_PAGE", PER_PAGE)
    shown(client, 1)  # the exact total, counted once and cached in the section
    with django_assert_num_queries(3) as queries:
        client.get(reverse("disclosure:publication_list"), {"page": 7})
    sql = [q["sql"] for q in queries.captured_queries if "disclosure_publication" in q["sql"]]
    assert len(sql) == 2
    ids, rows = sql
    assert "OFFSET" in ids and ids.split("FROM")[0].count(",") == 0  # the ids alone
    assert "OFFSET" not in rows and " IN (" in rows
