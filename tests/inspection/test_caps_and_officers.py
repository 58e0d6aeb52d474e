"""The yearly cap per enterprise (国办发〔2024〕54号 四), its exemptions, 回避, and who may inspect on the day
(a certificate valid that day, with the item's field)."""

import datetime

import pytest

from inspection.models import Conflict, Inspection, InspectionKind, InspectionPlan
from inspection.officers import inspector_on, inspector_pool, officer_problems
from tests.inspection.conftest import TODAY, approved, register_case_inspection
from wuding_enforcement.roster.models import Certificate, CertificateStatus
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db


def key_inspection(entity, item, officers, by, plan, **extra):
    return Inspection.register(
        by=by,
        kind=InspectionKind.KEY,
        entity=entity,
        item=item,
        officers=officers,
        planned_on=TODAY,
        reason="年度计划内的重点检查。",
        plan=plan,
        **extra,
    )


# --- caps ---


def test_planned_inspections_count_against_the_cap_and_past_it_need_a_reason_and_are_flagged(
    plan, entity, item, officers, officer
):
    # entity is B: two a year.
    first = key_inspection(entity, item, officers, officer, plan)
    second = key_inspection(entity, item, officers, officer, plan)
    assert first.counts_in_cap and not first.over_cap and not second.over_cap
    with pytest.raises(Refused, match="已达公布的频次上限（每年2次）"):
        key_inspection(entity, item, officers, officer, plan)
    third = key_inspection(entity, item, officers, officer, plan, over_cap_reason="上级交办的专项整治要求。")
    assert third.over_cap and third.over_cap_reason == "上级交办的专项整治要求。"


def test_case_by_case_licence_and_follow_up_inspections_are_outside_the_cap_but_counted(
    plan, entity, item, officers, officer, bureau_head
):
    key_inspection(entity, item, officers, officer, plan)
    key_inspection(entity, item, officers, officer, plan)
    complaint = register_case_inspection(entity, item, officers, by=officer)
    licence = Inspection.register(
        by=officer,
        kind=InspectionKind.LICENCE,
        entity=entity,
        item=item,
        officers=officers,
        planned_on=TODAY,
        reason="食品经营许可现场核查。",
        source_note="许可受理编号 JY2026-0088",
    )
    assert not complaint.over_cap and not licence.over_cap
    assert not complaint.counts_in_cap and not licence.counts_in_cap
    row = Inspection.objects.cap_counts(2026).get(entity_id=entity.pk, item_id=item.pk)
    assert (row["in_cap"], row["outside"]) == (2, 2)


def test_a_risk_class_without_a_published_cap_cannot_be_inspected_on_plan(
    plan, entity, item, officers, officer
):
    item.caps.filter(risk_class="B").delete()
    with pytest.raises(Refused, match="未公布B级（一般风险）企业的年度检查频次上限"):
        key_inspection(entity, item, officers, officer, plan)
    register_case_inspection(entity, item, officers, by=officer)  # a complaint still can be checked


def test_withdrawn_refused_and_called_off_inspections_do_not_use_up_the_cap(
    plan, entity, item, officers, officer, bureau_head
):
    first = key_inspection(entity, item, officers, officer, plan)
    first.withdraw(by=officer, reason="计划调整。")
    second = key_inspection(entity, item, officers, officer, plan)
    second.reject(by=bureau_head, opinion="本季度已检查过同类事项。")
    third = approved(key_inspection(entity, item, officers, officer, plan), bureau_head)
    third.cancel(by=officer, reason="企业停业装修。")
    assert Inspection.objects.counted().in_cap().count() == 0
    key_inspection(entity, item, officers, officer, plan)
    key_inspection(entity, item, officers, officer, plan)  # still within the two


def test_key_and_special_inspections_need_a_published_plan_of_their_kind(
    frozen, entity, item, officers, officer, plan
):
    with pytest.raises(Refused, match="专项检查须列入已公布的专项检查计划"):
        Inspection.register(
            by=officer,
            kind=InspectionKind.SPECIAL,
            entity=entity,
            item=item,
            officers=officers,
            planned_on=TODAY,
            reason="专项。",
            plan=plan,
        )
    draft = InspectionPlan.objects.create(
        kind="annual", year=2026, title="草稿", summary="x", created_by=officer
    )
    with pytest.raises(Refused, match="重点检查须列入已公布的年度检查计划"):
        key_inspection(entity, item, officers, officer, draft)


def test_a_random_task_comes_from_a_draw_only(plan, entity, item, officers, officer):
    with pytest.raises(Refused, match="双随机抽查任务只能由抽取产生"):
        Inspection.register(
            by=officer,
            kind=InspectionKind.RANDOM,
            entity=entity,
            item=item,
            officers=officers,
            planned_on=TODAY,
            reason="x",
            plan=plan,
        )


# --- 回避 ---


def test_a_declared_conflict_keeps_the_officer_away_on_registration_and_on_approval(
    frozen, entity, item, officers, officer, colleague, third_officer, bureau_head, unit_head
):
    task = register_case_inspection(entity, item, officers, by=officer)
    Conflict.objects.create(
        officer=colleague, entity=entity, reason="配偶在该企业任职", declared_on=TODAY, declared_by=unit_head
    )
    with pytest.raises(Refused, match="王志强已申报回避"):
        register_case_inspection(entity, item, officers, by=officer)
    with pytest.raises(Refused, match="王志强已申报回避"):
        task.approve(by=bureau_head, opinion="同意。")
    register_case_inspection(entity, item, [officer, third_officer], by=officer)


def test_an_ended_conflict_no_longer_counts(frozen, entity, item, officers, officer, colleague, unit_head):
    Conflict.objects.create(
        officer=colleague,
        entity=entity,
        reason="曾在该企业任职",
        declared_on=datetime.date(2025, 1, 1),
        ended_on=datetime.date(2026, 1, 1),
        declared_by=unit_head,
    )
    assert officer_problems(officers, entity=entity, item=item, on=TODAY) == []


# --- certificates on the day ---


def test_only_officers_with_a_certificate_valid_on_the_day_for_the_items_field_may_inspect(
    frozen, entity, item, officer, colleague, third_officer
):
    certificate = Certificate.objects.get(holder=colleague)
    certificate.status, certificate.status_since = CertificateStatus.SUSPENDED, datetime.date(2026, 5, 20)
    certificate.save()
    # Valid on the 12th (suspended from the 20th): the task for today passes, one for the 21st does not.
    assert officer_problems([officer, colleague], entity=entity, item=item, on=TODAY) == []
    problems = officer_problems([officer, colleague], entity=entity, item=item, on=datetime.date(2026, 5, 21))
    assert any("王志强" in p and "暂扣" in p for p in problems)
    assert any("至少两名" in p for p in problems)
    # A certificate without the item's field does not entitle.
    third = Certificate.objects.get(holder=third_officer)
    third.fields = "价格、广告"
    third.save()
    outcome = inspector_on(third_officer, TODAY, item.field)
    assert not outcome.entitled and "不含“食品安全”执法类别" in outcome.reason


def test_the_inspector_pool_is_the_roster_of_the_day(frozen, officer, colleague, third_officer, bureau_head):
    expired = Certificate.objects.get(holder=third_officer)
    expired.expires_on = datetime.date(2026, 5, 1)
    expired.save()
    pool = {i.person for i in inspector_pool("食品安全", TODAY)}
    assert {officer, colleague} <= pool and third_officer not in pool
    pool_before = {i.person for i in inspector_pool("食品安全", datetime.date(2026, 4, 30))}
    assert third_officer in pool_before
    assert inspector_pool("特种设备", TODAY) == []
