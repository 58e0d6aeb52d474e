# ruff: noqa: F811  (pytest fixtures imported from publication_factories are redefined as arguments)
"""Publication decided by rule, not by a tick (总局令第45号 第二条、第五条、第六条、第八条; 未成年人保护法 第一百零三条):
minors by ID number, the exemption request, the 决定书's notice from the same rule, the check again at publish(),
the re-check of decisions already published; redaction that knows the case (informants, hearing participants,
names by pattern) and shows where each name comes from."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from disclosure import publication as domain
from disclosure import redaction, rules
from disclosure.models import (
    ExemptionGround,
    ExemptionStatus,
    Publication,
    PublicationExemption,
    PublicationStatus,
    RedactionSource,
    WithdrawalKind,
)
from recording.models import Document
from tests.disclosure.publication_factories import (  # noqa: F401  (fixtures)
    PERSON,
    decided_case,
    empty_cache,
    fake_pdf,
    issue_decision,
    now,
    serve,
)
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import Party
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db

D = datetime.date
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(born: str, region: str = "532329", seq: str = "123") -> str:
    """A fictitious 18-digit resident ID with a valid checksum (GB 11643-1999)."""
    body = region + born + seq
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


# --- Minors by ID number ------------------------------------------------------------------------------------


def test_the_birth_date_is_read_from_an_18_and_a_15_digit_resident_id():
    assert rules.birth_date_from_id(resident_id("20100501")) == D(2010, 5, 1)
    assert rules.birth_date_from_id("532329800101123") == D(1980, 1, 1)
    assert rules.birth_date_from_id("E12345678") is None
    assert rules.age_on(D(2008, 12, 1), D(2026, 11, 30)) == 17
    assert rules.age_on(D(2008, 12, 1), D(2026, 12, 1)) == 18


def test_a_party_whose_id_number_shows_age_16_gets_no_draft(decided_case, officer):
    case = decided_case(party={**PERSON, "id_number": resident_id("20100501")})
    decision = issue_decision(case, officer)
    assert not Publication.objects.filter(document=decision).exists()
    event = AuditEvent.objects.get(action="disclosure.publication.not_applicable")
    assert "未成年人保护法 第一百零三条" in event.detail["reason"]


def test_age_counts_on_the_date_of_the_violation_not_of_the_decision(decided_case, officer):
    # 17 when the lead reached the bureau (2026-11-02), 18 before the decision (2026-11-19).
    case = decided_case(party={**PERSON, "id_number": resident_id("20081110")})
    assert not Publication.objects.filter(document=issue_decision(case, officer)).exists()
    adult = decided_case(party={**PERSON, "id_number": resident_id("20081101")})
    assert Publication.objects.filter(document=issue_decision(adult, officer)).exists()


def test_a_party_marked_a_minor_after_the_draft_opened_is_not_published(decided_case, officer, bureau_head):
    case = decided_case(party=PERSON)
    decision = issue_decision(case, officer)
    serve(decision, officer)
    pub = Publication.objects.get(document=decision)
    Party.objects.filter(pk=decision.party_id).update(is_minor=True)
    with pytest.raises(Refused) as refused:
        pub.publish(by=bureau_head)
    assert any("未成年人保护法 第一百零三条" in m for m in refused.value.messages)
    pub.refresh_from_db()
    assert pub.status == PublicationStatus.DRAFT and not pub.published_text


# --- No tick: the notice is printed from the rule -----------------------------------------------------------


def test_an_unticked_80000_yuan_fine_is_published_all_the_same(decided_case, officer):
    case = decided_case()
    decision = issue_decision(case, officer, fine_amount="80000.00", will_publish="")
    pub = Publication.objects.get(document=decision)
    assert pub.fine_amount == 80000
    assert rules.NOTICE in pub.original_text


def test_a_warning_only_decision_prints_no_notice(decided_case, officer):
    case = decided_case()
    decision = issue_decision(
        case, officer, penalty_types=["warning"], fine_amount=None, confiscated_property=None
    )
    assert rules.NOTICE not in domain.issued_text(decision)


# --- The exemption request ----------------------------------------------------------------------------------


def test_a_pending_exemption_holds_back_the_decision_until_the_bureau_head_decides(
    decided_case, officer, bureau_head
):
    case = decided_case()
    request = PublicationExemption.request(
        case=case, ground=ExemptionGround.TRADE_SECRET, reason="配方工艺为商业秘密。", by=officer
    )
    assert request.ground_basis.startswith("总局令第45号 第六条")
    with pytest.raises(Exception) as refused:
        issue_decision(case, officer)
    assert "不予公示申请" in str(refused.value)
    request.decide(by=bureau_head, approve=True, note="同意。")
    assert request.status == ExemptionStatus.APPROVED
    decision = issue_decision(case, officer)
    assert not Publication.objects.filter(document=decision).exists()
    assert rules.NOTICE not in domain.issued_text(decision)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"disclosure.exemption.requested", "disclosure.exemption.approved"} <= actions


def test_only_a_bureau_head_other_than_the_requester_decides_and_a_refusal_needs_a_reason(
    decided_case, officer, unit_head, bureau_head
):
    case = decided_case()
    request = PublicationExemption.request(
        case=case, ground=ExemptionGround.PRIVACY, reason="涉及患者隐私。", by=officer
    )
    with pytest.raises(Refused, match="局负责人"):
        request.decide(by=unit_head, approve=True)
    with pytest.raises(Refused, match="写明理由"):
        request.decide(by=bureau_head, approve=False)
    own = PublicationExemption.request(
        case=case, ground=ExemptionGround.PRIVACY, reason="同上。", by=bureau_head
    )
    with pytest.raises(Refused, match="自己"):
        own.decide(by=bureau_head, approve=True)
    assert AuditEvent.objects.filter(action="disclosure.exemption.decision_refused").count() == 3
    request.decide(by=bureau_head, approve=False, note="不属于个人隐私，依法公示。")
    assert PublicationExemption.objects.get(pk=request.pk).status == ExemptionStatus.REFUSED


def test_an_exemption_needs_a_listed_ground_and_comes_before_the_decision(decided_case, officer):
    case = decided_case()
    with pytest.raises(Refused, match="法定理由"):
        PublicationExemption.request(case=case, ground="dislike", reason="不想公示", by=officer)
    issue_decision(case, officer)
    with pytest.raises(Refused, match="签发前"):
        PublicationExemption.request(
            case=case, ground=ExemptionGround.PRIVACY, reason="事后申请。", by=officer
        )
    assert AuditEvent.objects.filter(action="disclosure.exemption.request_refused").count() == 2


def test_an_exemption_approved_after_the_issue_does_not_change_the_printed_notice(
    decided_case, officer, bureau_head
):
    case = decided_case()
    decision = issue_decision(case, officer)
    item = PublicationExemption.objects.create(
        case=case, ground=ExemptionGround.PRIVACY, reason="补录", requested_by=officer
    )
    item.decide(by=bureau_head, approve=True)
    assert rules.NOTICE in domain.issued_text(decision)
    assert rules.verdict(decision).code == "exempt"


# --- Re-checking what is already published ------------------------------------------------------------------


def test_the_recheck_withdraws_a_minors_decision_and_corrects_a_newly_known_name(
    decided_case, officer, bureau_head
):
    minor_case = decided_case(party={**PERSON, "id_number": resident_id("19900101")})
    minor = issue_decision(minor_case, officer)
    other_case = decided_case()
    other = issue_decision(other_case, officer, facts="经查，当事人销售过期食品，李建华在场。")
    for decision in (minor, other):
        serve(decision, officer)
        Publication.objects.get(document=decision).publish(by=bureau_head)
    # Later: the party turns out to be 16 at the time (ID corrected), and an interviewee is recorded.
    Party.objects.filter(pk=minor.party_id).update(id_number=resident_id("20100501"))
    Document.objects.create(
        case=other_case, doc_type="inquiry_record", data={"interviewee_name": "李建华"}, created_by=officer
    )
    out = StringIO()
    call_command("recheck_publications", stdout=out)
    withdrawn = Publication.objects.get(document=minor)
    assert withdrawn.status == PublicationStatus.WITHDRAWN
    assert withdrawn.withdrawal_kind == WithdrawalKind.EXCLUDED
    assert "未成年人保护法" in withdrawn.withdrawal_reason
    corrected = Publication.objects.get(document=other)
    assert "李建华" not in corrected.published_text and "李某" in corrected.published_text
    added = corrected.redactions.get(source=RedactionSource.RECHECK)
    assert added.origin == "询问笔录（被询问人）"
    report = out.getvalue()
    assert "撤回 1 件，更正 1 件" in report
    assert AuditEvent.objects.filter(action="disclosure.publication.rechecked").count() == 2
    # Once is enough: a second run changes nothing.
    out = StringIO()
    call_command("recheck_publications", stdout=out)
    assert "撤回 0 件，更正 0 件" in out.getvalue()


# --- Redaction that knows the case --------------------------------------------------------------------------


def test_informants_hearing_participants_and_witnesses_in_the_text_are_redacted_with_their_source(
    decided_case, officer
):
    case = decided_case()
    Document.objects.create(
        case=case,
        doc_type="lead_register",
        data={"informant_name": "孙丽娟", "content": "举报某某商贸销售过期牛奶"},
        created_by=officer,
    )
    facts = "经查，当事人销售过期牛奶。投诉人孙丽娟反映情况属实；证人王小明证实上述事实。店员王小红在场。"
    pub = Publication.objects.get(document=issue_decision(case, officer, facts=facts))
    origins = {r.original: r.origin for r in pub.redactions.all() if r.kind == redaction.NAME}
    assert origins["孙丽娟"] == "案件来源登记表（投诉举报人）"
    assert origins["王小明"] == "决定书文字（“证人”）"
    assert origins["王小红"] == "现场笔录（现场负责人/在场人）"
    preview = pub.redacted_text()
    for name in ("孙丽娟", "王小明", "王小红"):
        assert name not in preview
    # The reviewer's preview shows where each comes from.
    assert any(span.origin == "决定书文字（“证人”）" for span in pub.active_spans())


def test_hearing_participants_other_than_the_party_are_known_people(decided_case, officer):
    case = decided_case()
    Document.objects.create(
        case=case,
        doc_type="hearing_record",
        data={"participants": "当事人法定代表人陈建国、委托代理人周志明、证人吴秀英"},
        created_by=officer,
    )
    names, *_ = domain.known_people(case, case.parties.first())
    assert names["周志明"] == "听证笔录（委托代理人）"
    assert names["吴秀英"] == "听证笔录（证人）"
    assert "陈建国" not in names  # the organisation's own legal representative is published


def test_names_by_pattern_skip_masked_names_and_words_that_are_not_names():
    found = redaction.names_by_role("证人王小明证实；证人证实；消费者王某某反映；委托代理人欧阳修到场。")
    assert found == {"王小明": "证人", "欧阳修": "委托代理人"}


def test_character_references_are_decoded_once():
    text = domain.html_to_text("<p>网店地址 https://shop.example/item?id=1&amp;region=5 &amp;lt;</p>")
    assert text == "网店地址 https://shop.example/item?id=1&region=5 &lt;"
