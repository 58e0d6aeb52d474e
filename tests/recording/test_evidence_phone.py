"""The upload page and an item's page on a phone (390 px, as an officer opens them on site): no sideways
scrolling; opened from an act, the upload has that act chosen, uploads through the resumable script, and the
item can be linked to another act afterwards. Screenshots go to EVIDENCE_SHOTS_DIR when it is set."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from recording import evidence as domain
from recording.models import Document, Evidence
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def shot(page, tmp_path, name):
    folder = Path(os.environ.get("EVIDENCE_SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_upload_and_link_on_a_phone(new_page, officer, make_case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = make_case()
    act = Document.objects.create(case=case, doc_type="onsite_record", created_by=officer, data={})
    other_act = Document.objects.create(case=case, doc_type="inquiry_record", created_by=officer, data={})
    clip = tmp_path / "DSJ_0001.mp4"
    clip.write_bytes(MP4_HEAD + os.urandom(300_000))

    page = new_page(phone=True)
    sign_in(page, officer.username, PASSWORD)
    page.goto(reverse("recording:evidence_upload", args=[case.pk]) + f"?document={act.pk}")
    assert page.get_by_label("所记录的执法活动").input_value() == str(act.pk)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, tmp_path, "evidence-upload-390")
    page.get_by_label("名称", exact=True).fill("执法记录仪录像：现场检查")
    page.get_by_label("文件", exact=True).set_input_files(str(clip))
    page.get_by_role("button", name="上传").click()
    page.locator("[data-upload-done] strong").wait_for()
    item = Evidence.objects.get()
    assert item.document_id == act.pk

    page.goto(reverse("recording:evidence_detail", args=[case.pk, item.pk]))
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.get_by_label("所记录的执法活动").select_option(str(other_act.pk))
    page.get_by_role("button", name="关联", exact=True).click()
    page.get_by_text("已将“执法记录仪录像：现场检查”关联到").wait_for()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, tmp_path, "evidence-detail-390")
    item.refresh_from_db()
    assert item.document_id == other_act.pk
    assert domain.linked_av(other_act) == [item]
