"""A real-browser journey: the officer submits a major case, the reviewer returns it with a problem on point 3,
the officer adds evidence and resubmits, the reviewer approves, the decision is issued and its PDF downloaded.
(The evidence is added as an issued 询问笔录 row: adding records through recording's workspace is tested there.)"""

import datetime
from pathlib import Path

import pytest

from legal_review.models import ReviewRound, RoundStatus
from tests.conftest import PASSWORD, otp_static_device
from tests.e2e.conftest import screenshot, sign_in
from tests.legal_review.conftest import issued_row

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def review(page, round_pk, *, problem_on_3: bool):
    page.goto(f"/staff/review/rounds/{round_pk}/")
    page.get_by_role("heading", name="系统预审").wait_for()
    for point in range(1, 8):
        fieldset = page.locator("fieldset.lr-point").nth(point - 1)
        fieldset.get_by_label("存在问题" if problem_on_3 and point == 3 else "通过").check()
    if problem_on_3:
        page.get_by_label("第3项意见").fill("缺少当事人进货来源的询问笔录，货值金额认定依据不足。")
        page.get_by_label("修改后再报").check()
        page.get_by_label("审核意见").fill("请补充询问笔录后再报。")
    else:
        page.get_by_label("同意", exact=True).check()
        page.get_by_label("审核意见").fill("事实清楚，证据确凿，同意。")
    page.get_by_role("button", name="作出审核结论并签发法制审核意见书").click()
    page.get_by_text("法制审核意见书武市监法审").first.wait_for()


def test_a_major_case_goes_through_review_to_an_issued_decision(
    new_page,  # noqa: F811  (the e2e fixture imported above)
    build_case,
    officer,
    colleague,
    reviewer,
    tmp_path,
):
    case = build_case()
    otp_static_device(reviewer, tokens=("11111111", "22222222", "33333333", "44444444"))

    officer_page = new_page()
    sign_in(officer_page, officer.username, PASSWORD)
    officer_page.goto(f"/staff/review/case/{case.pk}/")
    officer_page.get_by_label("本单位承诺送审材料真实、完整，并对其真实性、完整性负责").check()
    officer_page.get_by_role("button", name="送审").click()
    officer_page.get_by_text("已送审第1轮法制审核").wait_for()

    reviewer_page = new_page()
    sign_in(reviewer_page, reviewer.username, PASSWORD, otp_code="11111111")
    reviewer_page.goto("/staff/review/")
    reviewer_page.get_by_role("button", name="由我审核").click()
    first = ReviewRound.objects.get(case=case, number=1)
    review(reviewer_page, first.pk, problem_on_3=True)
    screenshot(reviewer_page, "reviewer-returned-round-1")

    issued_row(
        case,
        "inquiry_record",
        by=officer,
        act_date=datetime.date(2026, 11, 24),
        officers=[officer, colleague],
        # Without AV or a reason the pre-check flags point 2, and 同意 would need a written override.
        av_exemption="在办公室询问，笔录经当事人逐页签字确认，文字记录足以全面记录。",
    )
    officer_page.goto(f"/staff/review/case/{case.pk}/")
    officer_page.get_by_text("缺少当事人进货来源的询问笔录").first.wait_for()
    officer_page.get_by_label("本单位承诺送审材料真实、完整，并对其真实性、完整性负责").check()
    officer_page.get_by_role("button", name="送审").click()
    officer_page.get_by_text("已送审第2轮法制审核").wait_for()

    reviewer_page.goto("/staff/review/")
    reviewer_page.get_by_role("button", name="由我审核").click()
    second = ReviewRound.objects.get(case=case, number=2)
    review(reviewer_page, second.pk, problem_on_3=False)
    assert ReviewRound.objects.get(pk=second.pk).status == RoundStatus.APPROVED

    officer_page.goto(f"/staff/review/case/{case.pk}/")
    officer_page.get_by_role("button", name="签发行政处罚决定书").click()
    officer_page.get_by_text("已签发行政处罚决定书").wait_for()
    screenshot(officer_page, "officer-decision-issued")
    with officer_page.expect_download() as download:
        officer_page.get_by_role("link", name="下载PDF").click()
    path = Path(tmp_path) / "decision.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
