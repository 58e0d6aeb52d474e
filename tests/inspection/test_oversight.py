"""What supervision reads of inspection (inspection/oversight.py): counts per entity, unit and officer against
the caps, flags, repeated inspections, ratings and complaints, overdue publications, the year's statistics."""

import datetime

import pytest

from inspection import oversight
from inspection.feedback import complain, rate
from inspection.models import Inspection, InspectionKind, Result
from tests.inspection.conftest import (
    TODAY,
    approved,
    make_entity,
    register_case_inspection,
    walk_to_inspected,
)

pytestmark = pytest.mark.django_db


def key(entity, item, officers, officer, plan, **extra):
    return Inspection.register(
        by=officer,
        kind=InspectionKind.KEY,
        entity=entity,
        item=item,
        officers=officers,
        planned_on=extra.pop("planned_on", TODAY),
        reason="重点检查。",
        plan=plan,
        **extra,
    )


def test_per_entity_counts_in_and_outside_the_cap_and_flags_the_excess(
    plan, entity, item, officers, officer, django_assert_num_queries
):
    key(entity, item, officers, officer, plan)
    key(entity, item, officers, officer, plan)
    key(entity, item, officers, officer, plan, over_cap_reason="上级交办。")
    register_case_inspection(entity, item, officers, by=officer)
    with django_assert_num_queries(2):  # the counts, the caps
        rows = oversight.per_entity(2026)
    assert [(r.credit_code, r.in_cap, r.outside, r.cap, r.over) for r in rows] == [
        (entity.credit_code, 3, 1, 2, True)
    ]
    assert oversight.per_entity(2026, only_over=True) == rows
    assert [i.over_cap_reason for i in oversight.flagged(2026)["over_cap"]] == ["上级交办。"]


def test_per_unit_and_per_officer(plan, entity, item, officers, officer, colleague, bureau_head):
    first = approved(key(entity, item, officers, officer, plan), bureau_head)
    register_case_inspection(entity, item, officers, by=officer, emergency_reason="现场正在销售。")
    units = oversight.per_unit(2026)
    assert [(u["unit_name"], u["total"], u["in_cap"], u["outside"], u["emergency"]) for u in units] == [
        ("狮山市场监督管理所", 2, 1, 1, 1)
    ]
    people = {p["name"]: p["total"] for p in oversight.per_officer(2026)}
    assert people == {"李桂芬": 2, "王志强": 2}
    assert first.case_id
    assert [i.emergency_reason for i in oversight.flagged(2026)["awaiting_approval"]] == ["现场正在销售。"]


def test_repeated_inspections_within_the_window_are_flagged_but_a_follow_up_is_not(
    plan, entity, item, officers, officer, food
):
    key(entity, item, officers, officer, plan, planned_on=TODAY)
    key(entity, item, officers, officer, plan, planned_on=TODAY + datetime.timedelta(days=20))
    other = make_entity(2, categories=[food])
    key(other, item, officers, officer, plan, planned_on=TODAY)
    key(other, item, officers, officer, plan, planned_on=TODAY + datetime.timedelta(days=45))
    pairs = oversight.repeated(2026)
    assert [(a.entity_id, (b.planned_on - a.planned_on).days) for a, b in pairs] == [(entity.pk, 20)]
    assert oversight.repeated(2026, days=60) and len(oversight.repeated(2026, days=60)) == 2
    assert [e["total"] for e in oversight.frequent_entities(2026, threshold=2)] == [2, 2]


def test_ratings_and_complaints_reach_supervision(task_done):
    inspection = task_done
    rate(inspection, score=2, comment="检查时间过长。")
    complain(inspection, kind="complaint", text="要求提供无关材料。")
    summary = oversight.ratings(2026)
    assert summary["count"] == 1 and summary["average"] == 2
    assert [r.inspection for r in summary["low"]] == [inspection]
    assert [c.text for c in oversight.complaints()] == ["要求提供无关材料。"]


def test_overdue_publications_and_the_years_count(plan, entity, item, officers, officer, bureau_head):
    inspection = approved(key(entity, item, officers, officer, plan), bureau_head)
    walk_to_inspected(inspection, officers)
    inspection.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
    assert oversight.publication_overdue(TODAY) == []
    assert oversight.publication_overdue(datetime.date(2026, 7, 1)) == [inspection]
    assert oversight.inspections_in_year(2026) == {"重点检查": 1, "合计": 1}


@pytest.fixture
def task_done(frozen, entity, item, officers, officer, bureau_head):
    inspection = approved(register_case_inspection(entity, item, officers, by=officer), bureau_head)
    return walk_to_inspected(inspection, officers)
