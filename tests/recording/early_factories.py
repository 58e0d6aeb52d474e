"""Drafts of the early and investigative documents (立案 … 查封扣押) for tests/recording: one valid input per
type, typed as an officer posts it, and the helpers that turn it into a Document and read its PDF."""

import datetime
import hashlib
import subprocess
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from recording.doctypes import get_type
from recording.models import Document, Evidence
from wuding_enforcement.cases.models import ApprovalKind

TZ = ZoneInfo("Asia/Shanghai")
# Wednesday 25 November 2026, 10:00: no holiday near; the act happened the day before.
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
ACT_DAY = datetime.date(2026, 11, 24)

EARLY_TYPES = [
    "lead_register",
    "filing_approval",
    "not_filing_approval",
    "matter_approval",
    "onsite_record",
    "inquiry_notice",
    "inquiry_record",
    "evidence_extraction",
    "sampling_record",
    "testing_commission",
    "testing_period_notice",
    "preservation_notice",
    "coercion_decision",
    "coercion_extension",
    "coercion_release",
]


def valid_input(key, case):
    """What an officer types into the type's form, and a value its PDF must show."""
    officers = [a.officer_id for a in case.assignments.order_by("-is_lead", "assigned_at")]
    seizure = case.documents.filter(doc_type="coercion_decision", status="issued").first()
    seizure_number = seizure.number if seizure else ""
    inputs = {
        "lead_register": (
            {
                "source": "complaint",
                "received_on": "2026-11-02",
                "informant_name": "赵某",
                "informant_contact": "139****0000",
                "content": "举报某某商贸有限公司销售过期牛奶。",
                "check_opinion": "经现场核查，货架上有过期牛奶。",
                "proposal": "file",
            },
            "投诉举报",
        ),
        "filing_approval": (
            {
                "case_summary": "当事人涉嫌销售超过保质期的牛奶。",
                "violated_provision": "《中华人民共和国食品安全法》第三十四条",
                "basis": "《市场监督管理行政处罚程序规定》第十九条",
                "proposed_officers": [str(pk) for pk in officers],
                "handler_opinion": "建议立案调查。",
            },
            "同意立案。",
        ),
        "not_filing_approval": (
            {
                "case_summary": "举报称当事人销售过期牛奶。",
                "reason_category": "facts_not_established",
                "reason": "现场未发现过期食品。",
                "handler_opinion": "建议不予立案。",
            },
            "违法事实不能成立",
        ),
        "matter_approval": (
            {
                "kind": "decision_ext",
                "matter": "延长案件办理期限",
                "days": "30",
                "reason": "检验报告尚未出具。",
                "handler_opinion": "建议延长三十日。",
            },
            "延长案件办理期限",
        ),
        "onsite_record": (
            {
                "started_at": "2026-11-24T09:30",
                "ended_at": "2026-11-24T10:45",
                "place": "狮山镇某路1号店铺",
                "present_person": "陈某（店长）",
                "certificates_shown": "on",
                "findings": "货架上陈列过期牛奶12箱。",
            },
            "2026年11月24日09:30至10:45",
        ),
        "inquiry_notice": (
            {
                "attend_at": "2026-11-30T09:30",
                "attend_place": "狮山市场监督管理所",
                "matter": "你单位涉嫌销售过期食品一案",
                "materials": "营业执照副本",
                "contact_person": "李桂芬",
                "contact_phone": "0878-8710000",
            },
            "2026年11月30日09:30",
        ),
        "inquiry_record": (
            {
                "started_at": "2026-11-24T14:00",
                "ended_at": "2026-11-24T15:10",
                "place": "狮山市场监督管理所询问室",
                "interviewee_name": "陈某",
                "interviewee_gender": "男",
                "interviewee_id_type": "resident_id",
                "interviewee_id_number": "11010519491231002X",
                "relation": "legal_representative",
                "interviewer": str(officers[0]),
                "recorder": str(officers[1]),
                "rights_notice": "on",
                "qa": "问：你是否看清了我们的执法证件？\n答：看清了。\n问：货架上的牛奶是何时进货的？\n答：今年八月，\n一共进了二十箱。",
            },
            "今年八月，",
        ),
        "evidence_extraction": (
            {
                "extracted_at": "2026-11-24T11:00",
                "place": "狮山镇某路1号店铺",
                "provider": "武定县某某商贸有限公司",
                "items": "进货单据｜3张｜当事人提供｜复印\n营业执照|1份|当事人提供",
            },
            "进货单据",
        ),
        "sampling_record": (
            {
                "sampled_at": "2026-11-24T11:30",
                "place": "狮山镇某路1号店铺",
                "product": "某某牌纯牛奶",
                "specification": "250mL/盒",
                "batch": "20260512",
                "base_quantity": "120盒",
                "sample_quantity": "6盒",
                "sealing": "样品当场封存，封条编号F001。",
            },
            "封条编号F001",
        ),
        "testing_commission": (
            {
                "institution": "楚雄州食品检验所",
                "samples": "某某牌纯牛奶｜250mL/盒｜6盒｜菌落总数、大肠菌群",
                "requirements": "请于十个工作日内出具检验报告。",
                "due_on": "2026-12-10",
                "contact_person": "李桂芬",
                "contact_phone": "0878-8710000",
            },
            "楚雄州食品检验所",
        ),
        "testing_period_notice": (
            {
                "institution": "楚雄州食品检验所",
                "matter": "某某牌纯牛奶菌落总数检验",
                "start_on": "2026-11-24",
                "expected_end_on": "2026-12-10",
            },
            "2026年12月10日",
        ),
        "preservation_notice": (
            {
                "reason": "过期牛奶可能被转移销毁。",
                "basis": "《中华人民共和国行政处罚法》第五十六条",
                "items": "某某牌纯牛奶｜250mL/盒｜12箱",
                "keeping": "on_site",
                "kept_place": "当事人仓库",
                "start_on": "2026-11-24",
                "period_days": "7",
            },
            # 7 working days after Tuesday 24 November 2026: Thursday 3 December.
            "至2026年12月3日止",
        ),
        "coercion_decision": (
            {
                "measure": "seize",
                "reason": "当事人销售过期牛奶，可能危害人体健康。",
                "basis": "《中华人民共和国食品安全法》第一百一十条",
                "items": "某某牌纯牛奶｜250mL/盒｜12箱｜本局罚没物品仓库",
                "implemented_at": "2026-11-24T11:00",
                "start_on": "2026-11-24",
                "period_days": "30",
                "remedy": "如不服本决定，可以在收到本决定书之日起60日内向武定县人民政府申请行政复议。",
            },
            # 30 days after 24 November 2026: Thursday 24 December.
            "至2026年12月24日止",
        ),
        "coercion_extension": (
            {
                "decision_number": seizure_number,
                "days": "30",
                "reason": "检验需要较长时间。",
                "remedy": "如不服本决定，可以在收到本决定书之日起60日内向武定县人民政府申请行政复议。",
            },
            # 30 more days after 24 December 2026: Saturday 23 January 2027 moves to Monday 25 January.
            "至2027年1月25日止",
        ),
        "coercion_release": (
            {
                "decision_number": seizure_number,
                "reason_category": "unrelated",
                "reason": "检验合格，与违法行为无关。",
                "items": "某某牌纯牛奶｜250mL/盒｜12箱",
                "released_on": "2026-11-25",
            },
            "与违法行为无关",
        ),
    }
    return inputs[key]


def cleaned(key, data, *, case):
    form = get_type(key).form(data, case=case)
    assert form.is_valid(), form.errors.as_json()
    return get_type(key).to_json(form.cleaned_data)


def form_errors(key, data, *, case):
    form = get_type(key).form(data, case=case)
    assert not form.is_valid()
    return form.errors


def draft(case, key, data, *, by, officers=(), act_date=None, av_exemption=""):
    doctype = get_type(key)
    document = Document.objects.create(
        case=case,
        doc_type=key,
        data=cleaned(key, data, case=case),
        party=case.parties.first() if doctype.to_party or doctype.act else None,
        act_date=act_date,
        av_exemption=av_exemption,
        party_signature="pending" if doctype.to_party or doctype.act else "na",
        created_by=by,
    )
    document.officers.set(officers)
    return document


def approve(case, kind, *, by, unit_head, bureau_head, agree=True, days=None):
    approval = case.request_approval(kind, by=by, reason=f"申请{ApprovalKind(kind).label}。", days=days)
    approval.give_opinion(unit_head, agree=True, opinion="拟同意。")
    approval.give_opinion(bureau_head, agree=agree, opinion="同意。" if agree else "不同意。")
    return approval


def link_video(document, *, by, content=b"\x00\x00\x00\x18ftypmp42 a tiny clip"):
    """A live video evidence row linked to the act (mandatory AV)."""
    return Evidence.objects.create(
        case=document.case,
        document=document,
        kind="video",
        title="执法记录仪录像",
        file=ContentFile(content, name="clip.mp4"),
        mime="video/mp4",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by,
    )


def pdf_bytes(document) -> bytes:
    document.pdf.open("rb")
    try:
        return document.pdf.read()
    finally:
        document.pdf.close()


def pdf_text(document) -> str:
    """The PDF's text with layout whitespace removed (pdftotext breaks lines inside table cells)."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf_bytes(document), capture_output=True, check=True
    )
    return "".join(result.stdout.decode("utf-8").split())
