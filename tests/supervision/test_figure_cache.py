"""The cached statistics report (supervision/figure_cache.py, records_stats.cached_report): every kind of change
of what the report reads shows on the next request — a save of a watched model, a change through a
many-to-many relation, a rewrite of the deadline table without signals (the rebuild after a holiday change),
an hours clock turning late at its moment, the next day — and a cache that fails is only a miss. Each test
compares the cached report with one built from the database and checks the figure that moved. Time is frozen
(moved on by hand where a test needs it)."""

import datetime

import pytest
import time_machine
from django.core.cache import cache

from legal_review.models import RoundStatus
from supervision import figure_cache
from supervision import records_stats as stats
from tests.conftest import login_as
from tests.supervision.test_records_stats import TZ, av, document, publication, reach, review
from wuding_enforcement.cases.deadline_rows import CaseDeadline
from wuding_enforcement.cases.models import CaseOfficer, PowerItem, PowerKind, RuleSettings
from wuding_enforcement.cases.workflow import Stage

NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
D = datetime.date
YEAR = stats.Period.of_year(2026)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def case(make_case):
    RuleSettings.current()
    return make_case(title="案一", lead_date=D(2026, 3, 2))


def cached(dimension=stats.MONTH):
    return stats.cached_report(YEAR, dimension)


def fresh(dimension=stats.MONTH):
    return stats.build_report(YEAR, dimension)


def test_a_hit_is_the_report_built_before(case, django_assert_num_queries):
    first = cached()
    # A hit: the stale marks (none: one unlocked EXISTS, cases/deadline_sync.refresh_stale) and the deadline
    # table's marks only.
    with django_assert_num_queries(1 + 1):
        again = cached()
    assert again == first == fresh()


def test_a_new_case_shows(case, make_case):
    before = cached()
    make_case(title="案二", lead_date=D(2026, 4, 1))
    after = cached()
    assert after == fresh()
    assert after.total.cases == before.total.cases + 1


def test_a_stage_change_shows(case, officer):
    before = cached()
    reach(case, Stage.FILED, D(2026, 3, 10), officer)
    after = cached()
    assert after == fresh()
    assert before.total.spans[0].count == 0 and after.total.spans[0].count == 1


def test_a_returned_review_shows(case, officer, reviewer):
    before = cached()
    review(case, 1, RoundStatus.RETURNED, due=D(2026, 4, 24), decided=D(2026, 4, 28), problems=(2,),
           by=officer, reviewer=reviewer)  # fmt: skip
    after = cached()
    assert after == fresh()
    assert (before.total.returned, after.total.returned) == (0, 1)


def test_audio_video_linked_to_an_act_shows(case, officer):
    act = document(case, "onsite_record", by=officer, day=D(2026, 3, 12), av_exemption="文字足以记录")
    before = cached()
    assert (before.total.av.num, before.total.av.den) == (0, 1)
    av(act, "video")
    after = cached()
    assert after == fresh()
    assert (after.total.av.num, after.total.av.den) == (1, 1)


def test_a_publication_shows(case, officer):
    before = cached()
    publication(case, due=D(2026, 5, 19), published=D(2026, 5, 20), by=officer)
    after = cached()
    assert after == fresh()
    assert before.total.publication.den == 0 and after.total.publication.den == 1


def test_an_officer_assigned_shows_by_officer(case, outsider):
    before = cached(stats.OFFICER)
    CaseOfficer.objects.create(case=case, officer=outsider)
    after = cached(stats.OFFICER)
    assert after == fresh(stats.OFFICER)
    assert outsider.display_name not in [r.label for r in before.rows]
    assert outsider.display_name in [r.label for r in after.rows]


def test_a_matter_added_through_the_relation_shows_by_matter(case):
    food = PowerItem.objects.create(
        code="CF-SP-009", kind=PowerKind.PENALTY, field="食品安全", name="食品", legal_basis="食品安全法"
    )
    before = cached(stats.MATTER)
    case.matters.add(food)  # m2m_changed only: no save of the case
    after = cached(stats.MATTER)
    assert after == fresh(stats.MATTER)
    assert "食品安全" not in [r.label for r in before.rows] and "食品安全" in [r.label for r in after.rows]


def late_clock(case, **fields):
    values = {
        "key": "test-clock",
        "name": "测试期限",
        "unit": "days",
        "start": D(2026, 3, 2),
        "due": D(2026, 3, 20),
        "limit": 15,
    }
    values.update(fields)
    return CaseDeadline(case=case, **values)


def test_the_deadline_table_rewritten_without_signals_shows(case, frozen):
    cached()  # the table brought up to date, the report cached
    before = cached()
    # A rebuild (after a holiday change, in a task) upserts rows in bulk: no signal, only its write time.
    frozen.shift(datetime.timedelta(seconds=1))
    CaseDeadline.objects.bulk_create([late_clock(case)])
    after = cached()
    assert after == fresh()
    assert after.total.overdue == before.total.overdue + 1


def test_an_hours_clock_turns_late_at_its_moment(case, frozen):
    moment = NOW + datetime.timedelta(minutes=20)
    cached()
    frozen.shift(datetime.timedelta(seconds=1))  # the clock written later (its write time moves on)
    CaseDeadline.objects.bulk_create([late_clock(case, unit="hours", due=moment.date(), due_at=moment)])
    before = cached()
    frozen.shift(datetime.timedelta(minutes=30))  # the same day, nothing saved, the entry not expired
    after = cached()
    assert after == fresh()
    assert after.total.overdue == before.total.overdue + 1


def test_a_review_round_turns_late_the_next_day(case, officer, reviewer, frozen):
    review(case, 1, RoundStatus.SUBMITTED, due=NOW.date(), by=officer, reviewer=reviewer)
    before = cached()
    frozen.shift(datetime.timedelta(days=1))
    after = cached()
    assert after == fresh()
    assert after.total.overdue == before.total.overdue + 1


def test_a_failing_cache_is_a_miss(case, make_case, monkeypatch):
    cached()

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set", down)
    make_case(title="案二", lead_date=D(2026, 4, 1))  # the renewal fails: logged, the save goes on
    assert cached() == fresh()
    assert cached().total.cases == 2


def test_every_supervisor_reads_the_same_figures(client, case, reviewer, bureau_head):
    login_as(client, bureau_head)
    head = client.get("/staff/supervision/statistics/").context["report"]
    login_as(client, reviewer)
    assert client.get("/staff/supervision/statistics/").context["report"] == head


def test_the_watched_models_cover_what_the_figures_read():
    from django.apps import apps

    labels = {
        m._meta.label_lower for m in apps.get_models(include_auto_created=True) if figure_cache.watched(m)
    }
    for label in (
        "cases.case",
        "cases.casetransition",
        "cases.caseofficer",
        "cases.case_matters",
        "cases.calendarday",
        "recording.document",
        "recording.document_officers",
        "recording.evidence",
        "legal_review.reviewround",
        "legal_review.checklistitem",
        "disclosure.publication",
        "inspection.inspection",
        "roster.staff",
        "roster.staff_groups",
        "roster.certificate",
        "supervision.noticeitem",
    ):
        assert label in labels, label
    assert "cases.casedeadline" not in labels and "cases.deadlinestale" not in labels


# --- The dashboard's panels (views_dashboard._panel_counts): cached the same way --------------------------


DASHBOARD = "/staff/supervision/"


def dashboard_count(client, slug, **params):
    from tests.supervision.test_dashboard import figure_count

    return figure_count(client.get(DASHBOARD, params).content.decode(), slug)


def test_a_notice_item_falling_due_shows_on_the_dashboard(client, units, bureau_head, frozen):
    from tests.supervision.test_dashboard import notice_item

    login_as(client, bureau_head)
    assert dashboard_count(client, "notices-overdue") == 0
    notice_item(units["shishan"], by=bureau_head, due_on=D(2026, 11, 20))
    assert dashboard_count(client, "notices-overdue") == 1
    # By unit: another variant of the same figures, its own entry.
    assert dashboard_count(client, "notices-overdue", unit=units["gaoqiao"].pk) == 0
    item = notice_item(units["gaoqiao"], by=bureau_head, due_on=D(2026, 11, 26))
    assert dashboard_count(client, "notices-overdue", unit=units["gaoqiao"].pk) == 0
    frozen.shift(datetime.timedelta(days=2))  # two days on (the day in the key: the statistics test above)
    login_as(client, bureau_head)  # a new session (the old one timed out); it saves last_login too
    assert dashboard_count(client, "notices-overdue", unit=units["gaoqiao"].pk) == 1
    item.status = "closed"
    item.save()
    assert dashboard_count(client, "notices-overdue", unit=units["gaoqiao"].pk) == 0


def test_a_role_given_through_the_relation_shows_on_the_dashboard(client, officer, bureau_head):
    from decimal import Decimal

    from django.contrib.auth.models import Group

    from wuding_enforcement.roster.models import Role, TrainingRequirement

    TrainingRequirement.objects.update_or_create(
        pk=1, defaults={"officer_min_hours": Decimal("40"), "reviewer_min_hours": Decimal("30")}
    )
    login_as(client, bureau_head)
    before = dashboard_count(client, "training-behind")
    # A person given the reviewer's role (m2m_changed on the roles table only) now has a minimum to meet.
    clerk = officer.__class__.objects.create(username="clerk", real_name="文员", unit=officer.unit)
    assert dashboard_count(client, "training-behind") == before
    clerk.groups.add(Group.objects.get_or_create(name=Role.LEGAL_REVIEWER.value)[0])
    assert dashboard_count(client, "training-behind") == before + 1


def test_an_hours_clock_turns_overdue_on_the_dashboard_at_its_moment(client, case, bureau_head, frozen):
    login_as(client, bureau_head)
    overdue, soon = dashboard_count(client, "overdue"), dashboard_count(client, "due-soon")
    frozen.shift(datetime.timedelta(seconds=1))  # the clock written later (its write time moves on)
    moment = NOW + datetime.timedelta(minutes=10)
    CaseDeadline.objects.bulk_create(
        [late_clock(case, unit="hours", due=moment.date(), due_at=moment, limit=24)]
    )
    assert dashboard_count(client, "overdue") == overdue
    assert dashboard_count(client, "due-soon") == soon + 1
    frozen.shift(datetime.timedelta(minutes=15))  # past its moment, nothing saved, the same day
    assert dashboard_count(client, "overdue") == overdue + 1
    assert dashboard_count(client, "due-soon") == soon
