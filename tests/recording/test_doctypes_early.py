"""The early and investigative documents (案件来源登记表 … 解除行政强制措施决定书): each type's own form with its
own validation, its own template, and a real PDF when issued."""

import datetime
import hashlib

import pytest
import time_machine

from recording.doctypes import get_type
from tests.conftest import file_case
from tests.recording.early_factories import (
    ACT_DAY,
    EARLY_TYPES,
    NOW,
    TZ,
    approve,
    cleaned,
    draft,
    form_errors,
    link_video,
    pdf_bytes,
    pdf_text,
    valid_input,
)
from wuding_enforcement.cases.models import ApprovalKind
from wuding_enforcement.cases.workflow import TransitionRefused
from wuding_enforcement.shared.chinese import cn_date, cn_datetime, yuan

EXEMPTION = "现场情况简单，文字记录足以全面有效记录执法过程。"


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def lead(now, make_case):
    return make_case()


@pytest.fixture
def case(lead, unit_head, bureau_head, officer):
    return file_case(lead, unit_head, bureau_head, officer)


def issue_seizure(case, officer, colleague, unit_head, bureau_head):
    approve(case, ApprovalKind.SEIZURE, by=officer, unit_head=unit_head, bureau_head=bureau_head)
    data, _ = valid_input("coercion_decision", case)
    decision = draft(
        case, "coercion_decision", data, by=officer, officers=[officer, colleague], act_date=ACT_DAY
    )
    link_video(decision, by=officer)
    return decision.issue(by=officer)


def prepare(key, *, lead, officer, colleague, unit_head, bureau_head):
    """The case as it must be for this type to be issued: filed, approvals decided, a seizure to extend."""
    if key == "lead_register":
        return lead
    if key == "not_filing_approval":
        approve(lead, ApprovalKind.NOT_FILING, by=officer, unit_head=unit_head, bureau_head=bureau_head)
        return lead
    case = file_case(lead, unit_head, bureau_head, officer)
    if key == "matter_approval":
        approve(
            case,
            ApprovalKind.DECISION_EXTENSION,
            by=officer,
            unit_head=unit_head,
            bureau_head=bureau_head,
            days=30,
        )
    elif key == "preservation_notice":
        approve(case, ApprovalKind.PRESERVATION, by=officer, unit_head=unit_head, bureau_head=bureau_head)
    elif key == "coercion_decision":
        approve(case, ApprovalKind.SEIZURE, by=officer, unit_head=unit_head, bureau_head=bureau_head)
    elif key in ("coercion_extension", "coercion_release"):
        issue_seizure(case, officer, colleague, unit_head, bureau_head)
        if key == "coercion_extension":
            approve(
                case,
                ApprovalKind.SEIZURE_EXTENSION,
                by=officer,
                unit_head=unit_head,
                bureau_head=bureau_head,
                days=30,
            )
    return case


@pytest.mark.parametrize("key", EARLY_TYPES)
def test_a_valid_draft_of_each_type_issues_into_a_real_pdf(
    key, lead, officer, colleague, unit_head, bureau_head
):
    case = prepare(
        key, lead=lead, officer=officer, colleague=colleague, unit_head=unit_head, bureau_head=bureau_head
    )
    doctype = get_type(key)
    data, shown = valid_input(key, case)
    document = draft(
        case,
        key,
        data,
        by=officer,
        officers=[officer, colleague],
        act_date=ACT_DAY if doctype.act else None,
        av_exemption=EXEMPTION if doctype.av == "as_needed" else "",
    )
    if doctype.av == "mandatory":
        link_video(document, by=officer)

    assert document.issue_problems(officer) == []
    document.issue(by=officer)
    document.refresh_from_db()

    content = pdf_bytes(document)
    assert content.startswith(b"%PDF-")
    assert document.pdf_sha256 == hashlib.sha256(content).hexdigest()
    text = pdf_text(document)
    assert doctype.title in text
    if doctype.number_word:
        assert document.number == f"武市监{doctype.number_word}〔2026〕1号"
        assert document.number in text
    else:
        assert document.number is None and document.file_seq is not None
        assert f"卷内编号：第{document.file_seq}号" in text
    assert shown in text
    assert "第1页共" in text  # page numbers "第 X 页 共 Y 页"


@pytest.mark.parametrize("key", EARLY_TYPES)
def test_stored_data_re_binds_to_the_form_unchanged(key, lead, officer, colleague, unit_head, bureau_head):
    """Before issuing, the stored JSON is validated again through the form: list fields (items, Q&A),
    dates and choices must come back exactly as they were stored."""
    case = prepare(
        key, lead=lead, officer=officer, colleague=colleague, unit_head=unit_head, bureau_head=bureau_head
    )
    doctype = get_type(key)
    stored = cleaned(key, valid_input(key, case)[0], case=case)
    form = doctype.bound_from_json(stored, case=case)
    assert form.is_valid(), form.errors.as_json()
    assert doctype.to_json(form.cleaned_data) == stored


def test_list_fields_are_stored_as_rows_with_named_columns(case):
    stored = cleaned("evidence_extraction", valid_input("evidence_extraction", case)[0], case=case)
    assert stored["items"] == [
        {"name": "进货单据", "quantity": "3张", "source": "当事人提供", "method": "复印"},
        {"name": "营业执照", "quantity": "1份", "source": "当事人提供", "method": ""},
    ]


def test_questions_and_answers_are_stored_as_pairs_with_continuation_lines(case):
    stored = cleaned("inquiry_record", valid_input("inquiry_record", case)[0], case=case)
    assert stored["qa"][1] == {"q": "货架上的牛奶是何时进货的？", "a": "今年八月，\n一共进了二十箱。"}


# --- Validation: each form's own rules, in Chinese, naming the article where the law sets a limit ---------


def with_changes(key, case, **changes):
    data = dict(valid_input(key, case)[0])
    data.update(changes)
    return data


def messages(errors, field):
    return " ".join(errors[field])


def test_it_refuses_a_row_with_an_empty_required_cell_naming_the_line_and_the_column(case):
    errors = form_errors(
        "coercion_decision",
        with_changes("coercion_decision", case, items="冷柜｜海尔｜1台｜店内\n牛奶｜250mL｜｜仓库"),
        case=case,
    )
    assert "第2行：“数量”不能为空" in messages(errors, "items")


def test_it_refuses_a_row_with_too_many_cells(case):
    errors = form_errors(
        "preservation_notice",
        with_changes("preservation_notice", case, items="牛奶｜250mL｜12箱｜仓库"),
        case=case,
    )
    assert "第1行：应为“物品名称｜规格（型号）｜数量”共3栏，实为4栏" in messages(errors, "items")


def test_it_refuses_answers_that_do_not_alternate_with_questions(case):
    errors = form_errors(
        "inquiry_record",
        with_changes("inquiry_record", case, qa="问：姓名？\n问：年龄？\n答：五十。"),
        case=case,
    )
    assert "第2行：此处应以“答：”开头" in messages(errors, "qa")


def test_it_refuses_a_question_left_without_an_answer(case):
    errors = form_errors(
        "inquiry_record",
        with_changes("inquiry_record", case, qa="问：姓名？\n答：陈某。\n问：年龄？"),
        case=case,
    )
    assert "第3行：该问题没有记录回答" in messages(errors, "qa")


def test_it_refuses_the_same_officer_as_interviewer_and_recorder(case, officer):
    errors = form_errors(
        "inquiry_record", with_changes("inquiry_record", case, recorder=str(officer.pk)), case=case
    )
    assert "询问人和记录人应为两名不同的执法人员" in messages(errors, "recorder")


def test_it_refuses_an_identity_number_with_a_wrong_check_digit(case):
    errors = form_errors(
        "inquiry_record",
        with_changes("inquiry_record", case, interviewee_id_number="110105194912310021"),
        case=case,
    )
    assert "校验位不正确" in messages(errors, "interviewee_id_number")


def test_it_refuses_an_interviewer_who_is_not_an_officer_of_the_case(case, outsider):
    errors = form_errors(
        "inquiry_record", with_changes("inquiry_record", case, interviewer=str(outsider.pk)), case=case
    )
    assert "interviewer" in errors


def test_it_refuses_dates_in_the_future(case):
    errors = form_errors(
        "onsite_record", with_changes("onsite_record", case, started_at="2026-11-26T09:00"), case=case
    )
    assert "日期不能晚于今天" in messages(errors, "started_at")
    errors = form_errors(
        "lead_register", with_changes("lead_register", case, received_on="2026-12-01"), case=case
    )
    assert "日期不能晚于今天" in messages(errors, "received_on")


def test_it_refuses_an_inquiry_notice_whose_time_has_passed(case):
    errors = form_errors(
        "inquiry_notice", with_changes("inquiry_notice", case, attend_at="2026-11-25T09:00"), case=case
    )
    assert "接受询问时间应晚于现在" in messages(errors, "attend_at")


def test_it_refuses_a_preservation_longer_than_seven_working_days(case):
    errors = form_errors(
        "preservation_notice", with_changes("preservation_notice", case, period_days="8"), case=case
    )
    assert messages(errors, "period_days") == "保存期限不得超过7个工作日（行政处罚法 第五十六条）。"


def test_it_refuses_a_seizure_longer_than_thirty_days(case):
    errors = form_errors(
        "coercion_decision", with_changes("coercion_decision", case, period_days="31"), case=case
    )
    assert messages(errors, "period_days") == "期限不得超过30日（行政强制法 第二十五条）。"


def test_it_refuses_an_urgent_seizure_reported_after_twenty_four_hours(case):
    data = with_changes(
        "coercion_decision",
        case,
        urgent="on",
        implemented_at="2026-11-23T10:00",
        reported_at="2026-11-24T10:30",
    )
    errors = form_errors("coercion_decision", data, case=case)
    assert "二十四小时内向行政机关负责人报告（行政强制法 第十九条）" in messages(errors, "reported_at")
    on_time = with_changes(
        "coercion_decision",
        case,
        urgent="on",
        implemented_at="2026-11-23T10:00",
        reported_at="2026-11-23T18:00",
    )
    assert cleaned("coercion_decision", on_time, case=case)["urgent"] is True


def test_it_refuses_extensions_adding_up_to_more_than_thirty_days(
    case, officer, colleague, unit_head, bureau_head
):
    decision = issue_seizure(case, officer, colleague, unit_head, bureau_head)
    approve(
        case,
        ApprovalKind.SEIZURE_EXTENSION,
        by=officer,
        unit_head=unit_head,
        bureau_head=bureau_head,
        days=20,
    )
    first = draft(
        case,
        "coercion_extension",
        with_changes("coercion_extension", case, days="20"),
        by=officer,
        officers=[officer, colleague],
    )
    first.issue(by=officer)
    assert first.data["decision_number"] == decision.number

    errors = form_errors("coercion_extension", with_changes("coercion_extension", case, days="11"), case=case)
    assert "该决定已延长20日，延长期限合计不得超过30日（行政强制法 第二十五条）" in messages(errors, "days")


def test_it_refuses_an_extension_or_release_when_the_case_has_no_seizure(case):
    errors = form_errors("coercion_release", valid_input("coercion_release", case)[0], case=case)
    assert "decision_number" in errors


def test_it_refuses_an_extension_beyond_its_legal_limit_on_the_matter_approval(case):
    errors = form_errors(
        "matter_approval", with_changes("matter_approval", case, kind="filing_ext", days="20"), case=case
    )
    assert "延长立案核查期限不得超过15个工作日（《市场监督管理行政处罚程序规定》第十八条）" in messages(
        errors, "days"
    )


def test_it_refuses_a_filing_proposal_with_fewer_than_two_officers(case, officer):
    errors = form_errors(
        "filing_approval",
        with_changes("filing_approval", case, proposed_officers=[str(officer.pk)]),
        case=case,
    )
    assert "至少为两名执法人员（行政处罚法 第四十二条）" in messages(errors, "proposed_officers")


def test_it_asks_where_a_case_outside_the_bureaus_jurisdiction_goes(lead):
    data = with_changes("not_filing_approval", lead, reason_category="not_jurisdiction")
    errors = form_errors("not_filing_approval", data, case=lead)
    assert "请写明移送的有管辖权的机关" in messages(errors, "transfer_to")


def test_it_refuses_a_named_informant_on_an_anonymous_report_and_a_missing_one_otherwise(lead):
    errors = form_errors(
        "lead_register", with_changes("lead_register", lead, informant_anonymous="on"), case=lead
    )
    assert "不应填写举报人姓名或联系方式" in messages(errors, "informant_name")
    errors = form_errors(
        "lead_register",
        with_changes("lead_register", lead, informant_name="", informant_contact=""),
        case=lead,
    )
    assert "匿名举报请勾选" in messages(errors, "informant_name")
    anonymous = with_changes(
        "lead_register", lead, informant_anonymous="on", informant_name="", informant_contact=""
    )
    assert cleaned("lead_register", anonymous, case=lead)["informant_anonymous"] is True


def test_an_invalid_stored_draft_lists_its_problems_in_chinese(case, officer, colleague):
    document = draft(
        case,
        "sampling_record",
        valid_input("sampling_record", case)[0],
        by=officer,
        officers=[officer, colleague],
    )
    document.data = {**document.data, "sealing": "", "items": None}
    document.save()
    problems = document.issue_problems(officer)
    assert "封样情况：这个字段是必填项。" in problems
    assert "请填写执法活动日期。" in problems
    assert any("未录音录像的理由" in p for p in problems)
    with pytest.raises(TransitionRefused):
        document.issue(by=officer)
    document.refresh_from_db()
    assert document.status == "draft" and document.file_seq is None


# --- The 审批表 print their approval's opinions ----------------------------------------------------------


def test_an_approval_form_waits_for_its_approval_to_be_decided(lead, officer, unit_head):
    document = draft(lead, "filing_approval", valid_input("filing_approval", lead)[0], by=officer)
    assert document.issue_problems(officer) == [
        "尚未提请“立案审批”：请先提请审批，审批完成后再签发立案审批表。"
    ]
    approval = lead.request_approval("filing", by=officer, reason="建议立案。")
    approval.give_opinion(unit_head, agree=True, opinion="拟同意立案。")
    assert document.issue_problems(officer) == [
        "“立案审批”尚在审批中（待局负责人审批）：审批完成后再签发立案审批表。"
    ]


def test_the_filing_approval_form_prints_both_opinions_with_names_and_times(
    lead, officer, colleague, unit_head, bureau_head
):
    case = file_case(lead, unit_head, bureau_head, officer)
    document = draft(case, "filing_approval", valid_input("filing_approval", case)[0], by=officer)
    document.issue(by=officer)
    text = pdf_text(document)
    assert "拟同意立案。" in text and "同意立案。" in text
    assert f"签名：{unit_head.display_name}2026年11月25日10:00" in text
    assert f"批准签名：{bureau_head.display_name}" in text
    # The proposed officers with the numbers of their certificates.
    assert officer.valid_certificate_on(NOW.date()).number in text
    assert colleague.display_name in text


def test_the_matter_approval_prints_the_approval_of_its_own_kind(lead, officer, unit_head, bureau_head):
    # 延长立案核查期限 is asked for while the case is a lead (Case.request_approval's rules), then it is filed.
    approval = lead.request_approval("filing_ext", by=officer, reason="核查需要。", days=10)
    case = file_case(lead, unit_head, bureau_head, officer)
    approve(
        case,
        ApprovalKind.DECISION_EXTENSION,
        by=officer,
        unit_head=unit_head,
        bureau_head=bureau_head,
        days=30,
    )
    document = draft(
        case,
        "matter_approval",
        with_changes("matter_approval", case, kind="filing_ext", days="10"),
        by=officer,
    )
    # Its own kind (延长立案核查期限) is still pending, whatever the other approvals of the case.
    assert any("尚在审批中" in p for p in document.issue_problems(officer))
    approval.give_opinion(unit_head, agree=False, opinion="理由不充分，不同意延长。")
    document.issue(by=officer)
    assert "理由不充分，不同意延长。" in pdf_text(document)


# --- The PDF filters ----------------------------------------------------------------------------------------


def test_the_filters_show_stored_iso_values_the_chinese_way():
    assert cn_date("2026-11-05") == "2026年11月5日"
    assert cn_date(datetime.date(2026, 11, 25)) == "2026年11月25日"
    assert cn_datetime("2026-11-25T01:30:00+00:00") == "2026年11月25日 09:30"
    assert cn_datetime(datetime.datetime(2026, 11, 25, 9, 30, tzinfo=TZ)) == "2026年11月25日 09:30"
    assert cn_date("2026-11-25T23:30:00+08:00") == "2026年11月25日"
    assert cn_date("") == "" and cn_date(None) == ""
    assert yuan("1234") == "1,234.00 元"
    assert yuan("1234567.5") == "1,234,567.50 元"
    assert yuan(None) == ""


def test_the_onsite_record_shows_its_times_without_iso_leftovers(case, officer, colleague):
    document = draft(
        case,
        "onsite_record",
        valid_input("onsite_record", case)[0],
        by=officer,
        officers=[officer, colleague],
        act_date=ACT_DAY,
        av_exemption=EXEMPTION,
    )
    document.issue(by=officer)
    text = pdf_text(document)
    assert "2026年11月24日09:30至10:45" in text
    assert "T09" not in text and "+08:00" not in text


def test_documents_list_every_officer_with_the_certificate_valid_on_the_act_date(case, officer, colleague):
    document = draft(
        case,
        "sampling_record",
        valid_input("sampling_record", case)[0],
        by=officer,
        officers=[officer, colleague],
        act_date=ACT_DAY,
        av_exemption=EXEMPTION,
    )
    document.issue(by=officer)
    text = pdf_text(document)
    for person in (officer, colleague):
        assert f"{person.display_name}（执法证号{person.valid_certificate_on(ACT_DAY).number}）" in text
    assert f"{officer.display_name}2026年11月25日10:00" in text  # who issued it, and when
    assert "当事人（或委托代理人）签名" in text


def test_a_refusal_to_sign_recorded_before_issuing_names_the_witness(case, officer, colleague):
    document = draft(
        case,
        "evidence_extraction",
        valid_input("evidence_extraction", case)[0],
        by=officer,
        officers=[officer, colleague],
        act_date=ACT_DAY,
        av_exemption=EXEMPTION,
    )
    document.party_signature = "refused"
    document.refusal_witness = "社区干部张某"
    document.party_signed_at = datetime.datetime(2026, 11, 24, 11, 20, tzinfo=TZ)
    document.save()
    document.issue(by=officer)
    assert "当事人拒绝签名。见证人：社区干部张某" in pdf_text(document)


def test_the_interviewer_and_the_recorder_must_be_officers_present_at_the_inquiry(
    case, officer, colleague, unit_head
):
    document = draft(
        case,
        "inquiry_record",
        valid_input("inquiry_record", case)[0],
        by=officer,
        officers=[officer, unit_head],
        act_date=ACT_DAY,
        av_exemption=EXEMPTION,
    )
    # 王志强 (the colleague) is the recorder in the data but not among the officers present.
    assert document.issue_problems(officer) == ["记录人须是本笔录记录的在场执法人员之一。"]
