"""记录统计's materialised facts (supervision/records_store.py): on varied generated cases, the report read from
the monthly rollup and the live facts equals the report computed from the systems' rows (records_facts.tally
computed=True, the statistics before the facts were materialised) for several periods, every dimension and
every kind filter; the stored facts check clean; the group keys follow the officers, matters and a matter's
category; the rebuild command repairs what a bulk write left behind."""

import datetime
import random
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from supervision import records_facts, records_store
from supervision import records_stats as stats
from supervision.models import RecordFact, RecordRollup
from tests.supervision.test_records_stats import reach
from wuding_enforcement.cases import deadline_sync
from wuding_enforcement.cases.deadline_sync import refresh_stale
from wuding_enforcement.cases.models import Case, CaseOfficer, PowerItem, PowerKind
from wuding_enforcement.cases.workflow import Procedure, Stage

# The stored facts are kept on PostgreSQL only (records_store.enabled: SQLite, for development, computes them).
pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored facts are PostgreSQL's")

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
D = datetime.date
PERIODS = [
    stats.Period.of_year(2026),
    stats.Period.of_year(2025),
    stats.Period.of_months((2025, 11), (2026, 2)),
    stats.Period.of_months((2026, 11), (2026, 11)),
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def both(period, dimension, kind=None):
    """The report from the materialised facts, and the report computed from the systems' rows."""
    refresh_stale()
    fast = stats.build_report(period, dimension, kind=kind, refreshed=True)
    computed = records_facts.tally

    def slow(*args, **kwargs):
        return computed(*args, computed=True, **kwargs)

    original, stats.tally = stats.tally, slow
    try:
        truth = stats.build_report(period, dimension, kind=kind, refreshed=True)
    finally:
        stats.tally = original
    return fast, truth


@pytest.fixture
def generated(make_case, units, officer, colleague, outsider):
    """Twenty cases on a fixed seed: 普通, 简易 and 行政检查 cases of two units, registered from 2025 to
    November 2026, taken through stages on spread dates (some archived, one archived before a clock falls due,
    one with its lead date after its filing), with one or two officers and zero to two matter categories."""
    rng = random.Random(16)
    food = PowerItem.objects.create(
        code="CF-SP-101", kind=PowerKind.PENALTY, field="食品安全", name="食品", legal_basis="食品安全法"
    )
    drugs = PowerItem.objects.create(
        code="CF-YP-101", kind=PowerKind.PENALTY, field="药品", name="药品", legal_basis="药品管理法"
    )
    cases = []
    for n in range(20):
        lead = D(2025, 1, 1) + datetime.timedelta(days=rng.randrange(0, 690))
        procedure = rng.choice([Procedure.ORDINARY] * 3 + [Procedure.SIMPLE, Procedure.INSPECTION])
        unit_officers = [officer, colleague][: rng.randint(1, 2)]
        other = n % 4 == 3
        case = make_case(
            title=f"生成案{n}",
            lead_date=lead,
            procedure=procedure,
            matters=rng.sample([food, drugs], rng.randint(0, 2)),
            **({"by": outsider, "handling_unit": units["gaoqiao"], "officers": [outsider]} if other else {}),
            **({} if other else {"officers": unit_officers}),
        )
        day = lead
        for stage in (Stage.FILED, Stage.DECIDED, Stage.CLOSED, Stage.ARCHIVED):
            if procedure != Procedure.ORDINARY or rng.random() < 0.25:
                break
            day = day + datetime.timedelta(days=rng.randint(3, 120))
            if day >= NOW.date():
                break
            reach(case, stage, day, officer)
        cases.append(case)
    # A lead date after the filing (typed late), and an archive before a clock of the case falls due.
    ordinary = [c for c in cases if c.procedure == Procedure.ORDINARY and c.transitions.exists()]
    Case.objects.filter(pk=ordinary[0].pk).update(lead_date=D(2026, 10, 30))
    reach(ordinary[0], Stage.FILED, D(2026, 9, 1), officer)
    Case.objects.filter(pk=ordinary[1].pk).update(archived_on=D(2025, 2, 1))
    reach(ordinary[1], Stage.DECIDED, D(2025, 3, 3), officer)
    return {"cases": cases, "food": food, "drugs": drugs}


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.slug)
def test_the_materialised_report_equals_the_computed_one(generated, period):
    checked = 0
    for dimension in stats.DIMENSIONS:
        for kind in (None, *stats.CASE_KINDS):
            fast, truth = both(period, dimension, kind)
            assert fast == truth, (period.slug, dimension, kind)
            checked += bool(
                truth.total.cases or truth.total.overdue or any(a.count for a in truth.total.spans)
            )
    assert checked  # the period has figures to compare
    assert records_store.check() == {name: {"missing": 0, "extra": 0} for name in ("facts", "keys", "rollup")}


def test_the_generated_data_has_what_the_comparison_needs(generated):
    """Facts of every materialised kind, and some not surely alive in their month (read live)."""
    refresh_stale()
    kinds = set(RecordFact.objects.values_list("kind", flat=True))
    assert {records_facts.CASE, records_facts.SPAN, records_facts.OVERDUE} <= kinds
    assert RecordFact.objects.filter(sure=False).exists()
    assert RecordFact.objects.filter(sure=True).exists()


def test_the_group_keys_follow_officers_matters_and_categories(generated, outsider):
    year = stats.Period.of_year(2026)
    refresh_stale()  # the generated cases' facts written: what follows changes only a group key
    case = next(
        c for c in generated["cases"] if c.lead_date.year == 2026 and c.handling_unit != outsider.unit
    )
    CaseOfficer.objects.create(case=case, officer=outsider)
    fast, truth = both(year, stats.OFFICER)
    assert fast == truth
    case.matters.set([generated["drugs"]])
    generated["food"].cases.clear()
    fast, truth = both(year, stats.MATTER)
    assert fast == truth
    generated["drugs"].field = "特种设备"
    generated["drugs"].save()
    fast, truth = both(year, stats.MATTER)
    assert fast == truth
    assert "特种设备" in [row.label for row in fast.rows]


def test_the_command_checks_and_repairs_the_facts(generated):
    refresh_stale()
    call_command("rebuild_record_facts", "--check")
    # A bulk write (no signal): the case's facts lag behind until the command rebuilds them.
    case = next(c for c in generated["cases"] if c.lead_date.year == 2026)
    Case.objects.filter(pk=case.pk).update(lead_date=D(2025, 6, 1))
    with pytest.raises(CommandError):
        call_command("rebuild_record_facts", "--check")
    call_command("rebuild_record_facts")
    call_command("rebuild_record_facts", "--check")
    for period in PERIODS[:2]:
        fast, truth = both(period, stats.UNIT)
        assert fast == truth


def test_the_nightly_job_repairs_what_a_bulk_write_left_behind(generated):
    from supervision.tasks import check_record_facts

    refresh_stale()
    clean = check_record_facts.apply().get()
    assert clean["rebuilt"] is False
    assert all(not (v["missing"] or v["extra"]) for k, v in clean.items() if k != "rebuilt")
    case = next(c for c in generated["cases"] if c.lead_date.year == 2026)
    Case.objects.filter(pk=case.pk).update(lead_date=D(2025, 6, 1))
    found = check_record_facts.apply().get()
    assert found["rebuilt"] is True
    assert found["facts"]["missing"] and found["facts"]["extra"]
    assert check_record_facts.apply().get()["rebuilt"] is False
    fast, truth = both(PERIODS[1], stats.UNIT)
    assert fast == truth


def test_the_migrate_fills_a_store_left_empty(generated):
    """Cases made before the tables existed (or loaded without signals): the post_migrate backfill fills the
    store once; with the store filled it does nothing."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from supervision.models import RecordKey, RecordRollup

    refresh_stale()
    expected = sorted(RecordRollup.objects.filter(count__gt=0).values_list("dim", "month", "kind", "count"))
    RecordFact.objects.all().delete()
    RecordKey.objects.all().delete()
    RecordRollup.objects.all().delete()
    post_migrate.send(
        sender=apps.get_app_config("supervision"),
        app_config=apps.get_app_config("supervision"),
        verbosity=0,
        interactive=False,
        using="default",
        apps=apps,
        plan=[],
    )
    assert RecordKey.objects.exists()
    assert (
        sorted(RecordRollup.objects.filter(count__gt=0).values_list("dim", "month", "kind", "count"))
        == expected
    )
    assert records_store.backfill_if_missing() is False  # filled: nothing to do


def test_the_beat_schedule_rebuilds_the_deadlines_then_checks_the_facts(settings):
    entries = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    deadlines = entries["wuding_enforcement.cases.tasks.rebuild_deadlines"]
    facts = entries["supervision.tasks.check_record_facts"]
    assert (min(deadlines.hour), min(deadlines.minute)) < (min(facts.hour), min(facts.minute))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
@pytest.mark.django_db(transaction=True)
def test_refreshers_of_different_cases_sharing_cells_neither_deadlock_nor_lose_a_delta(make_case):
    """Four refreshers at once, each rewriting its own cases' facts, all moving the same rollup cells (the
    cases of one unit leave one month for another each round): every delta lands once and none fails. (The
    cells are changed in one order, records_store.CELL_ORDER, so that two refreshers never wait on each
    other in a cycle; with these cells PostgreSQL's aggregate already gives both the same order, so this
    test holds without it too: it guards the sums under concurrency, not the order.)"""
    cases = [make_case(title=f"并发{n}", lead_date=D(2026, 1, 5)) for n in range(12)]
    refresh_stale()
    groups = [[c.pk for c in cases[i::4]] for i in range(4)]
    errors: list[Exception] = []
    for round_ in range(6):
        Case.objects.filter(pk__in=[c.pk for c in cases]).update(lead_date=D(2026, 2 + round_, 5))
        barrier = threading.Barrier(len(groups))

        def rewrite(ids, barrier):
            try:
                barrier.wait()
                with transaction.atomic():
                    deadline_sync._lock(ids)
                    records_store.sync(ids)
            except Exception as exc:  # pragma: no cover - reported by the assertion
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=rewrite, args=(ids, barrier)) for ids in groups]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    report = records_store.check()
    assert all(not (v["missing"] or v["extra"]) for v in report.values()), report
    lines = RecordRollup.objects.filter(dim="unit", kind=records_facts.CASE, count__gt=0)
    assert [(r.month, r.count) for r in lines] == [(D(2026, 7, 1), 12)]
