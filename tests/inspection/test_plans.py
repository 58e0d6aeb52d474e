"""年度检查计划: approved by the bureau head, filed with the 司法局 and the superior authority, published — by the end
of March (a setting), late publication flagged; 专项检查计划 approved by the county government or the superior
authority; an approved plan is frozen and changes as a new dated version; every change kept."""

import datetime

import pytest
import time_machine

from inspection.models import ApprovalBody, InspectionPlan, InspectionSettings, PlanEntry, PlanKind
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db


def at(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 2, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def draft(item, admin_user):
    plan = InspectionPlan.objects.create(
        kind=PlanKind.ANNUAL, year=2026, title="2026年度行政检查计划", summary="x", created_by=admin_user
    )
    PlanEntry.objects.create(plan=plan, item=item, period="全年", share_b="10")
    return plan


def test_the_annual_plan_is_approved_by_the_bureau_head_filed_twice_then_published(
    draft, admin_user, bureau_head, reviewer
):
    with at(2026, 3, 20):
        with pytest.raises(Refused, match="须经局负责人批准"):
            draft.approve(by=admin_user, on=datetime.date(2026, 3, 10))
        draft.approve(by=bureau_head, on=datetime.date(2026, 3, 10))
        with pytest.raises(Refused, match="须报司法局和上级机关备案后公布"):
            draft.publish(by=reviewer)
        with pytest.raises(Refused, match="不能早于批准日期"):
            draft.record_filing(
                by=reviewer, justice_on=datetime.date(2026, 3, 1), superior_on=datetime.date(2026, 3, 12)
            )
        draft.record_filing(
            by=reviewer, justice_on=datetime.date(2026, 3, 12), superior_on=datetime.date(2026, 3, 13)
        )
        draft.publish(by=reviewer)
    assert draft.is_published and not draft.published_late
    assert draft.publish_due() == datetime.date(2026, 3, 31)
    assert list(InspectionPlan.objects.current()) == [draft]
    actions = list(
        AuditEvent.objects.filter(object_type="inspection.inspectionplan")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "inspection.plan.approve_refused",
        "inspection.plan.approved",
        "inspection.plan.publish_refused",
        "inspection.plan.filing_refused",
        "inspection.plan.filed",
        "inspection.plan.published",
    ]


def test_a_plan_published_after_the_local_deadline_is_flagged_and_the_deadline_is_a_setting(
    draft, bureau_head, reviewer
):
    with at(2026, 4, 2):
        draft.approve(by=bureau_head, on=datetime.date(2026, 3, 25))
        draft.record_filing(
            by=reviewer, justice_on=datetime.date(2026, 3, 30), superior_on=datetime.date(2026, 3, 30)
        )
        draft.publish(by=reviewer)
    assert draft.published_late
    assert AuditEvent.objects.get(action="inspection.plan.published").detail["late"] is True
    settings_row = InspectionSettings.current()
    settings_row.plan_publish_month, settings_row.plan_publish_day = 4, 30
    settings_row.save()
    assert draft.publish_due() == datetime.date(2026, 4, 30) and not draft.published_late


def test_a_special_plan_needs_the_county_government_or_the_superior_authority_and_its_reference(
    item, admin_user, reviewer
):
    special = InspectionPlan.objects.create(
        kind=PlanKind.SPECIAL, year=2026, title="校园食品安全专项检查计划", summary="x", created_by=admin_user
    )
    PlanEntry.objects.create(plan=special, item=item, period="9月")
    with at(2026, 8, 20):
        with pytest.raises(Refused) as refused:
            special.approve(by=reviewer, on=datetime.date(2026, 8, 18), body=ApprovalBody.BUREAU)
        assert "须经县人民政府或者上级主管部门批准" in refused.value.messages[0]
        assert "请填写专项检查计划的批准文号。" in refused.value.messages
        special.approve(
            by=reviewer, on=datetime.date(2026, 8, 18), body=ApprovalBody.COUNTY, ref="武政办函〔2026〕31号"
        )
        special.publish(by=reviewer)  # no filing for a special plan
    assert special.approval_body == ApprovalBody.COUNTY and special.is_published


def test_an_approved_plan_is_frozen_and_changes_as_a_new_version(draft, bureau_head, reviewer, item):
    with at(2026, 3, 20):
        draft.approve(by=bureau_head, on=datetime.date(2026, 3, 10))
        draft.record_filing(
            by=reviewer, justice_on=datetime.date(2026, 3, 12), superior_on=datetime.date(2026, 3, 13)
        )
        draft.publish(by=reviewer)
    entry = draft.entries.get()
    entry.share_b = 50
    with pytest.raises(Refused, match="不能再修改；请制定新版本"):
        entry.save()
    with at(2026, 6, 1):
        revision = draft.new_version(by=reviewer, change_note="下半年增加B级抽取比例。")
        changed = revision.entries.get()
        changed.share_b = 30
        changed.save()  # a draft: editable
        revision.approve(by=bureau_head, on=datetime.date(2026, 6, 1))
        revision.record_filing(
            by=reviewer, justice_on=datetime.date(2026, 6, 1), superior_on=datetime.date(2026, 6, 1)
        )
        revision.publish(by=reviewer)
    assert revision.version == 2 and revision.supersedes == draft
    assert list(InspectionPlan.objects.current()) == [revision]  # the first version leaves the current list
    assert [p.version for p in draft.versions()] == [1, 2] == [p.version for p in revision.versions()]
    assert draft.entries.get().share_b == 10  # the old version stays as it was published
    assert draft.history.count() >= 4 and changed.history.count() >= 2


def test_a_plan_without_items_cannot_be_approved(admin_user, bureau_head, frozen):
    empty = InspectionPlan.objects.create(
        kind=PlanKind.ANNUAL, year=2026, title="空计划", summary="x", created_by=admin_user
    )
    with pytest.raises(Refused, match="计划中还没有检查事项"):
        empty.approve(by=bureau_head, on=datetime.date(2026, 5, 1))
