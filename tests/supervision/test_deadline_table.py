"""The deadline table (cases/deadline_rows.py, deadline_sync.py) that the dashboard, the reminders and the
statistics read: it follows every change of what the clocks read, its overdue / due-soon rule in SQL agrees
with the computed clocks day by day, and rebuild_deadlines finds and corrects a row that differs."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from tests.conftest import file_case
from wuding_enforcement.cases.deadline_rows import CaseDeadline, DeadlineStale
from wuding_enforcement.cases.deadline_sync import rebuild, refresh_stale
from wuding_enforcement.cases.deadlines import Status, case_deadlines
from wuding_enforcement.cases.models import Case, CasePause, PauseKind

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=TZ), tick=False)


def stored(case):
    return {r.key: r for r in CaseDeadline.objects.filter(case=case)}


def test_a_new_case_and_its_filing_are_in_the_table_once_read(make_case, unit_head, bureau_head, officer):
    with at(datetime.date(2026, 11, 2)):
        case = make_case()
        refresh_stale()
        assert set(stored(case)) == {"filing"}
        file_case(case, unit_head, bureau_head, officer)
        assert DeadlineStale.objects.filter(case_id=case.pk).exists()
        refresh_stale()
    rows = stored(case)
    assert set(rows) == {"filing", "decision"}
    truth = {d.key: d for d in case_deadlines(Case.objects.get(pk=case.pk), datetime.date(2026, 11, 2))}
    assert rows["decision"].due == truth["decision"].due
    assert rows["filing"].met_on == truth["filing"].met_on
    assert not DeadlineStale.objects.exists()


def test_an_open_pause_keeps_a_clock_out_of_the_late_ones_and_its_end_brings_it_back(
    make_case, officer, unit_head, bureau_head
):
    with at(datetime.date(2026, 3, 2)):
        case = file_case(make_case(lead_date=datetime.date(2026, 3, 2)), unit_head, bureau_head, officer)
        pause = CasePause.objects.create(
            case=case, kind=PauseKind.TESTING, start=datetime.date(2026, 3, 10), created_by=officer
        )
    day = datetime.date(2026, 11, 25)
    with at(day):
        refresh_stale()
        assert stored(case)["decision"].paused
        assert not CaseDeadline.objects.red(day, timezone.now()).filter(case=case).exists()
        pause.end = datetime.date(2026, 4, 10)
        pause.save()
        refresh_stale()
        late = CaseDeadline.objects.red(day, timezone.now()).filter(case=case)
        assert [r.key for r in late] == ["decision"]


def test_red_and_amber_in_sql_agree_with_the_computed_clocks_day_by_day(make_case):
    # Lead Tue 2025-09-23: 15 working days over 国庆 2025 -> due Mon 2025-10-20 (tests/cases/test_deadlines.py).
    with at(datetime.date(2025, 9, 23)):
        case = make_case(lead_date=datetime.date(2025, 9, 23))
        refresh_stale()
    day = datetime.date(2025, 10, 1)
    seen = set()
    while day <= datetime.date(2025, 10, 28):
        with at(day):
            now = timezone.now()
            truth = {d.key: d.status for d in case_deadlines(Case.objects.get(pk=case.pk), day)}
            red = set(CaseDeadline.objects.red(day, now).filter(case=case).values_list("key", flat=True))
            amber = set(CaseDeadline.objects.amber(day, now).filter(case=case).values_list("key", flat=True))
            row = CaseDeadline.objects.get(case=case, key="filing")
        assert red == {k for k, s in truth.items() if s == Status.RED}, day
        assert amber == {k for k, s in truth.items() if s == Status.AMBER}, day
        assert row.as_deadline(day, now).status == truth["filing"], day
        seen.add(truth["filing"])
        day += datetime.timedelta(days=1)
    assert seen == {Status.OK, Status.AMBER, Status.RED}


def test_rebuild_finds_a_row_that_differs_and_corrects_it(make_case, capsys):
    with at(datetime.date(2026, 11, 2)):
        case = make_case()
        refresh_stale()
        CaseDeadline.objects.filter(case=case, key="filing").update(due=datetime.date(2030, 1, 1))
        CaseDeadline.objects.create(
            case=case, key="ghost", name="x", unit="日", start=case.lead_date, due=case.lead_date, limit=1
        )
        report = rebuild(write_rows=False)
        assert (report["changed"], report["extra"], report["missing"]) == (1, 1, 0)
        with pytest.raises(CommandError):
            call_command("rebuild_deadlines", "--check")
        call_command("rebuild_deadlines")
        assert "不一致 1" in capsys.readouterr().out
        call_command("rebuild_deadlines", "--check")
    assert set(stored(case)) == {"filing"}
    assert stored(case)["filing"].due != datetime.date(2030, 1, 1)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite refreshes in one transaction (one writer)"
)
def test_many_stale_cases_are_refreshed_in_transactions_of_a_bounded_number_of_marks(make_case, monkeypatch):
    """A change marking thousands of cases (a matter's category) is refreshed a bounded number of marks (and
    advisory locks) per transaction, every case brought up to date and every mark removed."""
    from wuding_enforcement.cases import deadline_sync

    cases = [make_case(title=f"批量{n}") for n in range(5)]
    refresh_stale()
    CaseDeadline.objects.filter(case__in=cases).delete()  # written without signals: the rows are gone
    deadline_sync.mark_stale([c.pk for c in cases])
    monkeypatch.setattr(deadline_sync, "MARKS_PER_TRANSACTION", 2)
    written, write = [], deadline_sync.write
    monkeypatch.setattr(
        deadline_sync, "write", lambda ids, **kw: written.append(list(ids)) or write(ids, **kw)
    )
    assert DeadlineStale.objects.count() == 5
    assert refresh_stale() == 5
    assert [len(ids) for ids in written] == [2, 2, 1]  # each transaction's cases (2 marks each at most)
    assert not DeadlineStale.objects.exists()
    assert set(CaseDeadline.objects.values_list("case_id", flat=True)) >= {c.pk for c in cases}
