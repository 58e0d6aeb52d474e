"""Helpers of the publication tests: a filed case, a 行政处罚决定书 issued through Document.issue() (the real
path, with the after-issue hook), its 送达回证. PDF rendering (and the electronic seal) is replaced by fixed bytes: these tests are
about publication, and WeasyPrint takes a second per document (recording's tests render real PDFs)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from recording.doctypes import get_type
from recording.models import Document
from tests.conftest import file_case, walk_lawfully
from wuding_enforcement.cases.models import PartyKind
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.shared.penalties import PENALTY_TYPES

TZ = ZoneInfo("Asia/Shanghai")
# A Friday in late November 2026, no holiday near.
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=TZ)
# A fictitious resident ID with a valid checksum (GB 11643-1999's worked example).
PERSON_ID = "11010519491231002X"

DECISION = {
    "facts": (
        "2026年11月2日，执法人员对当事人经营场所进行检查，发现货架上摆放超过保质期的“某某牌”牛奶12箱。"
        "经查，上述牛奶系当事人从昆明某某商贸公司购进，店员王小红（现场负责人）证实上述事实。"
        "消费者赵大伟食用后就诊，经医院诊断为急性胃肠炎。当事人联系电话13987654321。"
    ),
    "evidence": "1. 现场笔录；2. 询问笔录（询问对象：王小红）；3. 现场照片12张。",
    "violation_type": "经营超过保质期的食品",
    "basis_violated": "《中华人民共和国食品安全法》第三十四条第十项",
    "basis_penalty": "《中华人民共和国食品安全法》第一百二十四条第一款第五项",
    "discretion": "lenient",
    "discretion_reason": "当事人积极配合调查，如实陈述违法事实，主动提供证据材料。",
    "penalty_types": ["fine", "confiscate_property"],
    "fine_amount": "5000.00",
    "confiscated_property": "超过保质期的“某某牌”牛奶12箱",
    "performance": "自收到本决定书之日起十五日内，到指定银行缴纳罚款。",
    "performance_deadline_days": "15",
    "decided_on": "2026-11-19",
    "will_publish": "on",
    "publication_notice": "根据《市场监督管理行政处罚信息公示规定》，本决定书将通过本局门户网站向社会公示。",
}

ORGANISATION = {
    "kind": PartyKind.ORGANISATION,
    "name": "武定县某某商贸有限公司",
    "credit_code": "91532329MA6K000001",
    "legal_representative": "陈建国",
    "address": "武定县狮山镇正续路1号",
}

PERSON = {
    "kind": PartyKind.PERSON,
    "name": "张三丰",
    "id_type": "resident_id",
    "id_number": PERSON_ID,
    "address": "武定县狮山镇某某村委会某村12号",
    "phone": "13812345678",
}


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


class _NoSeal:
    demo = True

    def sign(self, pdf_bytes, **kwargs):
        return pdf_bytes


@pytest.fixture(autouse=True)
def fake_pdf(monkeypatch):
    monkeypatch.setattr(
        "recording.rendering.render_document", lambda document: b"%PDF-1.7 test " + str(document.pk).encode()
    )
    monkeypatch.setattr("wuding_enforcement.shared.signing.get_signer", lambda: _NoSeal())


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def cleaned(key, data, *, case):
    doctype = get_type(key)
    form = doctype.form({**doctype.initial(case), **data}, case=case)
    assert form.is_valid(), form.errors.as_json()
    return doctype.to_json(form.cleaned_data)


def issue(case, key, data, *, by, party=None, **extra):
    document = Document.objects.create(
        case=case,
        doc_type=key,
        data=cleaned(key, data, case=case),
        party=party,
        party_signature="pending" if party is not None else "na",
        created_by=by,
        **extra,
    )
    return document.issue(by=by)


def issue_decision(case, officer, *, party=None, **overrides):
    data = {**DECISION, **overrides}
    data = {k: v for k, v in data.items() if v is not None}
    return issue(case, "penalty_decision", data, by=officer, party=party or case.parties.first())


def serve(decision, officer, *, served_at="2026-11-20T10:00"):
    data = {
        "served_document": str(decision.pk),
        "served_at": served_at,
        "method": "direct",
        "place": "当事人经营场所",
        "recipient": "陈建国",
    }
    return issue(decision.case, "service_receipt", data, by=officer)


def lawful_decided_case(make_case, unit_head, bureau_head, officer, party=None, **overrides):
    """A filed 狮山所 case against an organisation, decided in the statutory order, with an 现场笔录 naming the
    shop assistant."""
    # The statutory order (docs/domain.md §6): filed 11-02, notified 11-05, served 11-06; the five working
    # days end 11-13 and the case is decided on 11-16, before the 决定书 of 11-19 is issued.
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=TZ), tick=False):
        case = file_case(
            make_case(parties=[party or ORGANISATION], **overrides), unit_head, bureau_head, officer
        )
    walk_lawfully(
        case,
        Stage.DECIDED,
        by=officer,
        unit_head=unit_head,
        bureau_head=bureau_head,
        dates={
            Stage.INVESTIGATING: datetime.date(2026, 11, 3),
            Stage.INVESTIGATION_CONCLUDED: datetime.date(2026, 11, 4),
            Stage.NOTIFIED: datetime.date(2026, 11, 5),
            Stage.STATEMENT: datetime.date(2026, 11, 6),
            Stage.DECIDED: datetime.date(2026, 11, 16),
        },
        # The 告知书 told the party the penalty the decision imposes (never a heavier one: 第四十五条).
        # The tests decide variants up to these (a lighter decision than notified is lawful).
        notice={
            "penalty_types": [code for code, _ in PENALTY_TYPES],
            "fine_amount": "1000000.00",
            "confiscated_gains": "1000000.00",
            "confiscated_property_value": "1000000.00",
        },
    )
    Document.objects.create(
        case=case,
        doc_type="onsite_record",
        data={"present_person": "王小红（店员）", "place": "当事人经营场所"},
        created_by=officer,
    )
    return case


@pytest.fixture
def decided_case(now, make_case, unit_head, bureau_head, officer):
    """A filed 狮山所 case against an organisation, with an 现场笔录 naming the shop assistant."""

    def build(party=None, **overrides):
        return lawful_decided_case(make_case, unit_head, bureau_head, officer, party=party, **overrides)

    return build
