"""A large search result's page is read newest first over a window of the newest decisions (disclosure/search.py
read_newest_first): every page, every count and every filter must show exactly the rows of the full search in
the list's order — whether the window held the page or the page fell back to the indexed query. The window, the
page size and the count bound are shrunk here so that a dozen decisions exercise both paths."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from disclosure import search
from disclosure.models import Publication, PublicationStatus
from disclosure.views import publications as views
from tests.disclosure.support import issued_document

pytestmark = pytest.mark.django_db
FABRICATED_PUBLICATIONS = True

# (published on, violation, party): newest last; ties on a date are ordered by id.
ROWS = [
    (1, "经营超过保质期的食品", "武定县甲商贸有限公司"),
    (2, "未明码标价", "武定县乙药店"),
    (3, "经营超过保质期的食品", "武定县丙超市"),
    (3, "经营超过保质期的食品", "武定县丁食品有限公司"),
    (5, "未明码标价", "武定县戊商贸有限公司"),
    (6, "经营超过保质期的食品", "武定县己药店"),
    (7, "经营超过保质期的食品", "武定县庚商贸有限公司"),
    (7, "未明码标价", "武定县辛超市"),
    (9, "经营超过保质期的食品", "武定县壬商贸有限公司"),
    (10, "经营超过保质期的食品", "武定县癸药店"),
    (11, "未明码标价", "武定县子商贸有限公司"),
    (12, "经营超过保质期的食品", "武定县丑超市"),
    (12, "经营超过保质期的食品", "武定县寅商贸有限公司"),
    (14, "未明码标价", "武定县卯药店"),
]
SEARCHES = [
    {"violation": "超过保质期"},
    {"violation": "明码标价"},
    {"party": "商贸"},
    {"party": "药店", "violation": "明码"},
    {"violation": "保质期", "date_from": "2026-10-05"},
    {"violation": "不存在的违法行为"},
]


@pytest.fixture
def rows(make_case, officer):
    case = make_case()
    for i, (day, violation, party) in enumerate(ROWS):
        document = issued_document(
            case, officer, code=f"NEWEST{i:04d}", number=f"武市监处罚〔2026〕{i + 1}号"
        )
        published_on = datetime.date(2026, 10, 1) + datetime.timedelta(days=day)
        pub = Publication(
            document=document,
            case=case,
            status=PublicationStatus.PUBLISHED,
            document_number=f"武市监处罚〔2026〕{i + 1}号",
            party_name=party,
            party_kind="organisation",
            violation_type=violation,
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
            ends_on=datetime.date(2029, 11, 21),
        )
        pub.index_for_search()
        pub.save()


@pytest.fixture
def small(monkeypatch):
    """A window of the 7 newest decisions (8 rows: a tie on the 7th date), 3 rows a page, every result large
    enough to be read newest first; records whether each page came from the window."""
    monkeypatch.setattr(search, "NEWEST_WINDOW", 7)
    monkeypatch.setattr(search, "SMALL_RESULT", 0)
    monkeypatch.setattr(views, "PER_PAGE", 3)
    outcomes = []
    read = search.read_newest_first

    def spy(page, window):
        outcomes.append(read(page, window))
        return outcomes[-1]

    monkeypatch.setattr(search, "read_newest_first", spy)
    return outcomes


def expected(terms, page):
    """The rows of the full (indexed) search, in the list's order."""
    full = Publication.objects.listed().search(**terms).order_by("-published_on", "-pk")
    return list(full.values_list("pk", flat=True)[(page - 1) * 3 : page * 3])


def shown(client, terms, page):
    cache.clear()
    response = client.get(reverse("disclosure:publication_list"), {**terms, "page": page})
    assert response.status_code == 200
    return [p.pk for p in response.context["page"].object_list], response.context["page"].paginator


@pytest.mark.parametrize("cap", [1000, 4])
def test_every_page_shows_exactly_the_rows_of_the_full_search(client, rows, small, monkeypatch, cap):
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", cap)
    for terms in SEARCHES:
        for page in range(1, 5):
            pks, paginator = shown(client, terms, page)
            if page <= paginator.num_pages:
                assert pks == expected(terms, page), (terms, page)
    # Both paths ran: pages the window held, and pages it could not (older rows) read by the index.
    assert True in small and False in small


def test_breaking_the_window_would_show_other_rows(client, rows, small, monkeypatch):
    """The check that makes the window safe: a page the window cannot fill falls back to the index. Without it
    (a window that pretends to hold the page) the last pages would be wrong — so the test above would notice."""
    monkeypatch.setattr(
        search, "read_newest_first", lambda page, window: setattr(page, "object_list", list(window[:3]))
    )
    pks, _ = shown(client, {"violation": "超过保质期"}, 3)
    assert pks != expected({"violation": "超过保质期"}, 3)


def test_a_small_result_is_read_by_the_index_in_one_query(client, rows, django_assert_num_queries):
    cache.clear()
    # The units (search form), the count, the page: a result under SMALL_RESULT needs no window.
    with django_assert_num_queries(3):
        client.get(reverse("disclosure:publication_list"), {"violation": "超过保质期"})
