"""Which approvals a case may ask for is decided by the domain (Case.request_approval and the registered
approval rules), at the case's stage and procedure: the model method, the case page and a forged POST to
either approval URL all get the same refusal, and the page offers only what the domain admits."""

import pytest
from django.urls import reverse

from tests.conftest import file_case, login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.forms import approval_kinds_for
from wuding_enforcement.cases.models import Approval, ApprovalKind
from wuding_enforcement.cases.workflow import Procedure, Stage, TransitionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(make_case):
    return make_case()


@pytest.fixture
def simple_case(make_case):
    return make_case(procedure=Procedure.SIMPLE, title="当场处罚：未明码标价")


@pytest.fixture
def filed(make_case, officer, unit_head, bureau_head):
    return file_case(make_case(), unit_head, bureau_head, by=officer)


def test_a_lead_cannot_ask_to_extend_the_decision_period(lead, officer):
    with pytest.raises(TransitionRefused, match="尚未立案.*第六十条"):
        lead.request_approval(ApprovalKind.DECISION_EXTENSION, by=officer, reason="案情复杂。", days=30)
    assert not Approval.objects.filter(case=lead).exists()
    refusal = AuditEvent.objects.get(action="cases.approval.request_refused")
    assert refusal.detail["kind"] == ApprovalKind.DECISION_EXTENSION


def test_a_filed_case_may_extend_its_decision_period(filed, officer):
    approval = filed.request_approval(
        ApprovalKind.DECISION_EXTENSION, by=officer, reason="案情复杂。", days=30
    )
    assert approval.kind == ApprovalKind.DECISION_EXTENSION


def test_a_simple_procedure_case_cannot_ask_for_filing(simple_case, officer):
    with pytest.raises(TransitionRefused, match="简易程序.*第五十一条"):
        simple_case.request_approval(ApprovalKind.FILING, by=officer, reason="补办立案。")
    assert not Approval.objects.filter(case=simple_case).exists()


@pytest.mark.parametrize(
    "kind",
    [
        ApprovalKind.NOT_FILING,
        ApprovalKind.FILING_EXTENSION,
        ApprovalKind.CLOSING,
        ApprovalKind.PRESERVATION,
        ApprovalKind.SEIZURE,
    ],
)
def test_a_simple_procedure_case_asks_for_none_of_the_ordinary_approvals(simple_case, officer, kind):
    with pytest.raises(TransitionRefused, match="简易程序"):
        simple_case.request_approval(kind, by=officer, reason="申请。", days=10)


def test_a_filed_case_cannot_ask_for_filing_again_nor_for_closing_yet(filed, officer):
    with pytest.raises(TransitionRefused, match="“立案”阶段，不能申请“立案审批”"):
        filed.request_approval(ApprovalKind.FILING, by=officer, reason="再次立案。")
    with pytest.raises(TransitionRefused, match="不能申请“结案审批”"):
        filed.request_approval(ApprovalKind.CLOSING, by=officer, reason="结案。")
    with pytest.raises(TransitionRefused, match="不能申请“延长立案核查期限”"):
        filed.request_approval(ApprovalKind.FILING_EXTENSION, by=officer, reason="核查。", days=10)


def test_an_unknown_kind_is_refused(lead, officer):
    with pytest.raises(TransitionRefused, match="没有这种审批事项"):
        lead.request_approval("anything", by=officer, reason="试试。")


def test_a_seizure_can_be_extended_only_once_taken(filed, officer):
    with pytest.raises(TransitionRefused, match="尚未签发实施查封、扣押决定书"):
        filed.request_approval(ApprovalKind.SEIZURE_EXTENSION, by=officer, reason="检验需要。", days=30)
    assert filed.request_approval(ApprovalKind.SEIZURE, by=officer, reason="证据可能转移。")


def test_a_finished_case_takes_no_coercive_measure(make_case, officer, unit_head, bureau_head):
    case = make_case()
    approval = case.request_approval(ApprovalKind.NOT_FILING, by=officer, reason="违法事实不成立。")
    approval.give_opinion(unit_head, agree=True, opinion="同意。")
    approval.give_opinion(bureau_head, agree=True, opinion="同意。")
    case.refresh_from_db()
    assert case.stage == Stage.NOT_FILED
    for kind in (ApprovalKind.SEIZURE, ApprovalKind.PRESERVATION, ApprovalKind.OTHER):
        with pytest.raises(TransitionRefused, match="已办结|已不予立案"):
            case.request_approval(kind, by=officer, reason="申请。")


# --- What the pages offer: only what the domain admits -------------------------------------------------


def test_the_case_page_offers_a_lead_filing_but_not_the_decision_extension(lead):
    kinds = approval_kinds_for(lead)
    assert ApprovalKind.FILING in kinds and ApprovalKind.FILING_EXTENSION in kinds
    assert ApprovalKind.DECISION_EXTENSION not in kinds and ApprovalKind.CLOSING not in kinds


def test_the_case_page_offers_a_simple_case_only_other_matters(simple_case):
    assert approval_kinds_for(simple_case) == [ApprovalKind.OTHER]


def test_the_offered_kinds_are_exactly_those_the_domain_accepts(filed, officer):
    offered = set(approval_kinds_for(filed))
    for kind in (ApprovalKind.FILING, ApprovalKind.DECISION_EXTENSION, ApprovalKind.CLOSING):
        assert (kind in offered) == (not filed.approval_refusals(kind))
    assert ApprovalKind.DECISION_EXTENSION in offered and ApprovalKind.FILING not in offered


# --- Forged POSTs get the same refusal ---------------------------------------------------------------


def test_a_forged_post_of_a_decision_extension_on_a_lead_is_refused(client, lead, officer):
    login_as(client, officer)
    response = client.post(
        reverse("cases:request_approval", args=[lead.pk]),
        {"kind": "decision_ext", "reason": "伪造的延长申请。", "days": "30"},
        follow=True,
    )
    assert not Approval.objects.filter(case=lead).exists()
    assert "第六十条" in response.content.decode()


def test_a_forged_post_of_a_filing_on_a_simple_case_is_refused(client, simple_case, officer):
    login_as(client, officer)
    response = client.post(
        reverse("cases:request_approval", args=[simple_case.pk]),
        {"kind": "filing", "reason": "伪造的立案申请。"},
        follow=True,
    )
    assert not Approval.objects.filter(case=simple_case).exists()
    assert "第五十一条" in response.content.decode()


def test_a_forged_post_to_the_recording_approval_url_is_refused(client, simple_case, officer):
    login_as(client, officer)
    response = client.post(
        reverse("recording:coercion_approval_request", args=[simple_case.pk]),
        {"kind": "seizure", "reason": "伪造的扣押申请。"},
        follow=True,
    )
    assert not Approval.objects.filter(case=simple_case).exists()
    assert "不能申请“查封扣押审批”" in response.content.decode()


def test_the_case_page_posts_what_it_offers(client, lead, officer):
    login_as(client, officer)
    page = client.get(reverse("cases:detail", args=[lead.pk])).content.decode()
    assert 'value="filing"' in page and 'value="decision_ext"' not in page
    client.post(
        reverse("cases:request_approval", args=[lead.pk]), {"kind": "filing", "reason": "符合立案条件。"}
    )
    assert Approval.objects.filter(case=lead, kind=ApprovalKind.FILING).exists()
