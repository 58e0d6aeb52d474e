"""Procedure journeys in Debian's chromium (docs/domain.md §6): the statutory order as an officer meets it in
the browser. A 简易程序 case served on the spot and filed with the bureau; an ordinary case whose officer is
refused each shortcut with its article, gets 立案 approved by the unit head and the bureau head in their own
browsers, records the party's hearing request, statement and its 复核, and is held before the decision until the
hearing is held, then carries it through 法制审核, the decision, 结案 and 组卷 to the archive, every role signing in
and acting in its own browser; the 意见书, the 决定书 and both case-file volumes are downloaded, checked as signed
PDFs and rendered to PNG. Screenshots and PDFs land in test-artifacts/."""

import datetime
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine

from recording.models import Document
from tests.conftest import PASSWORD, otp_static_device
from tests.e2e.conftest import ARTIFACTS, screenshot, sign_in
from wuding_enforcement.cases.models import Case, LeadSource, PartyKind, ResponseKind
from wuding_enforcement.cases.workflow import Procedure, Stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _advance(page, case, target_label, day, reason=""):
    page.goto(f"/staff/cases/{case.pk}/")
    form = page.locator("section", has=page.get_by_role("heading", name="推进案件"))
    form.get_by_label("转入阶段").select_option(label=target_label)
    form.get_by_label("日期").fill(day.isoformat())
    if reason:
        form.get_by_label("说明").fill(reason)
    form.get_by_role("button", name="确认转入").click()
    page.wait_for_load_state()
    return page.content()


def _approve(page, case, opinion):
    page.goto(f"/staff/recording/cases/{case.pk}/")
    awaiting = page.locator("section", has=page.get_by_role("heading", name="待我审批"))
    awaiting.get_by_label("同意", exact=True).check()
    awaiting.get_by_label("意见", exact=True).fill(opinion)
    awaiting.get_by_role("button", name="提交意见").click()
    page.wait_for_load_state()


def _lead(officer, colleague, procedure=Procedure.ORDINARY, title="涉嫌销售超过保质期的食品案", day=None):
    return Case.register_lead(
        by=officer,
        handling_unit=officer.unit,
        title=title,
        lead_source=LeadSource.INSPECTION,
        lead_date=day or datetime.date.today(),
        procedure=procedure,
        officers=[officer, colleague],
        parties=[
            {
                "kind": PartyKind.ORGANISATION,
                "name": "武定县某某超市有限公司",
                "credit_code": "91532329MA6K000002",
                "legal_representative": "陈某",
                "address": "武定县狮山镇某路2号",
            }
        ],
    )


def test_a_simple_procedure_case_is_served_on_the_spot_and_filed(new_page, officer, colleague, tmp_path):
    """The officer fills the 当场行政处罚决定书 in the browser: an over-limit fine is refused on the page with
    第五十一条 and its limit; the lawful one is issued, the party's signature recorded, the PDF downloaded and
    rendered; then 送达 (only on the day decided) and 备案."""
    from demo.recording import _fill
    from recording.doctypes import REGISTRY

    today = datetime.date.today()
    yesterday = today - datetime.timedelta(days=1)
    case = _lead(officer, colleague, Procedure.SIMPLE, "当场处罚：不按规定明码标价", day=yesterday)
    page = new_page()
    page.set_default_timeout(60_000)
    page.on("dialog", lambda dialog: dialog.accept())  # confirm.js asks before 签发
    sign_in(page, officer.username, PASSWORD)

    # No decision yet: 送达 is refused, naming the 当场行政处罚决定书 the registry asks for.
    assert "当场行政处罚决定书" in _advance(page, case, "送达", yesterday)
    case.refresh_from_db()
    assert case.stage == Stage.ON_SPOT

    # The form, filled as the officer would, with a fine over the organisation's 3000元 limit.
    data = _fill(REGISTRY["simple_decision"], case, yesterday, case.parties.first().name)
    data.update(
        {
            "meta-act_date": yesterday.isoformat(),
            "meta-av_exemption": "现场情况简单，当事人无异议，现场照片足以全面记录。",
            "facts": "执法人员检查时发现，当事人经营场所陈列销售的商品中有5种未标示价格。",
            "evidence": "现场照片5张、执法记录仪录像1段、当事人陈述。",
            "basis_violated": "《中华人民共和国价格法》第十三条第一款",
            "basis_penalty": "《中华人民共和国价格法》第四十二条",
            "penalty_types": ["fine"],
            "fine_amount": "5000.00",
            "payment": "bank",
            "payment_bank": "武定县某某银行各营业网点",
            "place": "武定县狮山镇某路2号当事人经营场所",
        }
    )
    page.goto(f"/staff/recording/cases/{case.pk}/documents/new/simple_decision/")
    assert page.get_by_label("当场处罚日期").count() == 1
    page.evaluate(FILL, data)
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("草稿已保存").wait_for()
    draft = Document.objects.get(case=case, doc_type="simple_decision")
    page.get_by_role("button", name="签发", exact=True).click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "第五十一条" in main and "3,000.00元" in main, main[:1500]
    screenshot(page, "procedure-simple-over-limit")
    draft.refresh_from_db()
    assert draft.status == "draft"

    # Corrected to a lawful fine: issued, numbered, the party signs on the spot.
    page.goto(f"/staff/recording/cases/{case.pk}/documents/{draft.pk}/edit/")
    page.get_by_label("罚款金额").fill("2000.00")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("草稿已保存").wait_for()
    page.get_by_role("button", name="签发", exact=True).click()
    page.wait_for_load_state()
    draft.refresh_from_db()
    assert draft.status == "issued", page.locator("main").inner_text()[:1500]
    page.get_by_label("当事人已签名").check()
    page.get_by_label("签名（拒签）时间").fill(f"{yesterday.isoformat()}T10:30")
    page.get_by_role("button", name="记录签名情况").click()
    page.wait_for_load_state()
    draft.refresh_from_db()
    assert draft.party_signature == "signed"
    pdf = _download(page, "下载 PDF", "procedure-simple-decision")
    _signed(pdf, tmp_path, "simple-decision")
    text = _text(pdf)
    for expected in ("当场行政处罚决定书", "罚款人民币2,000.00元", "第五十一条", "执法证号", "申请行政复议"):
        assert expected in text, expected

    # Decided yesterday on the spot, recorded as served today: refused, with the article (第五十二条).
    page_text = _advance(page, case, "送达", today)
    assert "第五十二条" in page_text
    screenshot(page, "procedure-simple-refused")
    case.refresh_from_db()
    assert case.stage == Stage.ON_SPOT

    assert "案件已转入“送达”阶段" in _advance(page, case, "送达", yesterday)
    assert "案件已转入“备案”阶段" in _advance(page, case, "备案", today)
    screenshot(page, "procedure-simple-reported")
    case.refresh_from_db()
    assert case.stage == Stage.REPORTED and case.served_on == yesterday


def test_the_on_the_spot_decision_form_fits_a_phone(new_page, officer, colleague):
    """The officer fills the 当场行政处罚决定书 on site: at 390 px the form does not scroll sideways."""
    case = _lead(officer, colleague, Procedure.SIMPLE, "当场处罚：不按规定明码标价")
    page = new_page(phone=True)
    sign_in(page, officer.username, PASSWORD)
    page.goto(f"/staff/recording/cases/{case.pk}/documents/new/simple_decision/")
    assert page.get_by_label("处罚地点").count() == 1
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    screenshot(page, "procedure-simple-form-phone")
    assert overflow <= 0, overflow


def test_the_case_list_fits_a_phone(new_page, officer, colleague):
    """The officer's case list at 390 px: each case a card (its cells under their column names), no sideways
    scroll."""
    _lead(
        officer,
        colleague,
        Procedure.ORDINARY,
        "涉嫌销售超过保质期的食品案（一个很长的案由，手机上须折行显示）",
    )
    page = new_page(phone=True)
    sign_in(page, officer.username, PASSWORD)
    page.goto("/staff/cases/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    screenshot(page, "case-list-phone")
    assert overflow <= 0, overflow
    label = page.locator("table.case-table td[data-label='案由']").first
    assert "案由" in label.evaluate("e => getComputedStyle(e, '::before').content")


# --- An ordinary case with a hearing, from lead to archive, every role in its own browser -------------------

TZ = ZoneInfo("Asia/Shanghai")
# The fill-in-a-form JavaScript: sets each named field of the document form as a person would (text, choice,
# date, checkbox, radio, multiple choice), then the browser submits the form and the server validates it.
FILL = """(data) => {
  const form = document.querySelector('form.doc-form');
  for (const [name, value] of Object.entries(data)) {
    const fields = form.querySelectorAll(`[name="${name}"]`);
    if (!fields.length) continue;
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    for (const field of fields) {
      if (field.type === 'checkbox' || field.type === 'radio') {
        field.checked = fields.length === 1 && field.type === 'checkbox'
          ? Boolean(value) && value !== 'off' : values.includes(field.value);
      } else if (field.multiple) {
        for (const option of field.options) option.selected = values.includes(option.value);
      } else {
        field.value = values[0];
      }
      field.dispatchEvent(new Event('change', {bubbles: true}));
    }
  }
}"""


def _moment(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


class Browsers:
    """Each role signs in in its own browser context, again after the clock moved on (a session ends after
    30 idle minutes, so each working day starts with signing in)."""

    def __init__(self, new_page):
        self.new_page = new_page
        self.tokens = iter(["11111111", "22222222", "33333333"])

    def signed_in(self, user, *, otp=False):
        page = self.new_page()
        # Generous: PDFs are rendered and sealed while the browser waits, on a shared machine.
        page.set_default_timeout(60_000)
        page.set_default_navigation_timeout(90_000)
        page.on("dialog", lambda dialog: dialog.accept())  # confirm.js asks before 签发, 组卷
        sign_in(page, user.username, PASSWORD, otp_code=next(self.tokens) if otp else None)
        return page


def _document(page, case, key, day, **overrides):
    """Make a document in the browser: the form filled with readable demo contents (demo.recording) and the
    given values, saved as a draft, then issued from its page. Returns the issued Document."""
    from demo.recording import _fill
    from recording.doctypes import REGISTRY

    party = case.parties.first()
    data = _fill(REGISTRY[key], case, day, party.name)
    data.update(overrides)
    page.goto(f"/staff/recording/cases/{case.pk}/documents/new/{key}/")
    page.evaluate(FILL, data)
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    errors = page.locator(".errorbox")
    assert not errors.count(), f"{key}: {errors.inner_text()}"
    page.get_by_text("草稿已保存").wait_for()
    document = Document.objects.filter(case=case, doc_type=key).latest("pk")
    page.get_by_role("button", name="签发", exact=True).click()
    page.wait_for_load_state()
    document.refresh_from_db()
    assert document.status == "issued", f"{key}: " + page.locator("main").inner_text()[:1500]
    return document


def _serve(page, case, document, day):
    """The 送达回证 of `document`, served directly a minute after now (demo.recording's default)."""
    return _document(
        page,
        case,
        "service_receipt",
        day,
        served_document=str(document.pk),
        method="direct",
    )


def _download(page, link_name, name) -> bytes:
    """Download a PDF by clicking its link; kept in test-artifacts/ with a PNG of each page to look at."""
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).first.click()
    data = download.value.path().read_bytes()
    assert data.startswith(b"%PDF-"), name
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-png", "-r", "50", str(path), str(ARTIFACTS / name)], check=True, timeout=120
    )
    return data


def _text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True, timeout=60)  # noqa: S607
    return "".join(out.stdout.decode("utf-8").split())


def _signed(data: bytes, tmp_path, name) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, timeout=60, check=False)  # noqa: S607
    report = out.stdout.decode("utf-8", "replace")
    assert "Signature #1" in report and "Signature is Valid." in report, report
    return report


@pytest.fixture
def reviewer_with_otp(reviewer):
    otp_static_device(reviewer)
    return reviewer


def test_an_ordinary_case_with_a_hearing_goes_from_lead_to_archive_in_the_browser(
    new_page,
    officer,
    colleague,
    unit_head,
    bureau_head,
    reviewer_with_otp,
    records_keeper,
    tmp_path,
    settings,
):
    """November 2026 (no holiday): each step on its own working day, in the order of docs/domain.md §6."""
    settings.MEDIA_ROOT = tmp_path / "media"
    reviewer = reviewer_with_otp
    days = {n: datetime.date(2026, 11, n) for n in range(1, 31)}
    days[31] = datetime.date(2026, 12, 1)
    browsers = Browsers(new_page)
    with time_machine.travel(_moment(days[2]), tick=True) as clock:
        # 11-02: the officer registers the lead and its 案件来源登记表, and asks for 立案.
        page = browsers.signed_in(officer)
        page.goto("/staff/recording/leads/new/")
        page.get_by_label("案由").fill("涉嫌销售超过保质期的食品案")
        page.get_by_label("案件来源").select_option(label="投诉举报")
        page.get_by_label("线索收到日期").fill(days[2].isoformat())
        page.get_by_label("线索内容").fill("群众投诉某超市销售过期饼干。")
        page.get_by_label(colleague.real_name).check()
        parties = page.locator("fieldset", has=page.get_by_text("当事人1"))
        parties.get_by_label("当事人类型").select_option(label="法人或其他组织")
        parties.get_by_label("名称/姓名").fill("武定县某某超市有限公司")
        parties.get_by_label("统一社会信用代码").fill("91532329MA6K000002")
        parties.get_by_label("法定代表人（负责人）").fill("陈某")
        page.get_by_role("button", name="登记案源").click()
        page.get_by_role("heading", name="办案全过程").wait_for()
        case = Case.objects.get()
        _document(page, case, "lead_register", days[2])
        page.goto(f"/staff/recording/cases/{case.pk}/")
        request = page.locator("section", has=page.get_by_role("heading", name="提请审批"))
        request.get_by_label("审批事项").select_option(label="立案审批")
        request.get_by_label("申请理由").fill("经核查，当事人涉嫌销售超过保质期的食品，符合立案条件。")
        request.get_by_role("button", name="提交审批").click()
        page.get_by_text("待承办单位负责人意见").first.wait_for()

        # The unit head and the bureau head agree, each in their own browser; the case is filed that day.
        clock.move_to(_moment(days[2], 10))
        _approve(browsers.signed_in(unit_head), case, "情况属实，拟同意立案。")
        clock.move_to(_moment(days[2], 11))
        _approve(browsers.signed_in(bureau_head), case, "同意立案。")
        case.refresh_from_db()
        assert case.stage == Stage.FILED and case.filed_on == days[2]
        clock.move_to(_moment(days[2], 14))
        page = browsers.signed_in(officer)
        _document(page, case, "filing_approval", days[2])

        # 11-03: 调查取证 and its 现场笔录 (no video: the reason is written down).
        clock.move_to(_moment(days[3], 14))  # the inspection was this morning (its record says 09:30–10:10)
        page = browsers.signed_in(officer)
        assert "案件已转入“调查取证”阶段" in _advance(page, case, "调查取证", days[3])
        _document(
            page,
            case,
            "onsite_record",
            days[3],
            **{"meta-av_exemption": "执法记录仪故障，已拍摄照片并由当事人签字确认。"},
        )
        # The officer's home names the next step, what it still lacks and its clock.
        page.goto("/staff/")
        row = page.locator("tr", has=page.get_by_text(case.number)).first
        assert "调查终结/案件审核" in row.inner_text() and "尚缺：案件调查终结报告" in row.inner_text()
        screenshot(page, "journey-officer-home")

        # 11-04: 调查终结; a shortcut to 告知 without the 告知书 is refused with its article.
        clock.move_to(_moment(days[4]))
        page = browsers.signed_in(officer)
        _document(page, case, "investigation_report", days[4], penalty_types=["fine"], fine_amount="20000.00")
        _advance(page, case, "调查终结/案件审核", days[4])
        text = _advance(page, case, "告知", days[4])
        assert "行政处罚告知书" in text and "第四十四条" in text

        # 11-05: 告知 (a 20,000 yuan fine, the party told of its right to a hearing); served 11-06.
        clock.move_to(_moment(days[5]))
        page = browsers.signed_in(officer)
        notice = _document(
            page,
            case,
            "penalty_notice",
            days[5],
            penalty_types=["fine"],
            fine_amount="20000.00",
            hearing_right=True,
        )
        assert "案件已转入“告知”阶段" in _advance(page, case, "告知", days[5])
        clock.move_to(_moment(days[6]))
        page = browsers.signed_in(officer)
        _serve(page, case, notice, days[6])
        assert "案件已转入“陈述申辩/听证”阶段" in _advance(page, case, "陈述申辩/听证", days[6])

        # 11-09: the party asks for a hearing and states its case; the statement is answered (复核).
        clock.move_to(_moment(days[9]))
        page = browsers.signed_in(officer)
        page.goto(f"/staff/cases/{case.pk}/responses/")
        for kind, content in (
            (ResponseKind.HEARING_REQUEST, "当事人书面要求举行听证。"),
            (ResponseKind.STATEMENT, "当事人称系初次违法，已主动下架，请求从轻处罚。"),
        ):
            form = page.locator("section", has=page.get_by_role("heading", name="记录新的事项"))
            form.get_by_label("事项").select_option(value=kind)
            form.get_by_label("收到（发生）日期").fill(days[9].isoformat())
            form.get_by_label("内容").fill(content)
            form.get_by_role("button", name="记录").click()
            page.wait_for_load_state()
        page.get_by_label("复核意见").fill("经复核，当事人主动下架属实，在告知的罚款幅度内从轻考虑。")
        page.get_by_label("复核日期").fill(days[9].isoformat())
        page.get_by_role("button", name="记录复核意见").click()
        page.get_by_text("已记录复核意见").wait_for()
        screenshot(page, "journey-responses")
        # The hearing is notified seven working days ahead (11-18 at the earliest): held on 11-19.
        hearing_notice = _document(
            page,
            case,
            "hearing_notice",
            days[9],
            hearing_at="2026-11-19T09:30",
            attend_at="2026-11-19T09:30",
        )
        _serve(page, case, hearing_notice, days[9])
        # Before the hearing is held, no decision: the reason with its article.
        text = _advance(page, case, "决定", days[9])
        assert "第六十四条、第六十五条" in text
        screenshot(page, "journey-no-decision-before-the-hearing")

        # 11-19: the hearing is held; its 笔录 and report are issued.
        clock.move_to(_moment(days[19], 11))
        page = browsers.signed_in(officer)
        _document(
            page,
            case,
            "hearing_record",
            days[19],
            **{"meta-av_exemption": "听证全程由记录员制作笔录，当事人核对后逐页签名；听证室录像设备检修。"},
        )
        _document(page, case, "hearing_report", days[19])

        # 11-20: the 决定审批表.
        clock.move_to(_moment(days[20]))
        page = browsers.signed_in(officer)
        _document(page, case, "decision_approval", days[20], penalty_types=["fine"], fine_amount="15000.00")

        # 11-23: the proposed 决定书 (a draft, dated the day it is to be made), submitted for 法制审核.
        clock.move_to(_moment(days[23]))
        page = browsers.signed_in(officer)
        page.goto(f"/staff/recording/cases/{case.pk}/documents/new/penalty_decision/")
        from demo.recording import _fill
        from recording.doctypes import REGISTRY

        proposal = _fill(REGISTRY["penalty_decision"], case, days[23], "武定县某某超市有限公司")
        proposal.update(
            penalty_types=["fine"],
            fine_amount="15000.00",
            decided_on=days[23].isoformat(),
            statements_answer="当事人要求听证并提出陈述申辩，经复核，主动下架属实，予以从轻处罚。",
        )
        page.evaluate(FILL, proposal)
        page.get_by_role("button", name="保存草稿").click()
        page.get_by_text("草稿已保存").wait_for()
        page.goto(f"/staff/review/case/{case.pk}/")
        submit = page.locator("section", has=page.get_by_role("heading", name="送审"))
        assert "送审材料齐全" in submit.inner_text(), submit.inner_text()
        submit.get_by_label("计算基数（货值金额、违法所得、广告费用等，元）").fill("600")
        submit.get_by_label("本单位承诺送审材料真实、完整，并对其真实性、完整性负责").check()
        submit.get_by_role("button", name="送审").click()
        page.wait_for_load_state()
        case.refresh_from_db()
        assert case.stage == Stage.LEGAL_REVIEW

        # The same afternoon the reviewer (two-step sign-in) takes the round from her home and agrees; the 意见书
        # is issued. (The proposal's 决定日期 may not lie in the future and the decision may not be dated before
        # the review: a review on a later day would need the proposal re-dated, and so reviewed again.)
        clock.move_to(_moment(days[23], 15))
        page = browsers.signed_in(reviewer, otp=True)
        page.goto("/staff/")
        assert case.number in page.locator("main").inner_text()
        page.goto("/staff/review/")
        unassigned = page.locator("section", has=page.get_by_role("heading", name="待分配审核人员"))
        unassigned.get_by_role("button", name="由我审核").first.click()
        page.wait_for_load_state()
        review_round = case.review_rounds.get()
        page.goto(f"/staff/review/rounds/{review_round.pk}/")
        decide = page.locator("section", has=page.get_by_role("heading", name="审核结论"))
        for point in decide.locator("fieldset.lr-point").all():
            point.get_by_label("通过", exact=True).check()
            if "lr-flagged" in (point.get_attribute("class") or ""):
                point.locator("textarea").last.fill("已查阅纸质卷宗核实，系统预审提示的事项不影响认定。")
        decide.get_by_label("同意", exact=True).check()
        decide.get_by_label("审核意见", exact=True).fill(
            "事实清楚，证据确凿，适用依据正确，程序合法，裁量适当，同意拟作出的行政处罚决定。"
        )
        confirm = decide.locator("input[name=decide-confirm_overrides]")
        if confirm.count():
            confirm.check()
        screenshot(page, "journey-review-decide")
        decide.get_by_role("button", name="作出审核结论并签发法制审核意见书").click()
        page.wait_for_load_state()
        review_round.refresh_from_db()
        assert review_round.status == "approved", page.locator("main").inner_text()[:1500]
        opinion = Document.objects.get(case=case, doc_type="review_opinion", status="issued")
        # Then the officer issues the reviewed 决定书 and the case is decided that day; served 11-25.
        clock.move_to(_moment(days[23], 16))
        page = browsers.signed_in(officer)
        # The reviewer's access ended with her conclusion; the officer reads the 意见书 on the review page.
        page.goto(f"/staff/review/case/{case.pk}/")
        screenshot(page, "journey-review-case")
        opinion_pdf = _download(page, "下载法制审核意见书", "journey-review-opinion")
        _signed(opinion_pdf, tmp_path, "opinion")
        opinion_text = _text(opinion_pdf)
        assert "法制审核意见书" in opinion_text and "同意" in opinion_text and case.number in opinion_text
        assert opinion.number in opinion_text
        page.goto(f"/staff/review/case/{case.pk}/")
        decisions = page.locator("section", has=page.get_by_role("heading", name="处理决定"))
        decisions.get_by_role("button", name="签发行政处罚决定书").click()
        page.wait_for_load_state()
        decision = Document.objects.get(case=case, doc_type="penalty_decision")
        assert decision.status == "issued", page.locator("main").inner_text()[:1500]
        assert "案件已转入“决定”阶段" in _advance(page, case, "决定", days[23])
        clock.move_to(_moment(days[25]))
        page = browsers.signed_in(officer)
        _serve(page, case, decision, days[25])
        assert "案件已转入“送达”阶段" in _advance(page, case, "送达", days[25])
        page.goto(f"/staff/recording/cases/{case.pk}/documents/{decision.pk}/")
        decision_pdf = _download(page, "下载 PDF", "journey-penalty-decision")
        _signed(decision_pdf, tmp_path, "decision")
        decision_text = _text(decision_pdf)
        for expected in (
            "行政处罚决定书",
            "武定县某某超市有限公司",
            "15,000.00元",
            "壹万伍仟元",
            "听证",
            decision.number,
        ):
            assert expected in decision_text, expected

        # 11-30: 结案, asked for by the officer and approved by both heads.
        clock.move_to(_moment(days[30]))
        page = browsers.signed_in(officer)
        _document(
            page,
            case,
            "closing_approval",
            days[30],
            decision_ref=decision.number,
            execution_status="performed",
            fine_paid="15000.00",
            paid_on=days[27].isoformat(),
            execution_details="当事人于2026年11月27日缴清罚款。",
            submitted_on=days[30].isoformat(),
        )
        page.goto(f"/staff/recording/cases/{case.pk}/")
        request = page.locator("section", has=page.get_by_role("heading", name="提请审批"))
        request.get_by_label("审批事项").select_option(label="结案审批")
        request.get_by_label("申请理由").fill("当事人已缴纳罚款，处罚决定执行完毕，申请结案。")
        request.get_by_role("button", name="提交审批").click()
        page.get_by_text("待承办单位负责人意见").first.wait_for()
        clock.move_to(_moment(days[30], 10))
        _approve(browsers.signed_in(unit_head), case, "执行完毕，拟同意结案。")
        clock.move_to(_moment(days[30], 11))
        _approve(browsers.signed_in(bureau_head), case, "同意结案。")
        case.refresh_from_db()
        assert case.stage == Stage.CLOSED

        # 12-01: the records keeper finds the case on her home, builds the case file and it is archived.
        clock.move_to(_moment(days[31]))
        page = browsers.signed_in(records_keeper)
        queue = page.locator("section", has=page.get_by_role("heading", name="待组卷归档的案件"))
        queue.get_by_role("link", name=case.number).first.click()
        page.get_by_role("button", name="组卷归档").click()
        page.wait_for_load_state()
        case.refresh_from_db()
        for _ in range(60):
            if case.stage == Stage.ARCHIVED:
                break
            page.wait_for_timeout(1000)
            case.refresh_from_db()
        assert case.stage == Stage.ARCHIVED, page.locator("main").inner_text()[:1500]
        page.goto(f"/staff/recording/cases/{case.pk}/")
        screenshot(page, "journey-archived")
        main = _download(page, "下载正卷", "journey-casefile-main")
        sub = _download(page, "下载副卷", "journey-casefile-sub")
    for data, name in ((main, "main"), (sub, "sub")):
        _signed(data, tmp_path, name)
    main_text, sub_text = _text(main), _text(sub)
    assert "正卷" in main_text and "卷内目录" in main_text
    # The filing order: the decision first, then the documents as the case produced them.
    catalogue = main_text[main_text.index("卷内目录") :]
    titles = ["行政处罚决定书", "案件来源登记表", "现场笔录", "行政处罚告知书", "听证通知书", "听证笔录"]
    positions = [catalogue.index(t) for t in titles]
    assert positions == sorted(positions), catalogue[:600]
    for title in (
        "副卷",
        "立案审批表",
        "案件调查终结报告",
        "听证报告",
        "行政处罚决定审批表",
        "法制审核意见书",
        "结案审批表",
    ):
        assert title in sub_text, title
