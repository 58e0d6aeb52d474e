"""An officer's recording journey in Debian's chromium: register a lead, get 立案 approved by the unit head and
the bureau head from the workspace, fill a 现场笔录 with two officers, upload a video with the progress bar,
issue the record and download its PDF (rendered to PNG for a human to look at). The workspace is also
checked at tablet width."""

import datetime
import hashlib
import shutil
import subprocess

import pytest

from recording.models import Document, Evidence
from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS, screenshot, sign_in
from wuding_enforcement.cases.models import Case
from wuding_enforcement.cases.workflow import Stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _small_mp4(path):
    """A 2-second test-pattern clip (a few kB) made with ffmpeg."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed: `make test` installs it")
    subprocess.run(  # noqa: S603
        [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10"]
        + ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)],
        check=True,
        timeout=60,
    )
    return path


def _approve_from_workspace(page, url, opinion):
    page.goto(url)
    awaiting = page.locator("section", has=page.get_by_role("heading", name="待我审批"))
    awaiting.get_by_label("同意", exact=True).check()
    awaiting.get_by_label("意见", exact=True).fill(opinion)
    awaiting.get_by_role("button", name="提交意见").click()
    page.wait_for_url(f"**{url}")


def test_an_officer_records_a_case_from_lead_to_an_issued_onsite_record(
    new_page, officer, colleague, unit_head, bureau_head, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # confirm.js asks before 签发
    sign_in(page, officer.username, PASSWORD)

    # 1. The lead.
    page.goto("/staff/recording/")
    page.get_by_role("link", name="登记案源").click()
    page.get_by_label("案由").fill("涉嫌销售超过保质期的食品案")
    page.get_by_label("案件来源").select_option(label="投诉举报")
    page.get_by_label("线索收到日期").fill(datetime.date.today().isoformat())
    page.get_by_label("线索内容").fill("群众投诉某超市销售过期饼干。")
    page.get_by_label("王志强").check()
    parties = page.locator("fieldset", has=page.get_by_text("当事人1"))
    parties.get_by_label("当事人类型").select_option(label="法人或其他组织")
    parties.get_by_label("名称/姓名").fill("武定县某某超市有限公司")
    parties.get_by_label("统一社会信用代码").fill("91532329MA6K000002")
    parties.get_by_label("法定代表人（负责人）").fill("陈某")
    screenshot(page, "recording-lead-form")
    page.get_by_role("button", name="登记案源").click()
    page.get_by_role("heading", name="办案全过程").wait_for()
    case = Case.objects.get()
    assert case.lead_number in page.content()
    workspace = f"/staff/recording/cases/{case.pk}/"

    # 2. 立案: asked for from the workspace, approved by the unit head, then the bureau head.
    request = page.locator("section", has=page.get_by_role("heading", name="提请审批"))
    request.get_by_label("审批事项").select_option(label="立案审批")
    request.get_by_label("申请理由").fill("经核查，当事人涉嫌销售超过保质期的食品，符合立案条件。")
    request.get_by_role("button", name="提交审批").click()
    page.get_by_text("待承办单位负责人意见").first.wait_for()

    head = new_page()
    sign_in(head, unit_head.username, PASSWORD)
    _approve_from_workspace(head, workspace, "情况属实，拟同意立案。")
    bureau = new_page()
    sign_in(bureau, bureau_head.username, PASSWORD)
    _approve_from_workspace(bureau, workspace, "同意立案，由李桂芬、王志强承办。")
    case.refresh_from_db()
    assert case.stage == Stage.FILED and case.case_number

    # 3. The 现场笔录, with both officers present.
    page.goto(workspace)
    page.get_by_text(case.case_number).first.wait_for()
    page.get_by_role("link", name="现场笔录", exact=True).click()
    now = datetime.datetime.now().replace(second=0, microsecond=0)
    page.get_by_label("检查开始时间").fill((now - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("检查结束时间").fill((now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("检查地点").fill("武定县狮山镇某路2号店内")
    page.get_by_label("现场负责人/在场人").fill("陈某（法定代表人）")
    page.get_by_label("执法人员已出示执法证件并告知权利义务").check()
    page.get_by_label("已进行音像记录").check()
    page.get_by_label("现场情况").fill("货架上陈列超过保质期的饼干12袋，生产日期2025年9月1日，保质期12个月。")
    assert page.get_by_label("李桂芬").is_checked() and page.get_by_label("王志强").is_checked()
    screenshot(page, "recording-onsite-form")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("草稿已保存").wait_for()
    document = Document.objects.get(case=case)
    assert set(document.officers.all()) == {officer, colleague}
    # Not issuable yet: no audio-video and no reason for its absence.
    assert page.get_by_text("请关联音像记录").is_visible()

    # 4. The video, through the chunked upload with its progress bar.
    clip = _small_mp4(tmp_path / "DSJ_0001.mp4")
    page.get_by_role("link", name="上传并关联音像记录").click()
    page.get_by_label("名称").fill("执法记录仪录像：现场检查")
    page.get_by_label("所记录的执法活动").select_option(index=1)
    page.locator("#id_file").set_input_files(str(clip))
    page.get_by_role("button", name="上传", exact=True).click()
    page.locator("[data-upload-done]").wait_for(state="visible", timeout=30_000)
    assert page.locator("#upload-bar").get_attribute("value") == "100"
    screenshot(page, "recording-upload-done")
    evidence = Evidence.objects.get(case=case)
    assert evidence.document_id == document.pk and evidence.kind == "video"
    assert evidence.sha256 == hashlib.sha256(clip.read_bytes()).hexdigest()

    # 5. Issue it and download the PDF.
    page.goto(f"{workspace}documents/{document.pk}/")
    page.get_by_text("已满足签发条件").wait_for()
    page.get_by_role("button", name="签发").click()
    page.get_by_text("已签发").first.wait_for()
    document.refresh_from_db()
    assert document.status == "issued" and document.file_seq == 1
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    pdf = download.value.path().read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == document.pdf_sha256
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "recording-onsite-record.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(  # noqa: S603
            ["pdftoppm", "-png", "-r", "60", str(ARTIFACTS / "recording-onsite-record.pdf")]
            + [str(ARTIFACTS / "recording-onsite-record")],
            check=True,
            timeout=60,
        )

    # 6. The workspace tells the whole story, in order.
    page.goto(workspace)
    timeline = page.locator(".ws-timeline").inner_text()
    for step in ("登记案源", "提请立案审批", "线索登记 → 立案", "现场笔录", "录像：执法记录仪录像"):
        assert step in timeline, step
    assert timeline.index("登记案源") < timeline.index("线索登记 → 立案") < timeline.index("录像")
    screenshot(page, "recording-workspace")


def test_the_workspace_fits_a_tablet(
    new_page, make_case, officer, unit_head, bureau_head, browser, live_server
):
    from tests.conftest import file_case

    case = file_case(make_case(), unit_head, bureau_head, officer)
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 768, "height": 1024}
    )
    try:
        page = context.new_page()
        sign_in(page, officer.username, PASSWORD)
        page.goto(f"/staff/recording/cases/{case.pk}/")
        page.get_by_role("heading", name="办案全过程").wait_for()
        # Nothing wider than the screen: no horizontal scrolling of the whole page.
        assert page.evaluate("document.documentElement.scrollWidth") <= 768
        assert page.get_by_role("heading", name="制作文书").is_visible()
        screenshot(page, "recording-workspace-tablet")
    finally:
        context.close()
