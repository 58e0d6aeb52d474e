"""Field use on a phone (issue 13 point 9): the staff pages an officer opens on site — the home page with her
work, the case workspace with its deadlines, document forms and documents — work at 390 px without sideways
scrolling, wide tables shown as cards. Screenshots land in test-artifacts/ for a human to look at."""

import datetime

import pytest

from recording.doctypes import get_type
from recording.models import Document
from tests.conftest import PASSWORD, file_case
from tests.e2e.conftest import screenshot, sign_in
from tests.recording.early_factories import valid_input

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page, where):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px on a phone"


def _draft(case, key, data, *, by, officers):
    form = get_type(key).form(data, case=case)
    assert form.is_valid(), form.errors.as_json()
    document = Document.objects.create(
        case=case,
        doc_type=key,
        data=get_type(key).to_json(form.cleaned_data),
        act_date=datetime.date.today(),
        party=case.parties.first(),
        party_signature="pending",
        av_exemption="现场情况简单，文字记录足以全面记录。",
        created_by=by,
    )
    document.officers.set(officers)
    return document


def test_an_officer_works_a_case_on_a_390_px_phone(
    new_page, officer, colleague, unit_head, bureau_head, make_case, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = file_case(make_case(title="涉嫌销售超过保质期的食品案"), unit_head, bureau_head, officer)
    inquiry_data, _ = valid_input("inquiry_record", case)
    inquiry = _draft(case, "inquiry_record", inquiry_data, by=officer, officers=[officer, colleague])
    extraction = _draft(
        case,
        "evidence_extraction",
        {
            "extracted_at": "2026-11-24T10:00",
            "place": "武定县狮山镇某路1号店铺仓库",
            "provider": "陈某（店长）",
            "items": "进货单据（2026年10月至11月）｜3张｜当事人仓库办公桌｜复印\n营业执照副本｜1份｜当事人｜复印",
        },
        by=officer,
        officers=[officer, colleague],
    )

    page = new_page(phone=True)
    sign_in(page, officer.username, PASSWORD)
    pages = {
        "home": "/staff/",
        "recording": "/staff/recording/",
        "workspace": f"/staff/recording/cases/{case.pk}/",
        "onsite-form": f"/staff/recording/cases/{case.pk}/documents/new/onsite_record/",
        "inquiry-form": f"/staff/recording/cases/{case.pk}/documents/new/inquiry_record/",
        "decision-form": f"/staff/recording/cases/{case.pk}/documents/new/penalty_decision/",
        "inquiry": f"/staff/recording/cases/{case.pk}/documents/{inquiry.pk}/",
        "extraction": f"/staff/recording/cases/{case.pk}/documents/{extraction.pk}/",
        "case": f"/staff/cases/{case.pk}/",
    }
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, (name, response.status)
        _no_sideways_scroll(page, name)
        screenshot(page, f"phone-staff-{name}")

    # Wide tables are cards on a phone: a deadline shows its column names beside the values.
    page.goto(pages["workspace"])
    deadline = page.locator("table.deadlines tbody tr").first
    assert deadline.evaluate("row => getComputedStyle(row).display") == "block"
    due = deadline.locator('td[data-label="届满日"]')
    assert due.evaluate("td => getComputedStyle(td, '::before').content") == '"届满日"'
    # The 笔录 reads as questions and answers, the list as rows of named cells.
    page.goto(pages["inquiry"])
    assert page.locator(".qa-list .qa-q").first.inner_text().startswith("问：")
    page.goto(pages["extraction"])
    cell = page.locator('table.stack td[data-label="数量"]').first
    assert cell.inner_text() == "3张"
    # The home page lists the case with its next step.
    page.goto("/staff/")
    row = page.locator("table.stack tbody tr", has_text="涉嫌销售超过保质期的食品案")
    assert "调查取证" in row.inner_text()
