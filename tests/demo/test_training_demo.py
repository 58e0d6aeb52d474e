"""The demo's training records (定期培训): this year's sessions leave most officers and legal reviewers at or
above the yearly minimum and a few behind, so the roster's filter and the supervision dashboard have someone
to show after `make run`."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from demo.roster import seed_training_demo
from demo.seeding import _Seeder
from tests.conftest import login_as
from wuding_enforcement.roster import training
from wuding_enforcement.roster.models import (
    Role,
    Staff,
    TrainingAttendance,
    TrainingKind,
    TrainingSession,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


def _bureau(today):
    """The demo's units and staff (with their roles and certificates), without the cases."""
    with time_machine.travel(
        datetime.datetime.combine(today, datetime.time(10), tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    ):
        seeder = _Seeder(today)
        seeder.make_units()
        seeder.make_staff()
    return seeder


@pytest.fixture
def bureau():
    return _bureau(TODAY)


def hours_from_rows(year: int) -> dict[int, Decimal]:
    """Each person's hours of `year`, added up from the attendance rows (not through the roster's query)."""
    totals: dict[int, Decimal] = {}
    for row in TrainingAttendance.objects.filter(session__date__year=year).select_related("session"):
        totals[row.staff_id] = totals.get(row.staff_id, Decimal("0")) + (row.hours or row.session.hours)
    return totals


def test_most_officers_and_reviewers_meet_the_minimum_and_a_few_are_behind(bureau):
    seed_training_demo(TODAY)
    statuses = [s for s in training.statuses(TODAY.year) if s.minimum is not None]
    behind = [s for s in statuses if s.behind]
    # The roster's figures are the rows' figures.
    rows = hours_from_rows(TODAY.year)
    assert [(s.person.username, s.hours) for s in statuses] == [
        (s.person.username, rows.get(s.person.pk, Decimal("0"))) for s in statuses
    ]
    assert 1 <= len(behind) <= 3, [s.person.real_name for s in behind]
    assert len(statuses) - len(behind) >= 4 * len(behind), "most must meet the minimum"
    # Among those behind are a legal reviewer and an officer: both minimums have someone to show.
    assert any(Role.LEGAL_REVIEWER in s.person.role_names for s in behind)
    assert any(Role.OFFICER in s.person.role_names and s.minimum for s in behind)
    assert all(s.missing > 0 for s in behind)


def test_the_sessions_are_this_years_before_today_with_trainers_and_hours(bureau):
    seed_training_demo(TODAY)
    sessions = list(TrainingSession.objects.all())
    assert 5 <= len(sessions) <= 6
    for session in sessions:
        assert session.date.year == TODAY.year and session.date < TODAY, session
        assert session.date.weekday() < 5, session
        assert session.trainer and Decimal("0") < session.hours <= Decimal("40")
        assert session.attendance.exists(), session
    assert {TrainingKind.LAW, TrainingKind.BUSINESS, TrainingKind.EXAM} <= {s.kind for s in sessions}


def test_early_in_the_year_the_sessions_still_fall_in_this_year_and_not_after_today():
    today = datetime.date(2027, 1, 20)
    _bureau(today)
    seed_training_demo(today)
    dates = list(TrainingSession.objects.values_list("date", flat=True))
    assert dates and all(datetime.date(2027, 1, 1) <= d < today for d in dates), dates
    assert [s for s in training.statuses(2027) if s.behind]


def test_seeding_twice_changes_nothing(bureau):
    first = seed_training_demo(TODAY)
    counts = (TrainingSession.objects.count(), TrainingAttendance.objects.count())
    assert first and "未达到年度最低学时" in first[0]
    assert seed_training_demo(TODAY) == []
    assert (TrainingSession.objects.count(), TrainingAttendance.objects.count()) == counts


def test_the_roster_filters_the_people_who_are_behind(client, bureau):
    seed_training_demo(TODAY)
    behind = {s.person.real_name for s in training.statuses(TODAY.year) if s.behind}
    meeting = {s.person.real_name for s in training.statuses(TODAY.year) if s.minimum and not s.behind}
    login_as(client, Staff.objects.get(username="admin"))
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))):
        everyone = client.get("/admin/roster/staff/").content.decode()
        page = client.get("/admin/roster/staff/", {"training": "behind"}).content.decode()
    assert all(name in everyone for name in meeting | behind)
    assert "未达到年度最低学时" in page
    assert all(name in page for name in behind), behind
    assert not [name for name in meeting if name in page]


def test_the_demo_seeds_the_training_with_the_systems(bureau, monkeypatch):
    from django.apps import apps

    # Only the training: the systems' own demos (cases, documents, publications) are not needed here.
    monkeypatch.setattr(apps, "is_installed", lambda name: False)
    bureau.seed_systems()
    assert TrainingSession.objects.filter(date__year=TODAY.year).exists()
    assert training.behind(TODAY.year)
