"""The decision and service stage documents: each type's own form and template, issued into a real PDF.

Decision documents (案件调查终结报告 ... 行政处罚决定书, 不予行政处罚决定书) and service documents (送达地址确认书,
送达回证, 结案审批表, 涉嫌犯罪案件移送书)."""

import datetime
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from recording.doctypes import get_type
from recording.models import Document
from tests.conftest import file_case, walk_lawfully
from wuding_enforcement.cases.models import PartyKind, RuleSettings
from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.shared.forms import yuan_in_words
from wuding_enforcement.shared.penalties import PENALTY_TYPES

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
# A Friday in late November 2026: no holiday near, every date below is in the past.
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=TZ)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def case_at(now, make_case, unit_head, bureau_head, officer):
    """A case walked lawfully (docs/domain.md §6) up to `stage`: filed 11-02, investigated 11-03, report 11-04,
    告知 11-05 (every penalty type notified), served 11-06, decided 11-16, 决定书 served 11-17."""

    def factory(stage, **overrides):
        with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=TZ), tick=False):
            case = file_case(make_case(**overrides), unit_head, bureau_head, officer)
        days = dict(zip(LAWFUL_STAGES, (3, 4, 5, 6, 16, 17), strict=True))
        return walk_lawfully(
            case,
            stage,
            by=officer,
            unit_head=unit_head,
            bureau_head=bureau_head,
            dates={stage: datetime.date(2026, 11, day) for stage, day in days.items()},
            notice={
                "penalty_types": [code for code, _ in PENALTY_TYPES],
                "fine_amount": "1000000.00",
                "confiscated_gains": "1000000.00",
                "confiscated_property_value": "1000000.00",
            },
        )

    return factory


@pytest.fixture
def case(case_at):
    """A case decided lawfully on 11-16 (docs/domain.md §6), so its 决定书 of 11-19 and receipts may be issued."""
    return case_at(Stage.DECIDED)


@pytest.fixture
def concluded(case_at):
    """A case whose investigation is concluded (11-04): the 行政处罚告知书 is issued at this stage."""
    return case_at(Stage.INVESTIGATION_CONCLUDED)


LAWFUL_STAGES = (
    Stage.INVESTIGATING,
    Stage.INVESTIGATION_CONCLUDED,
    Stage.NOTIFIED,
    Stage.STATEMENT,
    Stage.DECIDED,
    Stage.SERVED,
)


def cleaned(key, data, *, case=None):
    form = get_type(key).form(data, case=case)
    assert form.is_valid(), form.errors.as_json()
    return get_type(key).to_json(form.cleaned_data)


def errors_of(key, data, *, case=None):
    form = get_type(key).form(data, case=case)
    assert not form.is_valid()
    return form.errors


def draft(case, key, data, *, by, officers=(), act_date=None, av_exemption="", with_party=None):
    doctype = get_type(key)
    with_party = doctype.to_party if with_party is None else with_party
    document = Document.objects.create(
        case=case,
        doc_type=key,
        data=cleaned(key, data, case=case),
        party=case.parties.first() if with_party else None,
        act_date=act_date,
        av_exemption=av_exemption,
        party_signature="pending" if doctype.to_party or doctype.act else "na",
        created_by=by,
    )
    document.officers.set(officers)
    return document


def pdf_text(document) -> str:
    document.pdf.open("rb")
    try:
        content = document.pdf.read()
    finally:
        document.pdf.close()
    assert content.startswith(b"%PDF-")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    # pdftotext breaks long lines; compare the text without its layout whitespace.
    return "".join(result.stdout.decode("utf-8").split())


DECISION = {
    "facts": "2026年11月2日，当事人在其经营场所销售超过保质期的“某某牌”牛奶12箱。",
    "evidence": "1.现场笔录；2.询问笔录；3.现场照片；4.进货单据。",
    "violation_type": "经营超过保质期的食品",
    "basis_violated": "《中华人民共和国食品安全法》第三十四条第十项",
    "basis_penalty": "《中华人民共和国食品安全法》第一百二十四条第一款第五项",
    "discretion": "ordinary",
    "discretion_reason": "当事人无从轻、减轻或从重处罚情节。",
    "statements_answer": "当事人在法定期限内未提出陈述、申辩。",
    "penalty_types": ["fine", "confiscate_property"],
    "fine_amount": "12000.00",
    "confiscated_property": "超过保质期的“某某牌”牛奶12箱",
    "performance": "自收到本决定书之日起十五日内，到本局指定的代收银行缴纳罚款。",
    "performance_deadline_days": "15",
    "decided_on": "2026-11-19",
    "will_publish": "on",
    "publication_notice": "本决定书将通过国家企业信用信息公示系统向社会公示。",
}

PROPOSAL = {
    "facts": "当事人销售超过保质期的牛奶12箱。",
    "evidence": "现场笔录、询问笔录、现场照片。",
    "basis_violated": "《中华人民共和国食品安全法》第三十四条第十项",
    "basis_penalty": "《中华人民共和国食品安全法》第一百二十四条第一款第五项",
    "penalty_types": ["fine"],
    "fine_amount": "12000.00",
}


# The stage at which each type is issued in valid_data's test (recording/order.py ISSUING: each type only at
# the stages where it belongs; the 结案审批表 after the decision is served, the 移送书 before any decision).
ISSUED_AT = {
    "investigation_report": Stage.INVESTIGATING,
    "hearing_notice": Stage.STATEMENT,
    "decision_approval": Stage.STATEMENT,
    "no_penalty_decision": Stage.DECIDED,
    "address_confirmation": Stage.DECIDED,
    "service_receipt": Stage.DECIDED,
    "closing_approval": Stage.SERVED,
    "crime_transfer": Stage.INVESTIGATION_CONCLUDED,
}


def valid_data(case):
    """One valid draft per type, and what its PDF must say (besides title and number)."""
    notice = case.documents.filter(doc_type="penalty_notice").order_by("pk").last()
    return {
        "investigation_report": (
            {
                **PROPOSAL,
                "nature": "经营超过保质期的食品",
                "discretion": "ordinary",
                "discretion_reason": "无法定从轻从重情节。",
                "is_major": "on",
                "major_reason": "拟罚款数额达到法人较大数额以下，但涉及食品安全。",
                "opinion": "建议罚款12000元。",
                "reported_on": "2026-11-10",
            },
            ["12,000.00", "壹万贰仟元整", "建议罚款12000元"],
        ),
        "hearing_notice": (
            {
                "hearing_at": "2026-12-10T09:30",
                "hearing_place": "武定县市场监督管理局三楼会议室",
                "presiding_officer": "张明",
                "clerk": "刘芳",
                "public": "on",
                "contact": "李桂芬 0878-8712345",
            },
            ["2026年12月10日09:30", "武定县市场监督管理局三楼会议室", "张明"],
        ),
        "decision_approval": (
            {
                "proposed_summary": "对当事人罚款12000元，没收超过保质期的牛奶12箱。",
                "discretion": "ordinary",
                "legal_review_ref": "法制审核意见：同意",
                "collective_discussion_ref": "",
                "handler_opinion": "建议按上述意见作出处罚决定。",
                "submitted_on": "2026-11-18",
            },
            ["对当事人罚款12000元", "一般处罚", "局负责人审批意见"],
        ),
        "no_penalty_decision": (
            {
                "facts": "当事人销售超过保质期的饼干1包，货值3元。",
                "evidence": "现场笔录。",
                "basis_violated": "《中华人民共和国食品安全法》第三十四条第十项",
                "basis_no_penalty": "《中华人民共和国行政处罚法》第三十三条第一款",
                "reason": "当事人初次违法，危害后果轻微并及时改正。",
                "education": "已对当事人进行批评教育，当场下架。",
                "decided_on": "2026-11-19",
            },
            ["不予行政处罚", "武定县人民政府", "第三十三条第一款"],
        ),
        "address_confirmation": (
            {
                "address": "武定县狮山镇某路1号",
                "recipient": "陈某",
                "phone": "13800000000",
                "electronic_consent": "on",
                "email": "chen@example.com",
                "confirmed_on": "2026-11-03",
            },
            ["武定县狮山镇某路1号", "同意采用电子送达", "chen@example.com"],
        ),
        "service_receipt": (
            {
                "served_document": str(notice.pk if notice else ""),
                "served_at": "2026-11-19T15:00",
                "method": "direct",
                "place": "当事人经营场所",
                "recipient": "陈某（法定代表人）",
            },
            [
                f"行政处罚告知书{notice.number if notice else ''}",
                "受送达人武定县某某商贸有限公司",
                "直接送达",
                "陈某（法定代表人）",
            ],
        ),
        "closing_approval": (
            {
                "decision_ref": "武市监处罚〔2026〕9号",
                "execution_status": "performed",
                "fine_paid": "12000.00",
                "paid_on": "2026-11-18",
                "handler_opinion": "当事人已全部履行，建议结案。",
                "submitted_on": "2026-11-19",
            },
            ["当事人已全部履行", "12,000.00", "壹万贰仟元整", "2026年11月18日"],
        ),
        "crime_transfer": (
            {
                "receiving_organ": "武定县公安局",
                "suspect": "武定县某某商贸有限公司",
                "suspected_crime": "销售伪劣产品罪",
                "facts": "当事人销售伪劣产品，销售金额达8万元。",
                "evidence_list": "1.现场笔录；2.销售台账。",
                "report_received_on": "2026-11-17",
                "approved_on": "2026-11-18",
                "approved_by": "孙卫东",
                "contact": "李桂芬 0878-8712345",
            },
            ["武定县公安局", "销售伪劣产品罪", "24小时内", "国务院令第310号"],
        ),
    }


NOTICE_EXTRA = {
    "hearing_right": "on",
    "contact": "李桂芬 0878-8712345",
    "bureau_address": "武定县狮山镇某路8号",
    "notified_on": "2026-11-16",
}


@pytest.mark.parametrize("key", list(ISSUED_AT))
def test_each_type_issues_a_valid_draft_into_a_real_pdf(case_at, officer, colleague, key):
    case = case_at(ISSUED_AT[key])
    data, expected = valid_data(case)[key]
    doctype = get_type(key)
    document = draft(case, key, data, by=officer)
    issued = document.issue(by=officer)
    text = pdf_text(issued)
    assert doctype.title in text, key
    if doctype.number_word:
        assert issued.number.startswith(f"武市监{doctype.number_word}〔2026〕")
        assert issued.number in text, key
    else:
        assert issued.number is None and issued.file_seq
        assert f"卷内编号：第{issued.file_seq}号" in text, key
    for value in expected:
        assert value in text, (key, value)


def test_the_hearing_record_issues_with_two_certified_officers(case_at, officer, colleague):
    case = case_at(Stage.STATEMENT)
    data = {
        "started_at": "2026-11-12T09:30",
        "ended_at": "2026-11-12T11:00",
        "place": "本局三楼会议室",
        "presiding_officer": "张明",
        "recorder": "刘芳",
        "participants": "当事人委托代理人陈某；案件调查人员李桂芬、王志强。",
        "investigators_statement": "调查人员陈述违法事实和证据，建议罚款12000元。",
        "party_statement": "当事人称系店员疏忽，已全部下架。",
        "cross_examination": "当事人对证据无异议。",
        "final_statements": "请求从轻处罚。",
    }
    document = draft(
        case,
        "hearing_record",
        data,
        by=officer,
        officers=[officer, colleague],
        act_date=datetime.date(2026, 11, 12),
        av_exemption="听证全程文字记录，当事人签字确认。",
    )
    text = pdf_text(document.issue(by=officer))
    assert "听证笔录" in text and "请求从轻处罚" in text and "09:30至11:00" in text


def test_the_penalty_decision_pdf_states_number_amounts_in_words_and_the_remedy(case, officer):
    document = draft(case, "penalty_decision", DECISION, by=officer)
    issued = document.issue(by=officer)
    text = pdf_text(issued)
    assert issued.number == "武市监处罚〔2026〕1号"
    for value in (
        "武市监处罚〔2026〕1号",
        "武定县某某商贸有限公司",
        "统一社会信用代码：91532329MA6K000001",
        "法定代表人（负责人）：陈某",
        "罚款人民币12,000.00元（大写：壹万贰仟元整）",
        "没收非法财物：超过保质期的“某某牌”牛奶12箱",
        "60日内向武定县人民政府申请行政复议",
        "6个月内依法向武定县人民法院提起行政诉讼",
        "每日按罚款数额的百分之三加处罚款",
        "国家企业信用信息公示系统",
        "2026年11月19日",
    ):
        assert value in text, value
    # The stored data says what the PDF says.
    assert "".join(issued.data["remedy"].split()) in text


def test_a_changed_remedy_body_appears_in_the_next_issued_decision(case, officer):
    first = draft(case, "penalty_decision", DECISION, by=officer)
    rules = RuleSettings.current()
    rules.remedy_review_body = "楚雄彝族自治州人民政府"
    rules.save()
    # A draft saved before the change may not be issued with the old route: it must be saved again.
    with pytest.raises(TransitionRefused) as refused:
        first.issue(by=officer)
    assert "复议、诉讼告知内容已按现行办案规则参数更新" in str(refused.value.messages)
    second = draft(case, "penalty_decision", DECISION, by=officer)
    assert "楚雄彝族自治州人民政府" in second.data["remedy"]
    text = pdf_text(second.issue(by=officer))
    assert "楚雄彝族自治州人民政府申请行政复议" in text
    assert "武定县人民政府" not in text


ARTICLE_59 = [
    "facts",
    "evidence",
    "violation_type",
    "basis_violated",
    "basis_penalty",
    "penalty_types",
    "performance",
    "performance_deadline_days",
    "decided_on",
]


@pytest.mark.parametrize("missing", ARTICLE_59)
def test_the_decision_form_refuses_each_missing_content_of_article_59(now, missing):
    data = {k: v for k, v in DECISION.items() if k != missing}
    errors = errors_of("penalty_decision", data)
    assert "行政处罚法 第五十九条" in errors[missing][0]


def test_a_decision_without_a_party_is_not_issued(case, officer):
    document = draft(case, "penalty_decision", DECISION, by=officer, with_party=False)
    with pytest.raises(TransitionRefused) as refused:
        document.issue(by=officer)
    assert "请选择文书送达的当事人。" in refused.value.messages
    document.refresh_from_db()
    assert document.status == "draft" and document.number is None and not document.pdf


def test_the_decision_has_no_publication_tick_the_rule_prints_the_notice(now):
    # 总局令第45号 第八条: whether the decision is published is the publication rule's (disclosure/rules.py);
    # an officer's untick no longer reaches the data.
    form = get_type("penalty_decision").form(DECISION)
    assert "will_publish" not in form.fields and "publication_notice" not in form.fields
    assert "will_publish" not in cleaned("penalty_decision", {**DECISION, "will_publish": ""})


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"fine_amount": ""}, "fine_amount", "请填写金额"),
        ({"penalty_types": ["confiscate_property"]}, "fine_amount", "不应填写该金额"),
        ({"confiscated_gains": "300.00"}, "confiscated_gains", "不应填写该金额"),
        ({"fine_amount": "0.00"}, "fine_amount", "金额须大于零"),
        ({"confiscated_property": ""}, "confiscated_property", "请列明没收的非法财物"),
        ({"penalty_types": ["fine", "revoke_licence"]}, "licence_action", "请写明暂扣或吊销的许可证件"),
        ({"fine_amount": "12000.005"}, "fine_amount", "2"),
        ({"fine_amount": "-5"}, "fine_amount", "0"),
        ({"decided_on": "2026-11-21"}, "decided_on", "日期不能晚于今天"),
    ],
)
def test_the_decision_refuses_inconsistent_penalty_types_and_amounts(now, change, field, message):
    errors = errors_of("penalty_decision", {**DECISION, **change})
    assert message in " ".join(errors[field])


def test_a_no_penalty_decision_is_the_place_for_discretion_none(now):
    errors = errors_of("penalty_decision", {**DECISION, "discretion": "none"})
    assert "不予行政处罚决定书" in errors["penalty_types"][0]


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0.05", "伍分"),
        ("10", "壹拾元整"),
        ("100000", "壹拾万元整"),
        ("1200.50", "壹仟贰佰元伍角整"),
        ("10010.00", "壹万零壹拾元整"),
        ("1000000.07", "壹佰万元零柒分"),
        ("12000", "壹万贰仟元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("0", "零元整"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ],
)
def test_yuan_in_words_writes_amounts_as_the_banking_rules_do(amount, words):
    assert yuan_in_words(Decimal(amount)) == words


@pytest.mark.parametrize("amount", ["-1", "0.001"])
def test_yuan_in_words_refuses_what_is_not_an_amount(amount):
    with pytest.raises(ValueError):
        yuan_in_words(Decimal(amount))


# --- 听证通知书: seven working days ahead (行政处罚法 第六十四条) ---------------------------------------

HEARING = {
    "hearing_place": "本局三楼会议室",
    "presiding_officer": "张明",
    "clerk": "刘芳",
    "contact": "李桂芬 0878-8712345",
}


def test_a_hearing_notice_less_than_seven_working_days_ahead_of_national_day_is_refused():
    # Friday 26 September 2025: 国庆节、中秋节 1–8 October are holidays, Sunday 28 September and Saturday
    # 11 October are working days. Seven working days later is Monday 13 October — not 3 October.
    with time_machine.travel(datetime.datetime(2025, 9, 26, 9, 0, tzinfo=TZ), tick=False):
        errors = errors_of("hearing_notice", {**HEARING, "hearing_at": "2025-10-10T09:00"})
        message = errors["hearing_at"][0]
        assert "最早为2025年10月13日" in message and "国庆节" in message
        assert cleaned("hearing_notice", {**HEARING, "hearing_at": "2025-10-13T09:00"})


def test_a_hearing_notice_drafted_in_time_is_refused_at_issue_when_too_late(
    make_case, unit_head, bureau_head, officer
):
    with time_machine.travel(datetime.datetime(2025, 9, 22, 9, 0, tzinfo=TZ), tick=False):
        case = file_case(make_case(lead_date=datetime.date(2025, 9, 1)), unit_head, bureau_head, officer)
        document = draft(case, "hearing_notice", {**HEARING, "hearing_at": "2025-10-10T09:00"}, by=officer)
    with (
        time_machine.travel(datetime.datetime(2025, 9, 26, 9, 0, tzinfo=TZ), tick=False),
        pytest.raises(TransitionRefused) as refused,
    ):
        document.issue(by=officer)
    assert any("2025年10月13日" in m for m in refused.value.messages)
    document.refresh_from_db()
    assert document.status == "draft"


# --- 行政处罚告知书 -----------------------------------------------------------------------------------


def test_the_notice_refuses_to_withhold_the_hearing_right_for_a_large_fine(case):
    data = {**PROPOSAL, **NOTICE_EXTRA, "hearing_right": "", "fine_amount": "100000.00"}
    errors = errors_of("penalty_notice", data, case=case)
    assert "行政处罚法 第六十三条" in errors["hearing_right"][0]


def test_the_notice_uses_the_organisation_threshold_when_every_party_is_an_organisation(case):
    # 12,000 元 is a 较大数额 for a natural person (10,000) but not for an organisation (100,000).
    data = {**PROPOSAL, **NOTICE_EXTRA, "hearing_right": ""}
    assert cleaned("penalty_notice", data, case=case)
    case.parties.update(kind=PartyKind.PERSON, credit_code="", id_number="532329199001010011")
    errors = errors_of("penalty_notice", data, case=case)
    assert "12,000.00元" in errors["hearing_right"][0]


def test_the_notice_requires_the_hearing_right_for_a_licence_revocation(case):
    data = {**PROPOSAL, **NOTICE_EXTRA, "hearing_right": "", "penalty_types": ["fine", "revoke_licence"]}
    data["licence_action"] = "食品经营许可证 JY15323290000001"
    errors = errors_of("penalty_notice", data, case=case)
    assert "吊销许可证件" in errors["hearing_right"][0]


def test_the_notice_pdf_states_both_rights_and_the_five_working_days(concluded, officer):
    case = concluded
    document = draft(case, "penalty_notice", {**PROPOSAL, **NOTICE_EXTRA}, by=officer)
    text = pdf_text(document.issue(by=officer))
    assert "武市监告知〔2026〕1号" in text
    assert "第四十四条、第四十五条" in text and "第六十三条、第六十四条" in text
    assert text.count("五个工作日内") == 2
    assert "罚款人民币12,000.00元（大写：壹万贰仟元整）" in text


# --- 送达回证 ------------------------------------------------------------------------------------------


def test_the_receipt_offers_only_this_cases_issued_documents(concluded, officer):
    case = concluded
    issued = draft(case, "penalty_notice", {**PROPOSAL, **NOTICE_EXTRA}, by=officer)
    issued.issue(by=officer)
    still_draft = draft(case, "penalty_decision", DECISION, by=officer)
    form = get_type("service_receipt").form(case=case)
    offered = [value for value, _ in form.fields["served_document"].choices if value]
    on_file = case.documents.filter(status="issued").exclude(doc_type="service_receipt")
    assert issued.pk in offered and still_draft.pk not in offered
    assert offered == list(on_file.order_by("issued_at", "pk").values_list("pk", flat=True))
    base = {"served_at": "2026-11-20T10:00", "method": "direct", "place": "经营场所", "recipient": "陈某"}
    errors = errors_of("service_receipt", {**base, "served_document": str(still_draft.pk)}, case=case)
    assert "请选择本案已签发的文书" in errors["served_document"][0]


def test_a_receipt_for_another_cases_document_is_refused(case, case_at, officer):
    other = case_at(Stage.INVESTIGATION_CONCLUDED, title="另一案")
    foreign = draft(other, "penalty_notice", {**PROPOSAL, **NOTICE_EXTRA}, by=officer)
    foreign.issue(by=officer)
    base = {"served_at": "2026-11-20T10:00", "method": "direct", "place": "经营场所", "recipient": "陈某"}
    errors = errors_of("service_receipt", {**base, "served_document": str(foreign.pk)}, case=case)
    assert "请选择本案已签发的文书" in errors["served_document"][0]


def test_service_by_leaving_needs_a_witness_the_refusal_and_av_or_a_reason(concluded, officer):
    case = concluded
    notice = draft(case, "penalty_notice", {**PROPOSAL, **NOTICE_EXTRA}, by=officer)
    notice.issue(by=officer)
    base = {
        "served_document": str(notice.pk),
        "served_at": "2026-11-20T10:00",
        "method": "left",
        "place": "当事人经营场所",
        "recipient": "陈某",
    }
    errors = errors_of("service_receipt", base, case=case)
    assert "见证人" in errors["witness"][0] and "拒收" in errors["refusal_reason"][0]
    data = {**base, "witness": "村委会主任赵某", "refusal_reason": "陈某拒绝签收，已将文书留置于其经营场所。"}
    receipt = draft(case, "service_receipt", data, by=officer)
    with pytest.raises(TransitionRefused) as refused:
        receipt.issue(by=officer)
    assert any("留置送达请关联音像记录" in m for m in refused.value.messages)
    receipt.av_exemption = "见证人在场签字，文字记录足以反映送达过程。"
    receipt.save()
    text = pdf_text(receipt.issue(by=officer))
    assert "留置送达" in text and "村委会主任赵某" in text


def test_a_receipt_cannot_predate_the_served_document(concluded, officer):
    case = concluded
    notice = draft(case, "penalty_notice", {**PROPOSAL, **NOTICE_EXTRA}, by=officer)
    notice.issue(by=officer)
    data = {
        "served_document": str(notice.pk),
        "served_at": "2026-11-20T10:00",
        "method": "direct",
        "place": "经营场所",
        "recipient": "陈某",
    }
    assert cleaned("service_receipt", data, case=case)
    errors = errors_of("service_receipt", {**data, "served_at": "2026-11-20T09:59"}, case=case)
    assert "早于该文书的签发时间" in errors["served_at"][0]


# --- Other rules ---------------------------------------------------------------------------------------


def test_the_investigation_report_keeps_discretion_and_proposal_consistent(now):
    base = {
        **PROPOSAL,
        "nature": "经营超过保质期的食品",
        "discretion": "none",
        "discretion_reason": "初次违法且及时改正。",
        "major_reason": "不属于重大执法决定。",
        "opinion": "建议不予处罚。",
        "reported_on": "2026-11-10",
    }
    assert "不应提出处罚种类" in errors_of("investigation_report", base)["penalty_types"][0]
    no_penalty = {**base, "penalty_types": [], "fine_amount": ""}
    assert cleaned("investigation_report", no_penalty)["penalty_types"] == []
    proposing_nothing = {**no_penalty, "discretion": "ordinary"}
    assert "请选择拟处罚种类" in errors_of("investigation_report", proposing_nothing)["penalty_types"][0]


def test_the_no_penalty_decision_stores_discretion_none_and_its_own_remedy(now):
    data = cleaned(
        "no_penalty_decision",
        {
            "facts": "事实",
            "evidence": "证据",
            "basis_violated": "《中华人民共和国食品安全法》第三十四条第（十）项",
            "basis_no_penalty": "行政处罚法 第三十三条第一款",
            "reason": "初次违法",
            "education": "已教育",
            "decided_on": "2026-11-19",
        },
    )
    assert data["discretion"] == "none"
    assert "如不服本决定" in data["remedy"] and "不停止执行" not in data["remedy"]


def test_electronic_service_needs_an_address_to_serve_to(now):
    data = {
        "address": "武定县狮山镇某路1号",
        "recipient": "陈某",
        "phone": "13800000000",
        "electronic_consent": "on",
        "confirmed_on": "2026-11-03",
    }
    assert "电子邮箱或传真" in errors_of("address_confirmation", data)["email"][0]


def test_closing_needs_the_payment_date_with_the_amount_paid(now):
    data = {
        "execution_status": "performed",
        "fine_paid": "12000.00",
        "handler_opinion": "建议结案。",
        "submitted_on": "2026-11-19",
    }
    assert "缴纳日期" in errors_of("closing_approval", data)["paid_on"][0]
    partly = {**data, "paid_on": "2026-11-18", "execution_status": "partly"}
    assert "说明执行情况" in errors_of("closing_approval", partly)["execution_details"][0]


def test_a_decision_recorded_without_its_optional_fields_still_prints_the_current_remedy(case, officer):
    # Demo data and other producers may store a draft without the optional fields and the remedy: the PDF
    # prints them empty (and the remedy from the settings) rather than failing.
    data = cleaned("penalty_decision", DECISION)
    for name in ("statements_answer", "remedy", "other_penalty", "licence_action"):
        data.pop(name)
    document = Document.objects.create(
        case=case, doc_type="penalty_decision", data=data, party=case.parties.first(), created_by=officer
    )
    text = pdf_text(document.issue(by=officer))
    assert "60日内向武定县人民政府申请行政复议" in text
    assert "陈述、申辩（听证）" not in text
