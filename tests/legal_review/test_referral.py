"""The bureau head's referral of a case to 集体讨论 (行政处罚法 第五十七条) is a rule of the domain
(CollectiveReferral.refer): only a bureau head, only between 立案 and the decision, once, under the case's row
lock and audited — and a forged POST gets the same refusal as the page."""

import pytest
from django.urls import reverse

from legal_review.models import CollectiveReferral
from tests.conftest import login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import Case
from wuding_enforcement.cases.workflow import Stage, TransitionRefused

pytestmark = pytest.mark.django_db


def test_the_bureau_head_refers_a_case_before_its_decision_once(build_case, bureau_head):
    case = build_case()
    referral = CollectiveReferral.refer(case, by=bureau_head, reason="  涉案金额大，社会关注度高。 ")
    assert referral.reason == "涉案金额大，社会关注度高。" and referral.by == bureau_head
    event = AuditEvent.objects.get(action="legal_review.collective.referred")
    assert event.actor == bureau_head and event.detail["referral"] == referral.pk
    with pytest.raises(TransitionRefused, match="已决定提交局负责人集体讨论"):
        CollectiveReferral.refer(case, by=bureau_head, reason="再次提交")
    assert CollectiveReferral.objects.filter(case=case).count() == 1


@pytest.fixture
def decided(build_case, officer):
    """A minor case (no review needed) that has reached its decision."""
    case = build_case(fine_amount="3000.00", notice={"fine_amount": "3000.00"})
    case.advance(Stage.DECIDED, actor=officer)
    return case


def test_a_referral_is_refused_before_filing_and_after_the_decision(make_case, decided, bureau_head):
    for case in (make_case(title="尚未立案的线索"), decided):
        with pytest.raises(TransitionRefused, match="作出处罚决定之前"):
            CollectiveReferral.refer(case, by=bureau_head, reason="涉案金额大。")
    assert not CollectiveReferral.objects.exists()


def test_the_stage_is_read_under_the_lock_not_from_the_callers_copy(build_case, officer, bureau_head):
    case = build_case(fine_amount="3000.00", notice={"fine_amount": "3000.00"})
    stale = Case.objects.get(pk=case.pk)  # the page loaded the case at 陈述申辩 ...
    case.advance(Stage.DECIDED, actor=officer)  # ... and meanwhile the decision was made
    with pytest.raises(TransitionRefused, match="“决定”阶段"):
        CollectiveReferral.refer(stale, by=bureau_head, reason="涉案金额大。")


def test_only_a_bureau_head_refers_and_a_reason_is_needed(build_case, officer, bureau_head):
    case = build_case()
    with pytest.raises(TransitionRefused, match="须由局负责人决定"):
        CollectiveReferral.refer(case, by=officer, reason="涉案金额大。")
    with pytest.raises(TransitionRefused, match="请写明提交集体讨论的理由"):
        CollectiveReferral.refer(case, by=bureau_head, reason="   ")
    assert not CollectiveReferral.objects.exists()


def test_a_forged_post_after_the_decision_gets_the_pages_refusal(client, decided, bureau_head):
    case = decided
    login_as(client, bureau_head)
    answer = client.post(
        reverse("legal_review:refer_collective", args=[case.pk]),
        {"reason-reason": "涉案金额大。"},
        follow=True,
    )
    shown = [str(m) for m in answer.context["messages"]]
    assert any("作出处罚决定之前" in m for m in shown), shown
    assert not CollectiveReferral.objects.exists()
