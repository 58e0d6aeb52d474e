"""简易程序's 当场行政处罚决定书 (行政处罚法 第五十一条、第五十二条): the 第五十一条 limits held by the document gate
(the same refusal from Document.issue(), the issuing page and a forged POST), the procedure and stage it is issued
at, what makes the case's 送达, and the PDF it prints."""

import datetime
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from recording.doctypes import get_type
from recording.models import Document
from recording.queues import next_step
from tests.conftest import login_as
from wuding_enforcement.cases.models import PartyKind, RuleSettings
from wuding_enforcement.cases.workflow import Procedure, Stage, TransitionRefused

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 11, 19)

ORGANISATION = {
    "kind": PartyKind.ORGANISATION,
    "name": "武定县某某加油站有限公司",
    "credit_code": "91532329MA6K000009",
    "legal_representative": "杨某",
    "address": "武定县高桥镇某路2号",
}
PERSON = {
    "kind": PartyKind.PERSON,
    "name": "毛某",
    "id_type": "resident_id",
    "id_number": "532329199001011234",
    "address": "武定县猫街镇农贸市场3号摊位",
}
INDIVIDUAL = {
    "kind": PartyKind.INDIVIDUAL_BUSINESS,
    "name": "武定县狮山镇某某理发店",
    "operator": "李某",
    "address": "武定县狮山镇某街12号",
}
PARTIES = {"organisation": ORGANISATION, "person": PERSON, "individual": INDIVIDUAL}

DECISION = {
    "facts": "2026年11月19日上午，当事人在其经营场所销售的商品未明码标价，现场共8种商品未标示价格。",
    "evidence": "现场照片3张、执法记录仪录像1段、当事人陈述。",
    "basis_violated": "《中华人民共和国价格法》第十三条第一款",
    "basis_penalty": "《明码标价和禁止价格欺诈规定》第二十一条",
    "penalty_types": ["fine"],
    "fine_amount": "100.00",
    "payment": "bank",
    "payment_bank": "武定县某某银行各营业网点",
    "notified": "on",
    "place": "武定县狮山镇某街12号当事人经营场所",
}


@pytest.fixture
def now():
    with time_machine.travel(datetime.datetime(2026, 11, 19, 15, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def simple_case(now, make_case):
    def factory(party="organisation"):
        return make_case(
            procedure=Procedure.SIMPLE,
            title="涉嫌不明码标价案",
            lead_date=DAY,
            parties=[PARTIES[party]],
        )

    return factory


def simple_draft(case, officer, colleague, **changes):
    data = {**DECISION, **changes}
    doctype = get_type("simple_decision")
    form = doctype.form(data, case=case)
    assert form.is_valid(), form.errors.as_json()
    document = Document.objects.create(
        case=case,
        doc_type="simple_decision",
        data=doctype.to_json(form.cleaned_data),
        party=case.parties.first(),
        act_date=DAY,
        act_place=data["place"],
        av_exemption="现场情况简单，当事人无异议，现场照片足以全面记录。",
        party_signature="pending",
        created_by=officer,
    )
    document.officers.set([officer, colleague])
    return document


def gate_problems(document, officer) -> list[str]:
    return [p for p in document.issue_problems(officer) if "第五十一条" in p or "第六十八条" in p]


# --- 第五十一条, table-driven -----------------------------------------------------------------------------------

LIMITS = [
    # (party, penalty types, fine, payment, refused with)
    ("person", ["fine"], "200.00", "bank", None),
    ("person", ["fine"], "200.01", "bank", "对公民不得超过200.00元"),
    ("individual", ["fine"], "200.01", "bank", "对公民不得超过200.00元"),
    ("organisation", ["fine"], "3000.00", "bank", None),
    ("organisation", ["fine"], "3000.01", "bank", "对法人或者其他组织不得超过3,000.00元"),
    ("person", ["warning"], "", "", None),
    ("organisation", ["warning", "fine"], "2000.00", "bank", None),
    ("organisation", ["fine", "confiscate_gains"], "100.00", "bank", "不能当场作出没收违法所得"),
    ("organisation", ["confiscate_property"], "", "", "不能当场作出没收非法财物"),
    ("organisation", ["suspend_business"], "", "", "不能当场作出责令停产停业"),
    ("organisation", ["revoke_licence"], "", "", "不能当场作出吊销许可证件"),
    ("person", ["fine"], "100.00", "on_spot_small", None),
    ("organisation", ["fine"], "150.00", "on_spot_small", "第六十八条第（一）项"),
]


@pytest.mark.parametrize(("party", "types", "fine", "payment", "refusal"), LIMITS)
def test_the_article_51_gate(simple_case, officer, colleague, party, types, fine, payment, refusal):
    case = simple_case(party)
    extra = {"receipt_number": "云财罚No.0012345"} if payment.startswith("on_spot") else {}
    draft = simple_draft(
        case, officer, colleague, penalty_types=types, fine_amount=fine, payment=payment, **extra
    )
    problems = gate_problems(draft, officer)
    if refusal is None:
        assert problems == [] and draft.issue_problems(officer) == []
    else:
        assert len(problems) == 1 and refusal in problems[0], problems
        assert "第五十一条" in problems[0] or "第六十八条" in problems[0]


def test_issuing_directly_beyond_the_limit_is_refused_and_leaves_the_draft(simple_case, officer, colleague):
    case = simple_case("person")
    draft = simple_draft(case, officer, colleague, fine_amount="500.00")
    with pytest.raises(TransitionRefused, match="第五十一条") as refused:
        draft.issue(by=officer)
    assert any("200.00元" in m for m in refused.value.messages)
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.number


def test_a_changed_limit_in_the_rule_settings_is_honoured(simple_case, officer, colleague):
    rules = RuleSettings.current()
    rules.simple_fine_person = Decimal("50.00")
    rules.save()
    case = simple_case("person")
    draft = simple_draft(case, officer, colleague, fine_amount="100.00")
    assert any("对公民不得超过50.00元" in p for p in gate_problems(draft, officer))
    rules.simple_fine_person = Decimal("200.00")
    rules.simple_fine_organisation = Decimal("1000.00")
    rules.save()
    assert gate_problems(draft, officer) == []
    organisation = simple_draft(simple_case("organisation"), officer, colleague, fine_amount="2000.00")
    assert any("1,000.00元" in p for p in gate_problems(organisation, officer))


# --- Procedure and stage ---------------------------------------------------------------------------------------


def test_it_is_issued_only_on_a_simple_case_and_the_ordinary_decision_never_on_one(
    simple_case, make_case, officer, colleague
):
    ordinary = make_case()
    wrong = simple_draft(ordinary, officer, colleague)
    assert any("只适用于简易程序" in p for p in wrong.issue_problems(officer))
    with pytest.raises(TransitionRefused, match="只适用于简易程序"):
        wrong.issue(by=officer)
    case = simple_case()
    ordinary_decision = Document.objects.create(
        case=case, doc_type="penalty_decision", party=case.parties.first(), created_by=officer, data={}
    )
    assert any("简易程序（当场处罚）案件不能签发“行政处罚决定书”" in p
               for p in ordinary_decision.issue_problems(officer))  # fmt: skip


def test_it_is_issued_only_while_the_case_is_decided_on_the_spot(simple_case, officer, colleague):
    case = simple_case()
    issued = simple_draft(case, officer, colleague).issue(by=officer)
    issued.record_party_signature(
        by=officer, outcome="signed", signed_at=datetime.datetime(2026, 11, 19, 10, 30, tzinfo=TZ)
    )
    case.advance(Stage.SERVED, actor=officer, on=DAY)
    second = simple_draft(case, officer, colleague, fine_amount="50.00")
    with pytest.raises(TransitionRefused, match="只能在“当场决定”阶段签发"):
        second.issue(by=officer)


def test_it_is_dated_on_the_day_decided_on_the_spot(simple_case, officer, colleague):
    draft = simple_draft(simple_case(), officer, colleague)
    Document.objects.filter(pk=draft.pk).update(act_date=DAY - datetime.timedelta(days=1))
    draft.refresh_from_db()
    assert any("当场处罚日期应为本案当场处罚之日" in p for p in draft.issue_problems(officer))


def test_it_needs_two_certified_officers(simple_case, officer, colleague):
    draft = simple_draft(simple_case(), officer, colleague)
    draft.officers.set([officer])
    assert any("第四十二条" in p for p in draft.issue_problems(officer))


# --- 送达: the decision makes it, handed to the party on the spot ------------------------------------------------


def test_service_needs_the_decision_issued_and_handed_to_the_party(simple_case, officer, colleague):
    case = simple_case()
    with pytest.raises(TransitionRefused, match="当场行政处罚决定书"):
        case.advance(Stage.SERVED, actor=officer, on=DAY)
    issued = simple_draft(case, officer, colleague).issue(by=officer)
    with pytest.raises(TransitionRefused, match="当场交付当事人"):
        case.advance(Stage.SERVED, actor=officer, on=DAY)
    issued.record_party_signature(
        by=officer,
        outcome="refused",
        refusal_witness="王某（邻铺经营者）",
        signed_at=datetime.datetime(2026, 11, 19, 10, 30, tzinfo=TZ),
    )
    case.advance(Stage.SERVED, actor=officer, on=DAY)
    assert case.stage == Stage.SERVED


def test_the_next_step_of_a_simple_case_names_its_decision(simple_case, officer, colleague):
    case = simple_case()
    step = next_step(case, DAY)
    assert step.label == "送达" and step.missing == ["当场行政处罚决定书"]
    simple_draft(case, officer, colleague).issue(by=officer)
    assert next_step(case, DAY).missing == []


# --- The pages: the same refusal, a forged POST included -------------------------------------------------------


def _post_draft(client, case, **changes):
    post = {**DECISION, **changes}
    post.update(
        {
            "meta-act_date": DAY.isoformat(),
            "meta-officers": [str(a.officer_id) for a in case.assignments.all()],
            "meta-party": str(case.parties.first().pk),
            "meta-classification": "general",
            "meta-av_exemption": "现场情况简单，当事人无异议。",
        }
    )
    client.post(reverse("recording:document_new", args=[case.pk, "simple_decision"]), post)
    return Document.objects.filter(case=case, doc_type="simple_decision").latest("pk")


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"fine_amount": "3500.00"}, "对法人或者其他组织不得超过3,000.00元"),
        ({"penalty_types": ["fine", "confiscate_gains"]}, "不能当场作出没收违法所得"),
    ],
)
def test_a_forged_post_gets_the_same_refusal_on_the_page(client, simple_case, officer, changes, refusal):
    case = simple_case()
    login_as(client, officer)
    draft = _post_draft(client, case, **changes)
    detail = client.get(reverse("recording:document_detail", args=[case.pk, draft.pk])).content.decode()
    assert refusal in detail and "第五十一条" in detail
    page = client.post(reverse("recording:document_issue", args=[case.pk, draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert refusal in page.content.decode()


def test_the_form_asks_for_the_date_once_by_its_paper_name(client, simple_case, officer):
    case = simple_case()
    login_as(client, officer)
    html = client.get(reverse("recording:document_new", args=[case.pk, "simple_decision"])).content.decode()
    assert "当场处罚日期" in html and "执法活动日期" not in html
    assert html.count('name="meta-act_place"') == 0 and 'name="place"' in html


# --- The PDF --------------------------------------------------------------------------------------------------


def test_the_issued_pdf_carries_what_the_law_asks(simple_case, officer, colleague):
    case = simple_case()
    issued = simple_draft(case, officer, colleague, penalty_types=["warning", "fine"], fine_amount="2000.00")
    issued = issued.issue(by=officer)
    with issued.pdf.open("rb") as f:
        content = f.read()
    text = "".join(
        subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    assert issued.number.startswith("武市监当罚〔2026〕")
    for expected in (
        "当场行政处罚决定书",
        "武定县某某加油站有限公司",
        "91532329MA6K000009",
        "《中华人民共和国价格法》第十三条第一款",
        "《明码标价和禁止价格欺诈规定》第二十一条",
        "警告",
        "罚款人民币2,000.00元（大写：贰仟元整）",
        "15日内",
        "武定县某某银行各营业网点",
        "第七十二条",
        "申请行政复议",
        "提起行政诉讼",
        "2026年11月19日",
        "执法证号",
        "本决定书已当场交付当事人",
        "当事人拒绝签收的",
        "武定县狮山镇某街12号当事人经营场所",
    ):
        assert expected in text, expected
    assert "见权责清单" not in text
