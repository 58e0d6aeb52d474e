"""The deadline table's own cache section (cases/deadline_sync.py DEADLINES) and what it keeps: the overdue /
due-soon counts and the rows of their lists' pages (supervision/dashboard_deadlines.py cached_counts,
cached_window). A refresh writes only the rows that differ, so a save that moves no clock leaves both
cached; a clock that moves, a clock that goes, a case given to another unit or officer, a person renamed
each show at once. Time is frozen on 2026年11月25日 10:00.

Every test runs inside a transaction, where the section never keeps a value (committed_only): the `cached`
fixture switches that off to watch the cache itself."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supervision import dashboard_deadlines as sql
from tests.conftest import make_staff
from wuding_enforcement.cases import deadline_sync
from wuding_enforcement.cases.deadline_rows import CaseDeadline, DeadlineStale
from wuding_enforcement.cases.deadlines import CALENDAR_DAYS
from wuding_enforcement.cases.models import CaseOfficer
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared import pagecache

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 11, 25)
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
LATE = TODAY - datetime.timedelta(days=3)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cached(monkeypatch):
    monkeypatch.setattr(deadline_sync.DEADLINES, "committed_only", False)
    cache.clear()
    pagecache._local.clear()
    pagecache._versions.clear()
    yield
    cache.clear()


def version() -> str:
    return pagecache.read_version(deadline_sync.DEADLINES.version_key)


def late_clock(case, key="test:late", name="报告期限甲", due=LATE) -> CaseDeadline:
    return CaseDeadline(
        case_id=case.pk,
        key=key,
        name=name,
        basis="测试依据",
        unit=CALENDAR_DAYS,
        start=due - datetime.timedelta(days=1),
        due=due,
        limit=1,
    )


def store(frozen, case, *extra):
    """The case's rows as computed, plus `extra` clocks, written by the table's writer a second later (the
    counts key on the table's last write time, which moves on by itself outside frozen time)."""
    frozen.shift(1)
    rows = deadline_sync.computed_rows(deadline_sync._cases([case.pk]), TODAY)
    deadline_sync._store([case.pk], [*rows, *extra])


@pytest.fixture
def case(make_case):
    """A fresh lead (its 立案 clock is already late on the frozen day), its creation's stale marks refreshed."""
    case = make_case()
    sql.refresh()
    return case


def overdue(**filters):
    sql.refresh()
    return sql.cached_counts(TODAY, figures=["overdue"], **filters)["overdue"]


def window(**filters):
    return sql.cached_window("overdue", TODAY, 0, 50, **filters)


def test_a_refresh_that_moves_no_clock_writes_nothing(frozen, cached, case):
    store(frozen, case, late_clock(case))
    written = dict(CaseDeadline.objects.filter(case=case).values_list("key", "computed_at"))
    before = version()
    frozen.shift(5)
    with CaptureQueriesContext(connection) as ctx:
        store(frozen, case, late_clock(case))
    assert dict(CaseDeadline.objects.filter(case=case).values_list("key", "computed_at")) == written
    assert version() == before
    assert not [q for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "DELETE"))]
    # A clock that moves is written, and only that one.
    store(frozen, case, late_clock(case, due=LATE - datetime.timedelta(days=1)))
    after = dict(CaseDeadline.objects.filter(case=case).values_list("key", "computed_at"))
    assert after["test:late"] > written["test:late"]
    assert {k: v for k, v in after.items() if k != "test:late"} == {
        k: v for k, v in written.items() if k != "test:late"
    }
    assert version() != before


def test_a_clock_that_goes_renews_the_section(frozen, cached, case):
    base = overdue()["total"]
    store(frozen, case, late_clock(case))
    assert overdue()["total"] == base + 1 and "报告期限甲" in [r.name for r in window()]
    before = version()
    store(frozen, case)  # the clock is gone: a delete and no upsert (the last write time does not move)
    assert not CaseDeadline.objects.filter(case=case, key="test:late").exists()
    assert version() != before
    assert overdue()["total"] == base
    assert "报告期限甲" not in [r.name for r in window()]


def test_counts_and_rows_stay_cached_across_a_save_that_moves_no_clock(frozen, cached, case):
    total, rows = overdue()["total"], window()  # the lead's 立案 clock, late on the frozen day
    assert total == 1 and [r.case_id for r in rows] == [case.pk]
    # A save of something the clocks read that moves none of them (a document's draft): the case is marked
    # stale, the next reader's refresh recomputes it and finds every row the same.
    deadline_sync.mark_stale([case.pk])
    assert DeadlineStale.objects.filter(case_id=case.pk).exists()
    with CaptureQueriesContext(connection) as ctx:
        assert overdue()["total"] == total
        assert [r.pk for r in window()] == [r.pk for r in rows]
    counted = [q for q in ctx.captured_queries if "COUNT(" in q["sql"] and "casedeadline" in q["sql"]]
    assert counted == []
    assert not DeadlineStale.objects.filter(case_id=case.pk).exists()
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("SELECT") and "LIMIT 50" in q["sql"]]


def test_a_case_given_to_another_unit_or_officer_shows_at_once(frozen, cached, case, units, officer):
    shishan, gaoqiao = units["shishan"], units["gaoqiao"]
    n = overdue()["by_unit"][shishan.pk]
    assert n >= 1 and not overdue()["by_unit"][gaoqiao.pk] and window(unit=shishan)
    case.handling_unit = gaoqiao
    case.save(update_fields=["handling_unit"])
    assert overdue()["by_unit"][gaoqiao.pk] == n and not overdue()["by_unit"][shishan.pk]
    assert len(window(unit=gaoqiao)) == n and window(unit=shishan) == []

    newcomer = make_staff("xu_newcomer", "许新来", gaoqiao, Role.OFFICER)
    assert overdue()["by_officer"][newcomer.pk] == 0 and window(officer=newcomer) == []
    CaseOfficer.objects.create(case=case, officer=newcomer)
    assert overdue()["by_officer"][newcomer.pk] == n
    assert [a.officer.pk for a in window(officer=newcomer)[0].case.assignments.all()][-1] == newcomer.pk


def test_a_person_or_unit_renamed_shows_in_the_rows(frozen, cached, case, officer, units):
    store(frozen, case, late_clock(case))
    names = {a.officer.display_name for a in window()[0].case.assignments.all()}
    assert officer.display_name in names
    officer.real_name = "林改名"
    officer.save(update_fields=["real_name"])
    assert "林改名" in {a.officer.display_name for a in window()[0].case.assignments.all()}
    unit = units["shishan"]
    unit.name = "狮山市场监督管理所（新址）"
    unit.save(update_fields=["name"])
    assert window()[0].case.handling_unit.name == "狮山市场监督管理所（新址）"


def test_nothing_is_kept_from_inside_a_transaction(frozen, case):
    """committed_only (as shipped): inside the test's transaction every read counts afresh."""
    store(frozen, case, late_clock(case))
    overdue()
    with CaptureQueriesContext(connection) as ctx:
        overdue()
    assert [q for q in ctx.captured_queries if "COUNT(" in q["sql"]]


def pending_refreshes() -> list:
    """The writer's refreshes waiting for the test's transaction to commit (it never does: run them by hand)."""
    return [hook for _, hook, _ in connection.run_on_commit if hook is deadline_sync._refresh_after_commit]


def test_the_writer_refreshes_what_it_marked_once_it_commits(case):
    """The next reader finds the table current: the writer's transaction recomputes its case after the commit
    (a reader's refresh_stale() then has nothing to do)."""
    CaseDeadline.objects.filter(case=case).delete()  # as if its rows were out of date
    deadline_sync.mark_stale([case.pk])  # what a save of anything the clocks read does
    (refresh,) = pending_refreshes()
    refresh()  # the commit
    assert not DeadlineStale.objects.exists()
    stored = {(r.key, r.due) for r in CaseDeadline.objects.filter(case=case)}
    assert stored and stored == {(r.key, r.due) for r in deadline_sync.computed_rows([case], TODAY)}


def test_a_writer_refreshes_at_most_at_commit_marks_and_leaves_the_rest_to_the_readers(case, monkeypatch):
    monkeypatch.setattr(deadline_sync, "AT_COMMIT", 2)
    deadline_sync.mark_stale([case.pk] * 5)
    (refresh,) = pending_refreshes()
    refresh()
    assert DeadlineStale.objects.count() == 3
    sql.refresh()
    assert not DeadlineStale.objects.exists()


def test_the_filters_people_follow_a_person_or_unit_saved(client, bureau_head, units, officer, monkeypatch):
    """The units and people of the supervision pages' filters (figure_cache.PEOPLE, views_dashboard._filters)
    are kept until a person or a unit is saved: a renamed, deactivated or new person shows at once."""
    from supervision import figure_cache
    from tests.conftest import login_as

    monkeypatch.setattr(figure_cache.PEOPLE, "committed_only", False)
    cache.clear()
    login_as(client, bureau_head)

    def filter_html():
        html = client.get("/staff/supervision/").content.decode()
        return html[html.index('name="officer"') : html.index("</select>", html.index('name="officer"'))]

    assert officer.display_name in filter_html()
    officer.real_name = "林改名"
    officer.save(update_fields=["real_name"])
    assert "林改名" in filter_html()
    make_staff("xu_newcomer", "许新来", units["gaoqiao"], Role.OFFICER)
    assert "许新来" in filter_html()
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert "林改名" not in filter_html()


def test_a_transaction_marking_many_times_refreshes_once_after_its_commit(case):
    for _ in range(3):  # three saves of what the clocks read, in one transaction
        deadline_sync.mark_stale([case.pk])
    assert len(pending_refreshes()) == 1
