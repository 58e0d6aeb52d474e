"""The actions of the case page, through the pages (POST, redirect, message): the domain decides, the page
shows its Chinese answer, and a double submission changes nothing."""

import pytest
from django.urls import reverse

from tests.conftest import login_as
from wuding_enforcement.cases.models import Approval, ApprovalStatus, CaseTransition
from wuding_enforcement.cases.workflow import Stage

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def request_filing(client, case, reason="经核查，有违法事实，符合立案条件。"):
    return client.post(
        reverse("cases:request_approval", args=[case.pk]), {"kind": "filing", "reason": reason}, follow=True
    )


def test_a_filing_goes_from_the_officers_request_through_both_heads_to_a_numbered_case(
    client, officer, unit_head, bureau_head, make_case
):
    case = make_case()

    login_as(client, officer)
    response = request_filing(client, case)
    assert response.redirect_chain == [(reverse("cases:detail", args=[case.pk]), 302)]
    assert "已提交“立案审批”，等待狮山市场监督管理所负责人签署意见。" in messages_of(response)
    approval = Approval.objects.get(case=case)

    login_as(client, unit_head)
    home = client.get(reverse("home"))
    assert [a.pk for a in home.context["awaiting"]] == [approval.pk]
    assert case.lead_number in home.content.decode()
    response = client.post(
        reverse("cases:give_opinion", args=[case.pk, approval.pk]),
        {"agree": "yes", "opinion": "拟同意立案。"},
        follow=True,
    )
    assert "已签署意见，“立案审批”待局负责人审批。" in messages_of(response)
    assert client.get(reverse("home")).context["awaiting"] == []

    login_as(client, bureau_head)
    assert [a.pk for a in client.get(reverse("home")).context["awaiting"]] == [approval.pk]
    response = client.post(
        reverse("cases:give_opinion", args=[case.pk, approval.pk]),
        {"agree": "yes", "opinion": "同意立案。"},
        follow=True,
    )
    assert "已签署意见，“立案审批”已批准。" in messages_of(response)

    case.refresh_from_db()
    assert case.stage == Stage.FILED
    assert case.case_number == "武市监立〔2026〕1号"
    html = response.content.decode()
    assert "武市监立〔2026〕1号" in html
    assert '<span class="badge stage-filed">立案</span>' in html


def test_the_unit_head_refusing_ends_the_request_and_the_case_stays_a_lead(
    client, officer, unit_head, make_case
):
    case = make_case()
    login_as(client, officer)
    request_filing(client, case)
    approval = Approval.objects.get(case=case)
    login_as(client, unit_head)
    client.post(
        reverse("cases:give_opinion", args=[case.pk, approval.pk]),
        {"agree": "no", "opinion": "证据不足，继续核查。"},
    )
    approval.refresh_from_db()
    case.refresh_from_db()
    assert approval.status == ApprovalStatus.REJECTED
    assert case.stage == Stage.LEAD


def test_an_officer_cannot_give_the_unit_heads_opinion_and_is_told_why(client, officer, colleague, make_case):
    case = make_case()
    login_as(client, officer)
    request_filing(client, case)
    approval = Approval.objects.get(case=case)
    login_as(client, colleague)
    response = client.post(
        reverse("cases:give_opinion", args=[case.pk, approval.pk]),
        {"agree": "yes", "opinion": "同意。"},
        follow=True,
    )
    assert "此环节须由狮山市场监督管理所负责人签署意见。" in messages_of(response)
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.AWAITING_UNIT_HEAD
    assert not approval.opinions.exists()


def test_a_second_opinion_on_a_finished_approval_is_refused(client, officer, unit_head, make_case):
    case = make_case()
    login_as(client, officer)
    request_filing(client, case)
    approval = Approval.objects.get(case=case)
    login_as(client, unit_head)
    url = reverse("cases:give_opinion", args=[case.pk, approval.pk])
    client.post(url, {"agree": "no", "opinion": "不同意。"})
    response = client.post(url, {"agree": "yes", "opinion": "同意。"}, follow=True)
    assert "该审批已未批准，不能再签署意见。" in messages_of(response)
    assert approval.opinions.count() == 1


def test_a_double_submitted_approval_request_is_refused_and_only_one_exists(client, officer, make_case):
    case = make_case()
    login_as(client, officer)
    request_filing(client, case)
    response = request_filing(client, case)
    assert "本案已有待审批的“立案审批”，请勿重复提交。" in messages_of(response)
    assert Approval.objects.filter(case=case).count() == 1


def test_an_extension_request_records_its_days(client, officer, make_case):
    case = make_case()
    login_as(client, officer)
    client.post(
        reverse("cases:request_approval", args=[case.pk]),
        {"kind": "filing_ext", "days": "15", "reason": "需等待检验结果。"},
    )
    assert Approval.objects.get(case=case).days == 15


def test_an_extension_request_without_days_is_refused_in_chinese(client, officer, make_case):
    case = make_case()
    login_as(client, officer)
    response = client.post(
        reverse("cases:request_approval", args=[case.pk]),
        {"kind": "decision_ext", "reason": "案情复杂。"},
        follow=True,
    )
    assert "延长期限的申请须写明延长天数。" in messages_of(response)
    assert not Approval.objects.filter(case=case).exists()


def test_a_request_without_a_reason_is_refused_in_chinese(client, officer, make_case):
    case = make_case()
    login_as(client, officer)
    response = client.post(
        reverse("cases:request_approval", args=[case.pk]), {"kind": "filing", "reason": ""}, follow=True
    )
    assert any(m.startswith("申请理由：") for m in messages_of(response))
    assert not Approval.objects.filter(case=case).exists()


def test_a_refused_advance_shows_the_chinese_reason_and_nothing_changes(client, officer, make_case):
    case = make_case()
    login_as(client, officer)
    response = client.post(
        reverse("cases:advance", args=[case.pk]), {"target": "filed", "reason": "直接立案"}, follow=True
    )
    assert "“立案审批”尚未经承办单位负责人签署意见并由局负责人批准。" in messages_of(response)
    response = client.post(reverse("cases:advance", args=[case.pk]), {"target": "decided"}, follow=True)
    assert "案件当前处于“线索登记”阶段，不能转入“决定”。" in messages_of(response)
    case.refresh_from_db()
    assert case.stage == Stage.LEAD
    assert case.case_number is None
    assert not CaseTransition.objects.filter(case=case).exists()


def test_an_allowed_advance_moves_the_case_and_records_who_and_why(client, officer, make_case):
    case = make_case()
    login_as(client, officer)
    response = client.post(
        reverse("cases:advance", args=[case.pk]),
        {"target": "verifying", "reason": "开展核查。", "on": "2026-11-24"},
        follow=True,
    )
    assert "案件已转入“核查”阶段。" in messages_of(response)
    transition = CaseTransition.objects.get(case=case)
    assert (transition.to_stage, transition.actor, str(transition.on), transition.reason) == (
        "verifying",
        officer,
        "2026-11-24",
        "开展核查。",
    )
    assert "开展核查。" in response.content.decode()


def test_an_advance_dated_in_the_future_is_refused(client, officer, make_case):
    case = make_case()
    login_as(client, officer)
    response = client.post(
        reverse("cases:advance", args=[case.pk]), {"target": "verifying", "on": "2026-11-26"}, follow=True
    )
    assert any("不能晚于今天" in m for m in messages_of(response))
    case.refresh_from_db()
    assert case.stage == Stage.LEAD


def test_a_colleague_who_may_see_but_not_work_on_a_case_gets_404_on_its_actions(
    client, officer, colleague, unit_head, make_case
):
    # Assigned only to officer and unit head: the colleague of the same unit has no right on it at all.
    case = make_case(officers=[officer, unit_head])
    login_as(client, colleague)
    response = client.post(reverse("cases:advance", args=[case.pk]), {"target": "verifying"})
    assert response.status_code == 404
