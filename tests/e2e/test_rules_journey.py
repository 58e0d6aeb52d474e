"""建章立制 in the browser: the admin who keeps the register of the bureau's rules documents (the 管理员 role
holds the rulebook permissions, roster/roles.py; /admin/ needs two-factor) files a new document and its first
version, takes it 草拟 → 审定 → 备案 → 生效 through the step pages (a 备案 without its number is refused in
Chinese), and a citizen on a phone then finds it on the public site with its 备案号 and 生效日期."""

import datetime

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD, otp_static_device
from tests.e2e.conftest import screenshot, sign_in
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.rulebook.models import RulesDocument, RulesVersion, VersionStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "武定县市场监督管理局行政执法全过程记录办法"
FILING_NUMBER = "武司备〔2026〕11号"


def _chinese(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"


def _step(page, label: str, on: datetime.date, **fields):
    """From the document's page, open the version's next step and submit it."""
    page.get_by_role("link", name=f"办理“{label}”").click()
    page.get_by_role("heading", name=f"办理“{label}”").wait_for()
    page.get_by_label("日期").fill(on.isoformat())
    for field_label, value in fields.items():
        page.get_by_label(field_label).fill(value)
    page.get_by_role("button", name=f"办理“{label}”").click()


def test_an_admin_files_a_rules_document_to_effect_and_a_citizen_sees_it_on_a_phone(
    new_page, admin_user, units
):
    today = timezone.localdate()
    approved_on = today - datetime.timedelta(days=20)
    filed_on = today - datetime.timedelta(days=12)
    effective_on = today - datetime.timedelta(days=5)
    otp_static_device(admin_user, tokens=["27182818"])

    page = new_page()
    sign_in(page, admin_user.username, PASSWORD, otp_code="27182818")

    # The document, then its first version (草拟).
    page.goto("/admin/rulebook/rulesdocument/add/")
    page.get_by_label("名称").fill(TITLE)
    page.get_by_label("类别").select_option(label="执法全过程记录办法")
    page.get_by_label("起草单位").select_option(label=units["policy"].name)
    page.get_by_label("复审日期").fill((today + datetime.timedelta(days=365)).isoformat())
    page.get_by_role("button", name="保存", exact=True).click()
    page.locator(".messagelist").wait_for()
    document = RulesDocument.objects.get(title=TITLE)
    assert document.is_public and document.drafting_unit == units["policy"]

    page.goto("/admin/rulebook/rulesversion/add/")
    page.locator("#id_document").select_option(label=TITLE)
    page.get_by_label("版本号").fill("1")
    page.get_by_label("正文").fill(
        "第一条 为规范行政执法全过程记录工作，根据《中华人民共和国行政处罚法》第四十七条，制定本办法。"
    )
    page.get_by_role("button", name="保存", exact=True).click()
    page.locator(".messagelist").wait_for()
    version = RulesVersion.objects.get(document=document)
    assert version.status == VersionStatus.DRAFT and version.created_by == admin_user

    # 草拟 → 审定, from the document's page.
    page.goto(f"/admin/rulebook/rulesdocument/{document.pk}/change/")
    _step(page, "审定", approved_on, **{"审定/备案机关": "楚雄州市场监督管理局"})
    page.get_by_text("已办理“审定”。").wait_for()

    # 备案 without its number is refused, in Chinese, and the version stays 审定.
    _step(page, "备案", filed_on)
    page.get_by_text("请填写备案号。").wait_for()
    screenshot(page, "admin-rules-filing-refused")
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED and version.filing_number == ""
    page.get_by_label("备案号").fill(FILING_NUMBER)
    page.get_by_role("button", name="办理“备案”").click()
    page.get_by_text("已办理“备案”。").wait_for()
    # Filed but not yet in effect: the public does not see it.
    citizen = new_page(phone=True)
    citizen.goto("/rules/")
    assert citizen.get_by_text(TITLE).count() == 0
    assert citizen.goto(f"/rules/{document.pk}/").status == 404

    # 备案 → 生效.
    _step(page, "生效", effective_on)
    page.get_by_text("已办理“生效”。").wait_for()
    screenshot(page, "admin-rules-effective")
    version.refresh_from_db()
    assert (version.status, version.approved_on, version.filed_on, version.effective_on) == (
        VersionStatus.EFFECTIVE,
        approved_on,
        filed_on,
        effective_on,
    )
    assert version.filing_number == FILING_NUMBER and version.approved_by_body == "楚雄州市场监督管理局"
    steps = AuditEvent.objects.filter(action__startswith="rulebook.version.", actor=admin_user)
    assert sorted(steps.values_list("action", flat=True)) == [
        "rulebook.version.approved",
        "rulebook.version.effective",
        "rulebook.version.filed",
    ]

    # The citizen, not signed in, on her phone, looks again.
    citizen.goto("/rules/")
    card = citizen.locator(".card", has=citizen.get_by_role("link", name=TITLE))
    card.wait_for()
    text = card.inner_text()
    assert f"现行第1版，{_chinese(effective_on)}起施行" in text and FILING_NUMBER in text
    _no_sideways_scroll(citizen)
    screenshot(citizen, "citizen-rules-list-phone")

    card.get_by_role("link", name=TITLE).click()
    citizen.get_by_role("heading", name="现行版本（第1版）").wait_for()
    facts = citizen.locator("dl.facts").inner_text()
    assert _chinese(effective_on) in facts and FILING_NUMBER in facts and "武定县司法局" in facts
    assert "楚雄州市场监督管理局" in facts and _chinese(approved_on) in facts and _chinese(filed_on) in facts
    assert citizen.get_by_text("行政处罚法》第四十七条").is_visible()
    _no_sideways_scroll(citizen)
    screenshot(citizen, "citizen-rules-detail-phone")
