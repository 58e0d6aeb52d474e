"""A major case ready for legal review, built through the domain API: filed, investigated, notified, the
party heard, with its 调查终结报告, 行政处罚告知书, an act record and a draft 行政处罚决定书.

Supporting documents are stored as issued rows directly (their own issuing is recording's concern and is
tested there); the proposed decision stays a draft validated by recording's real form, and decisions are
issued through the real Document.issue in the gate tests."""

import datetime
import hashlib
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from recording.doctypes import REGISTRY
from recording.models import Document, DocumentStatus
from tests.conftest import file_case, login_as, make_staff
from wuding_enforcement.cases.models import PowerItem, PowerKind
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.roster.models import LegalQualification, Role

TODAY = datetime.date(2026, 11, 25)
_counter = {"n": 0}


@pytest.fixture(autouse=True)
def frozen():
    """Reviews are dated: 2026-11-25 (a Wednesday) unless a test travels elsewhere."""
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))):
        yield


def proposal_data(**overrides) -> dict:
    """The draft 行政处罚决定书 data: an organisation fined 150,000 元 (major by the default criteria)."""
    data = dict(REGISTRY["penalty_decision"].initial(None))
    data.update(
        facts="2026年11月3日，执法人员检查发现当事人经营超过保质期的食品。",
        evidence="现场笔录、询问笔录、照片等。",
        violation_type="经营超过保质期的食品",
        basis_violated="《中华人民共和国食品安全法》第三十四条第（十）项",
        basis_penalty="《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        discretion="ordinary",
        discretion_reason="无从轻、从重情节。",
        statements_answer="当事人未提出陈述申辩意见。",
        penalty_types=["fine"],
        fine_amount="150000.00",
        performance="自收到本决定书之日起十五日内缴纳罚款。",
        performance_deadline_days=15,
        decided_on="2026-11-25",
    )
    data.update(overrides)
    return data


def issued_row(case, doc_type, *, by, data=None, act_date=None, officers=(), av_exemption="", party=None):
    """A supporting document stored as already issued (number, hash), bypassing rendering."""
    _counter["n"] += 1
    n = _counter["n"]
    doc = Document.objects.create(
        case=case,
        doc_type=doc_type,
        data=data or {},
        status=DocumentStatus.ISSUED,
        act_date=act_date,
        number=f"测试{doc_type}〔2026〕{n}号",
        number_year=2026,
        number_seq=n,
        pdf_sha256=hashlib.sha256(f"{doc_type}{n}".encode()).hexdigest(),
        issued_by=by,
        issued_at=timezone.now(),
        av_exemption=av_exemption,
        party=party,
        created_by=by,
    )
    if officers:
        doc.officers.set(officers)
    return doc


@pytest.fixture
def power_item(db):
    return PowerItem.objects.create(
        code="CF-SP-005",
        kind=PowerKind.PENALTY,
        field="食品安全",
        name="对生产经营超过保质期的食品的行政处罚",
        legal_basis="《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
    )


@pytest.fixture
def build_case(make_case, officer, colleague, unit_head, bureau_head, power_item):
    """build_case(stage=Stage.STATEMENT, proposal=True, **proposal overrides) -> case. The 告知书 tells
    the hearing right where the fine entitles the party to one, unless `hearing_right` says otherwise."""

    def factory(*, stage=Stage.STATEMENT, proposal=True, hearing_right=None, notice=None, **overrides):
        with time_machine.travel(
            datetime.datetime(2026, 11, 2, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
        ):
            case = make_case(matters=[power_item])
            file_case(case, unit_head, bureau_head, officer)
        case.advance(Stage.INVESTIGATING, actor=officer, on=datetime.date(2026, 11, 3))
        party = case.parties.first()
        issued_row(
            case,
            "onsite_record",
            by=officer,
            act_date=datetime.date(2026, 11, 3),
            officers=[officer, colleague],
            av_exemption="现场检查过程简单，文字记录和照片足以全面记录。",
        )
        issued_row(case, "investigation_report", by=officer, data={"facts": "查明事实"})
        notice_data = {
            "penalty_types": ["fine"],
            "fine_amount": "150000.00",
            "hearing_right": hearing_right,
        }
        notice_data.update(notice or {})
        if hearing_right is None:
            # As a real 告知书 does: the hearing right is told where the fine entitles the organisation to
            # one (行政处罚法 第六十三条; the default threshold of 100,000 元), so the pre-checks agree.
            notice_data["hearing_right"] = Decimal(notice_data["fine_amount"]) >= Decimal("100000")
        notice_row = issued_row(case, "penalty_notice", by=officer, data=notice_data, party=party)
        if proposal:
            Document.objects.create(
                case=case,
                doc_type="penalty_decision",
                data=proposal_data(**overrides),
                party=party,
                created_by=officer,
            )
        # The lawful order (docs/domain.md §6): concluded and notified on 11-16, the 告知书 served on 11-17, so
        # the five working days of 陈述申辩 end on 11-24 and a decision may be made from 11-25 (TODAY).
        for target in (Stage.INVESTIGATION_CONCLUDED, Stage.NOTIFIED, Stage.STATEMENT):
            if case.stage == stage:
                break
            if target == Stage.STATEMENT:
                serve(case, notice_row, by=officer, on=datetime.date(2026, 11, 17))
            day = datetime.date(2026, 11, 17 if target == Stage.STATEMENT else 16)
            case.advance(target, actor=officer, on=day)
        if case.stage == Stage.STATEMENT:
            issued_row(case, "decision_approval", by=officer, data={"proposed_summary": "罚款"})
        return case

    return factory


def serve(case, document, *, by, on):
    """The 送达回证 of `document`, served directly on `on` at 10:00."""
    return issued_row(
        case,
        "service_receipt",
        by=by,
        data={
            "served_document": document.pk,
            "served_at": f"{on.isoformat()}T10:00:00+08:00",
            "method": "direct",
            "recipient": "陈某",
        },
    )


@pytest.fixture
def second_reviewer(units):
    """冯清, another qualified legal reviewer of 政策法规股."""
    user = make_staff(
        "feng_reviewer",
        "冯清",
        units["policy"],
        Role.LEGAL_REVIEWER,
        certificate=False,
        legal_review_started_on=datetime.date(2023, 5, 1),
    )
    LegalQualification.objects.create(
        holder=user, number="A20215300009", granted_on=datetime.date(2021, 3, 1)
    )
    return user


@pytest.fixture
def deputy_head(units):
    """钱德明, the second bureau head: 集体讨论 needs two."""
    return make_staff("qian_deputy", "钱德明", units["office"], Role.BUREAU_HEAD)


def all_pass(**problems):
    """Checklist answers: every point passes except those given as point=comment problems."""
    points = dict.fromkeys(range(1, 8), ("pass", ""))
    for key, comment in problems.items():
        points[int(key.lstrip("p"))] = ("problem", comment)
    return points


def proposal_document(case):
    return Document.objects.get(case=case, doc_type="penalty_decision", superseded_by__isnull=True)


__all__ = ["TODAY", "all_pass", "issued_row", "serve", "login_as", "proposal_data", "proposal_document"]
