"""变更承办人员 (行政处罚法 第四十二条): a case whose officer lost the certificate is not stuck — a new team is
proposed, the unit head gives an opinion, the bureau head approves, and the certificates are checked on the
day of the request and again on the day of the approval. The lead form and the change form mark officers who
may not enforce today, and say why."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login_as, make_staff
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import Approval, ApprovalKind, ApprovalStatus, Case
from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.roster.models import CertificateStatus, Role

pytestmark = pytest.mark.django_db


def suspend(person, reason="涉嫌违规执法，暂扣审查"):
    certificate = person.certificates.get()
    certificate.status = CertificateStatus.SUSPENDED
    certificate.status_since = timezone.localdate() - datetime.timedelta(days=3)
    certificate.status_reason = reason
    certificate.save()


@pytest.fixture
def third(units):
    """陈红, a third certified officer of 狮山所, free to take over."""
    return make_staff("chen_third", "陈红", units["shishan"], Role.OFFICER)


@pytest.fixture
def stuck(make_case, colleague):
    """A lead whose second officer's certificate was suspended: 立案 is refused until the team changes."""
    suspend(colleague)
    return make_case()


def approve(approval, unit_head, bureau_head):
    approval.give_opinion(unit_head, agree=True, opinion="情况属实，拟同意。")
    approval.give_opinion(bureau_head, agree=True, opinion="同意变更。")


def test_a_stuck_case_changes_its_officers_with_the_bureau_heads_approval(
    stuck, officer, colleague, third, unit_head, bureau_head
):
    approval = stuck.request_approval(
        ApprovalKind.OFFICER_CHANGE,
        by=officer,
        reason="王志强证件暂扣，改由陈红承办。",
        officers=[officer, third],
    )
    approval.give_opinion(unit_head, agree=True, opinion="拟同意。")
    # The unit head's opinion alone changes nothing.
    assert set(stuck.officers.all()) == {officer, colleague}

    approval.give_opinion(bureau_head, agree=True, opinion="同意变更。")

    assert set(stuck.officers.all()) == {officer, third}
    assert stuck.assignments.get(is_lead=True).officer == officer
    assert not Case.objects.visible_to(colleague).filter(pk=stuck.pk).exists()
    assert Case.objects.editable_by(third).filter(pk=stuck.pk).exists()
    logged = AuditEvent.objects.get(action="cases.case.officers_changed")
    assert logged.detail["before"] == ["李桂芬", "王志强"] and logged.detail["after"] == ["李桂芬", "陈红"]
    assert stuck.assignments.model.history.filter(officer=colleague, history_type="-").exists()
    approval.officer_change.refresh_from_db()
    assert approval.officer_change.applied_on == timezone.localdate()

    # The case is no longer stuck: 立案 goes through with the new team.
    filing = stuck.request_approval(ApprovalKind.FILING, by=officer, reason="符合立案条件。")
    approve(filing, unit_head, bureau_head)
    stuck.refresh_from_db()
    assert stuck.stage == Stage.FILED


def test_the_lead_officer_can_be_handed_over(stuck, officer, third, unit_head, bureau_head):
    other = make_staff("lin_fourth", "林涛", officer.unit, Role.OFFICER)
    approval = stuck.request_approval(
        ApprovalKind.OFFICER_CHANGE, by=officer, reason="调岗。", officers=[third, other]
    )
    approve(approval, unit_head, bureau_head)
    assert stuck.assignments.get(is_lead=True).officer == third
    assert set(stuck.officers.all()) == {third, other}


def test_a_proposed_officer_without_a_valid_certificate_is_refused_on_request(
    make_case, officer, colleague, third
):
    case = make_case()
    suspend(third)
    with pytest.raises(TransitionRefused) as refused:
        case.request_approval(
            ApprovalKind.OFFICER_CHANGE, by=officer, reason="换人。", officers=[officer, third]
        )
    messages = refused.value.messages
    assert any(m.startswith("陈红：") and "已暂扣" in m for m in messages)
    assert any("第四十二条" in m and "目前只有 1 名" in m for m in messages)
    assert not Approval.objects.filter(case=case, kind=ApprovalKind.OFFICER_CHANGE).exists()


def test_certificates_are_checked_again_on_the_day_of_the_approval(
    stuck, officer, colleague, third, unit_head, bureau_head
):
    approval = stuck.request_approval(
        ApprovalKind.OFFICER_CHANGE, by=officer, reason="换人。", officers=[officer, third]
    )
    approval.give_opinion(unit_head, agree=True, opinion="拟同意。")
    suspend(third, reason="年度考核不合格")
    with pytest.raises(TransitionRefused, match="陈红：证件 .* 已暂扣"):
        approval.give_opinion(bureau_head, agree=True, opinion="同意。")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.AWAITING_BUREAU_HEAD
    assert set(stuck.officers.all()) == {officer, colleague}


def test_an_officer_of_another_unit_or_the_same_team_is_refused(make_case, officer, colleague, outsider):
    case = make_case()
    with pytest.raises(TransitionRefused, match="赵敏不属于"):
        case.request_approval(
            ApprovalKind.OFFICER_CHANGE, by=officer, reason="换人。", officers=[officer, outsider]
        )
    with pytest.raises(TransitionRefused, match="与现有承办人员相同"):
        case.request_approval(
            ApprovalKind.OFFICER_CHANGE, by=officer, reason="换人。", officers=[officer, colleague]
        )


def test_only_the_change_request_carries_officers(make_case, officer, third):
    with pytest.raises(TransitionRefused, match="只有“变更承办人员审批”"):
        make_case().request_approval(ApprovalKind.OTHER, by=officer, reason="其他。", officers=[third])


def test_a_simple_procedure_case_has_no_officer_change(make_case, officer, third):
    case = make_case(procedure="simple", title="当场处罚")
    with pytest.raises(TransitionRefused, match="简易程序"):
        case.request_approval(
            ApprovalKind.OFFICER_CHANGE, by=officer, reason="换人。", officers=[officer, third]
        )


# --- Pages -----------------------------------------------------------------------------------------------


def test_the_lead_form_marks_an_officer_whose_certificate_is_suspended(client, officer, colleague, third):
    suspend(colleague)
    login_as(client, officer)
    page = client.get(reverse("recording:lead_new")).content.decode()
    assert "王志强（⚠ 今日不能执法：证件" in page and "已暂扣" in page
    assert "陈红（⚠" not in page and "陈红" in page


def test_the_case_page_offers_the_change_with_marks_and_posts_it(
    client, stuck, officer, colleague, third, unit_head, bureau_head
):
    login_as(client, officer)
    page = client.get(reverse("cases:detail", args=[stuck.pk])).content.decode()
    assert "变更承办人员" in page and "王志强（⚠ 今日不能执法" in page
    client.post(
        reverse("cases:request_officer_change", args=[stuck.pk]),
        {"lead": str(officer.pk), "officers": [str(third.pk)], "reason": "王志强证件暂扣。"},
    )
    approval = Approval.objects.get(case=stuck, kind=ApprovalKind.OFFICER_CHANGE)
    assert approval.officer_change.lead == officer
    assert set(approval.officer_change.officers.all()) == {officer, third}
    approve(approval, unit_head, bureau_head)
    page = client.get(reverse("cases:detail", args=[stuck.pk])).content.decode()
    assert "变更后的承办人员：李桂芬（主办）、陈红" in page


def test_a_forged_change_post_with_a_suspended_officer_is_refused(
    client, make_case, officer, colleague, third
):
    case = make_case()
    suspend(third)
    login_as(client, officer)
    response = client.post(
        reverse("cases:request_officer_change", args=[case.pk]),
        {"lead": str(officer.pk), "officers": [str(third.pk)], "reason": "换人。"},
        follow=True,
    )
    assert not Approval.objects.filter(case=case, kind=ApprovalKind.OFFICER_CHANGE).exists()
    assert "目前只有 1 名" in response.content.decode()
