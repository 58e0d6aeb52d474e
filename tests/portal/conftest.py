"""Shared set-up of the staff and public page tests: time frozen on 2026年11月25日 (a Wednesday)."""

import datetime

import pytest
import time_machine

from tests.conftest import make_staff
from wuding_enforcement.cases.models import Case, LeadSource, PartyKind
from wuding_enforcement.roster.models import Role

# A fictitious resident ID number: the pages must only ever show it masked.
PERSON_ID = "532329198001011234"
PERSON_ID_MASKED = "532329********1234"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def person_party():
    return {
        "kind": PartyKind.PERSON,
        "name": "张某某",
        "id_type": "resident_id",
        "id_number": PERSON_ID,
        "address": "武定县狮山镇某村",
    }


@pytest.fixture
def gaoqiao_case(outsider, units):
    """A case of 高桥所, handled by the outsider: 狮山所's people must not see it."""
    partner = make_staff("gao_partner", "高晓明", units["gaoqiao"], Role.OFFICER)
    return Case.register_lead(
        by=outsider,
        handling_unit=units["gaoqiao"],
        title="涉嫌无照经营案",
        lead_source=LeadSource.INSPECTION,
        lead_date=datetime.date(2026, 11, 10),
        officers=[outsider, partner],
    )
