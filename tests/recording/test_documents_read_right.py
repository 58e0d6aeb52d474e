"""Documents that read right (issue 13 point 8): structured fields shown as the paper form shows them, no
default that decides for the officer, one place field, and the decision's articles taken from the matter's own
违法依据 and 处罚依据 in the powers catalogue — never a placeholder, never a 行政强制 article."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from recording.doctypes import get_type
from recording.doctypes.decision import matter_bases
from recording.models import Document
from tests.conftest import file_case, login_as
from tests.recording.early_factories import draft, valid_input
from wuding_enforcement.cases.models import PowerItem, PowerKind

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=TZ)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def matters(db):
    penalty = PowerItem.objects.create(
        code="T-CF-1",
        kind=PowerKind.PENALTY,
        field="食品安全",
        name="对经营超过保质期的食品的行政处罚",
        legal_basis="《中华人民共和国食品安全法》第三十四条第（十）项、第一百二十四条第一款第（五）项",
        violation_basis="《中华人民共和国食品安全法》第三十四条第（十）项",
        penalty_basis="《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
    )
    seizure = PowerItem.objects.create(
        code="T-QZ-1",
        kind=PowerKind.COERCION,
        field="食品安全",
        name="查封、扣押不符合食品安全标准的食品",
        legal_basis="《中华人民共和国食品安全法》第一百一十条第（四）项",
    )
    return penalty, seizure


@pytest.fixture
def case(now, make_case, unit_head, bureau_head, officer, matters):
    case = file_case(make_case(matters=list(matters)), unit_head, bureau_head, officer)
    return case


def test_the_inquiry_record_page_shows_questions_and_answers_not_the_stored_json(
    client, case, officer, colleague
):
    data, _ = valid_input("inquiry_record", case)
    doc = draft(case, "inquiry_record", data, by=officer, officers=[officer, colleague])
    login_as(client, officer)
    page = client.get(f"/staff/recording/cases/{case.pk}/documents/{doc.pk}/").content.decode()
    assert "{&#x27;q&#x27;" not in page and "{'q'" not in page
    first = doc.data["qa"][0]
    assert "<b>问：</b>" in page and "<b>答：</b>" in page
    assert first["a"].splitlines()[0] in page


def test_a_list_is_shown_as_a_table_with_the_paper_forms_columns(client, case, officer, colleague):
    data = {
        "extracted_at": "2026-11-24T10:00",
        "place": "狮山镇某路1号店铺",
        "provider": "陈某",
        "items": "进货单据｜3张｜当事人仓库｜复印\n营业执照｜1份｜当事人｜复印",
    }
    doc = draft(case, "evidence_extraction", data, by=officer, officers=[officer, colleague])
    login_as(client, officer)
    page = client.get(f"/staff/recording/cases/{case.pk}/documents/{doc.pk}/").content.decode()
    assert "{&#x27;name&#x27;" not in page
    assert '<th scope="col">证据名称</th>' in page
    assert '<td data-label="数量">3张</td>' in page


@pytest.mark.parametrize("key", ["investigation_report", "penalty_decision", "decision_approval"])
def test_discretion_starts_empty_and_must_be_chosen(key, case):
    form = get_type(key).form(initial=get_type(key).initial(case), case=case)
    field = form.fields["discretion"]
    assert list(field.choices)[0][0] == ""
    assert not form.initial.get("discretion") and not field.initial
    bound = get_type(key).form({}, case=case)
    assert not bound.is_valid()
    assert "discretion" in bound.errors


def test_the_decision_form_page_has_no_discretion_preselected(client, case, officer):
    login_as(client, officer)
    page = client.get(f"/staff/recording/cases/{case.pk}/documents/new/penalty_decision/").content.decode()
    select = page[page.index('name="discretion"') :]
    select = select[: select.index("</select>")]
    assert '<option value="" selected>' in select
    assert 'value="none" selected' not in select


def test_the_onsite_record_asks_for_its_place_once_and_the_act_takes_it(client, case, officer, colleague):
    login_as(client, officer)
    url = f"/staff/recording/cases/{case.pk}/documents/new/onsite_record/"
    page = client.get(url).content.decode()
    assert 'name="meta-act_place"' not in page
    assert page.count("检查地点") == 1
    data, _ = valid_input("onsite_record", case)
    post = {
        **data,
        "meta-act_date": "2026-11-24",
        "meta-officers": [officer.pk, colleague.pk],
        "meta-party": case.parties.first().pk,
        "meta-classification": "general",
        "meta-av_exemption": "现场情况简单，文字记录足以全面记录。",
    }
    response = client.post(url, post)
    assert response.status_code == 302, response.content.decode()[:2000]
    doc = Document.objects.get(case=case, doc_type="onsite_record")
    assert doc.act_place == "狮山镇某路1号店铺"


def test_the_decision_takes_the_matters_own_articles_never_the_coercion_one(case):
    bases = matter_bases(case)
    assert bases == {
        "basis_violated": "《中华人民共和国食品安全法》第三十四条第（十）项",
        "basis_penalty": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
    }
    for key in ("investigation_report", "penalty_notice", "penalty_decision"):
        initial = get_type(key).initial(case)
        assert initial["basis_violated"] == bases["basis_violated"]
        assert initial["basis_penalty"] == bases["basis_penalty"]
        assert "第一百一十条" not in initial["basis_penalty"]


def _decision_input(**overrides):
    data = {
        "facts": "当事人销售过期牛奶12箱。",
        "evidence": "现场笔录、询问笔录。",
        "violation_type": "经营超过保质期的食品",
        "basis_violated": "《中华人民共和国食品安全法》第三十四条第（十）项",
        "basis_penalty": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        "discretion": "ordinary",
        "discretion_reason": "无从轻、从重情节。",
        "penalty_types": ["fine"],
        "fine_amount": "50000",
        "performance": "十五日内缴纳罚款。",
        "performance_deadline_days": "15",
        "decided_on": "2026-11-24",
        "will_publish": "",
    }
    data.update(overrides)
    return data


def test_a_placeholder_is_not_a_legal_basis(case):
    form = get_type("penalty_decision").form(
        _decision_input(basis_violated="见权责清单事项所列法律规定"), case=case
    )
    assert not form.is_valid()
    assert "条款" in form.errors["basis_violated"][0]
    assert get_type("penalty_decision").form(_decision_input(), case=case).is_valid()


def test_a_coercion_article_is_refused_as_the_penalty_basis(case):
    form = get_type("penalty_decision").form(
        _decision_input(basis_penalty="《中华人民共和国食品安全法》第一百一十条第（四）项"), case=case
    )
    assert not form.is_valid()
    assert "不能作为处罚依据" in form.errors["basis_penalty"][0]
