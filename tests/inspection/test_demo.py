"""The inspection demo (demo/inspection.py) on top of the demo bureau's units, staff, 权责清单 and 事前公开 content:
about 300 fictitious entities with valid credit codes, this year's published plan, two revealed draws that re-run
to the same pairs, a rectification with its follow-up, a finding that became a case, a rating and a complaint,
an emergency awaiting its approval — all through the domain (the whole seed_demo is tests/demo's)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import transaction

from inspection import creditcode
from inspection.models import (
    ApprovalState,
    Complaint,
    Draw,
    DrawState,
    Inspection,
    InspectionPlan,
    MarketEntity,
    Rating,
    Result,
)
from wuding_enforcement.cases.workflow import Procedure
from wuding_enforcement.shared import draws

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 11, 25, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    from demo.disclosure import seed_disclosure_demo
    from demo.inspection import seed_inspection_demo
    from demo.seeding import _Seeder, load_power_items

    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(AT, tick=False):
            seeder = _Seeder(AT.date())
            seeder.make_units()
            seeder.make_staff()
            load_power_items()
            seed_disclosure_demo(AT.date())
            notes = seed_inspection_demo(seeder)
        yield notes
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db):
    with time_machine.travel(AT, tick=False):
        yield _seeded_once


def test_a_registry_of_about_300_fictitious_entities_with_valid_credit_codes(seeded):
    codes = list(MarketEntity.objects.values_list("credit_code", flat=True))
    assert len(codes) == 300 and len(set(codes)) == 300
    assert [c for c in codes if not creditcode.is_valid(c)] == []
    assert MarketEntity.objects.filter(deregistered_on__isnull=False).count() >= 5
    assert set(MarketEntity.objects.values_list("risk_class", flat=True)) == {"A", "B", "C", "D"}


def test_this_years_plan_is_published_on_time(seeded):
    plan = InspectionPlan.objects.get()
    assert plan.year == 2026 and plan.is_published and plan.is_filed and not plan.published_late


def test_two_draws_are_revealed_and_re_run_to_the_same_pairs(seeded):
    revealed = list(Draw.objects.filter(state=DrawState.REVEALED))
    assert len(revealed) == 2
    for draw in revealed:
        problems, rerun = draws.verify(draw.bundle())
        assert problems == []
        assert rerun.pairs() == [(p.credit_code, tuple(p.officer_keys)) for p in draw.picks.order_by("order")]
    replaced = [p for d in revealed for p in d.picks.all() if p.replaces_id]
    assert len(replaced) == 1 and replaced[0].replaces.entity.deregistered_on == AT.date()


def test_the_stories_a_presenter_needs_are_there(seeded):
    rectified = Inspection.objects.get(result=Result.RECTIFY)
    assert rectified.follow_ups.get().approval == ApprovalState.PENDING
    referred = Inspection.objects.get(result=Result.REFER)
    assert (
        referred.lead_case.procedure == Procedure.ORDINARY
        and referred.lead_case.source_inspection == referred
    )
    assert Rating.objects.count() == 1 and Complaint.objects.count() == 1
    emergency = Inspection.objects.get(emergency=True)
    assert emergency.approval == ApprovalState.EMERGENCY and emergency.case_id
    published = Inspection.objects.published()
    assert published.count() >= 5 and all(not i.publication_overdue(AT.date()) for i in published)
