"""The overdue and due-soon lists' body cache (supervision/views_dashboard.py _deadline_list, on the staff
pages' section of cases/staff_cache.py): served from the cache while nothing it shows changed, per user
(rows are masked per viewer: never another user's page), with this request's CSRF token and the filter
message, the role check on every request; a clock written to the deadline table, a case's officers changed
and an hours clock turning late by time alone each show at once. Time is frozen on 2026年11月25日 10:00.

Every test runs inside a transaction, where the section never stores a page (committed_only): the `cached`
fixture switches that off to watch the cache itself."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import login_as, make_staff
from wuding_enforcement.cases import deadline_sync, staff_cache
from wuding_enforcement.cases.deadline_rows import CaseDeadline
from wuding_enforcement.cases.deadlines import CALENDAR_DAYS
from wuding_enforcement.cases.models import CaseOfficer
from wuding_enforcement.cases.staff_cache import STAFF_PAGES
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared import pagecache

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 11, 25)
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
OVERDUE = "/staff/supervision/dashboard/overdue/"
DUE_SOON = "/staff/supervision/dashboard/due-soon/"
# A hit: session, user, OTP device, roles (the role check); the header's unread count. Nothing of the list.
HIT_QUERIES = 5


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cached(monkeypatch):
    monkeypatch.setattr(STAFF_PAGES, "committed_only", False)
    cache.clear()
    pagecache._local.clear()
    pagecache._versions.clear()
    yield
    cache.clear()
    pagecache._local.clear()
    pagecache._versions.clear()


def queries_of(client, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def add_clock(frozen, case, key, name, *, due, due_at=None):
    """A clock written into the deadline table by its bulk writer (no signal: the writer renews the section),
    beside the case's own rows; a second later than the last write (time is frozen: the figure cache of the
    counts keys on the table's last write time, which moves on by itself outside the tests)."""
    frozen.shift(1)
    rows = list(CaseDeadline.objects.filter(case=case))
    rows.append(
        CaseDeadline(
            case_id=case.pk,
            key=key,
            name=name,
            basis="测试依据",
            unit=CALENDAR_DAYS,
            start=TODAY - datetime.timedelta(days=1),
            due=due,
            due_at=due_at,
            limit=1,
        )
    )
    deadline_sync._store([case.pk], rows)


@pytest.fixture
def case(make_case, bureau_head):
    """A fresh lead: the first visit brings the deadline table up to date (its writes renew the section)."""
    case = make_case(title="涉嫌销售过期食品案")
    login_as(Client(), bureau_head).get(OVERDUE)
    return case


def test_a_second_visit_is_a_hit_and_a_new_overdue_clock_shows_at_once(
    frozen, cached, client, case, bureau_head
):
    login_as(client, bureau_head)
    first, built = queries_of(client, OVERDUE)
    again, served = queries_of(client, OVERDUE)
    assert served == HIT_QUERIES < built
    assert "报告期限甲" not in again
    add_clock(frozen, case, "test:late", "报告期限甲", due=TODAY - datetime.timedelta(days=2))
    html, rebuilt = queries_of(client, OVERDUE)
    assert rebuilt > served and "报告期限甲" in html and case.number in html
    assert queries_of(client, OVERDUE)[1] == HIT_QUERIES


def test_a_case_given_to_another_officer_shows(frozen, cached, client, case, bureau_head, units):
    add_clock(frozen, case, "test:late", "报告期限甲", due=TODAY - datetime.timedelta(days=2))
    login_as(client, bureau_head)
    client.get(OVERDUE)
    assert queries_of(client, OVERDUE)[1] == HIT_QUERIES
    newcomer = make_staff("xu_newcomer", "许新来", units["shishan"], Role.OFFICER)
    CaseOfficer.objects.create(case=case, officer=newcomer)
    html = client.get(OVERDUE).content.decode()
    assert "许新来" in html


def test_an_hours_clock_turns_late_by_time_alone(cached, client, case, bureau_head, frozen):
    turns = NOW + datetime.timedelta(minutes=10)
    add_clock(frozen, case, "test:hours", "紧急报告期限乙", due=TODAY, due_at=turns)
    login_as(client, bureau_head)
    for url in (OVERDUE, DUE_SOON):
        client.get(url)
    assert queries_of(client, OVERDUE)[1] == HIT_QUERIES
    overdue, due_soon = client.get(OVERDUE).content.decode(), client.get(DUE_SOON).content.decode()
    assert "紧急报告期限乙" not in overdue and "紧急报告期限乙" in due_soon
    # Nothing is written: eleven minutes later the clock is late, on both lists.
    frozen.move_to(turns + datetime.timedelta(minutes=1))
    overdue, due_soon = client.get(OVERDUE).content.decode(), client.get(DUE_SOON).content.decode()
    assert "紧急报告期限乙" in overdue and "紧急报告期限乙" not in due_soon
    assert queries_of(client, OVERDUE)[1] == HIT_QUERIES  # and cached again


def test_one_viewers_rows_are_never_served_to_another(frozen, cached, case, bureau_head, reviewer):
    add_clock(frozen, case, "test:late", "报告期限甲", due=TODAY - datetime.timedelta(days=2))
    link = f'href="/staff/cases/{case.pk}/"'
    head, other = login_as(Client(), bureau_head), login_as(Client(), reviewer)
    assert link in head.get(OVERDUE).content.decode()
    for _ in range(2):  # the reviewer may not open the case: its number without a link
        html = other.get(OVERDUE).content.decode()
        assert case.number in html and link not in html
        assert link in head.get(OVERDUE).content.decode()


def test_the_role_check_runs_on_every_request(cached, case, bureau_head, officer):
    head = login_as(Client(), bureau_head)
    head.get(OVERDUE)
    assert login_as(Client(), officer).get(OVERDUE).status_code == 403


def test_a_cached_list_carries_this_requests_csrf_token_and_the_filter_message(
    frozen, cached, case, bureau_head
):
    add_clock(frozen, case, "test:late", "报告期限甲", due=TODAY - datetime.timedelta(days=2))
    first = login_as(Client(enforce_csrf_checks=True), bureau_head)
    second = login_as(Client(enforce_csrf_checks=True), bureau_head)  # the same user, another session
    first.get(OVERDUE)
    html, served = queries_of(second, OVERDUE)
    assert served == HIT_QUERIES and "报告期限甲" in html
    assert staff_cache.CSRF_PLACEHOLDER not in html
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) >= 2  # the header's logout form and the draft notice's
    assert {_unmask_cipher_token(t) for t in tokens} == {second.cookies["csrftoken"].value}
    # An unknown unit is ignored with a message, on the miss and on each hit.
    for client in (first, second, second):
        html = client.get(OVERDUE, {"unit": "999999"}).content.decode()
        assert html.count("筛选条件无效") == 1 and "filters-ignored" not in html and "报告期限甲" in html
