"""Evidence that can always be linked: an uploaded item is linked to the act it records (or unlinked, with a
reason) after upload, each change logged; unlinking an act's only video re-opens its AV rule; the upload page
opened from an act has it chosen; a voided file can be uploaded again, with a clear message; and the act's
record states its audio-video from the items really linked."""

import datetime
import hashlib
import io
import os

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from recording import evidence as domain
from recording.models import Document, Evidence
from recording.rendering import document_context
from tests.conftest import login_as
from tests.recording.test_evidence import send, start
from wuding_enforcement.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(make_case):
    return make_case()


@pytest.fixture
def onsite(case, officer, colleague):
    """A 现场笔录 (AV 'as needed': linked AV or a written reason), no reason written."""
    document = Document.objects.create(
        case=case,
        doc_type="onsite_record",
        created_by=officer,
        act_date=datetime.date(2026, 11, 20),
        data={
            "started_at": "2026-11-20T09:00",
            "ended_at": "2026-11-20T10:00",
            "place": "狮山镇某超市",
            "present_person": "张某（店长）",
            "certificates_shown": True,
            "av_recorded": True,
            "findings": "货架上有超过保质期的牛奶。",
            "measures": "",
        },
    )
    document.officers.set([officer, colleague])
    return document


def video(case, officer, title="执法记录仪录像", document=None, data=None):
    data = data or MP4_HEAD + os.urandom(4000)
    return domain.ingest_file(case, officer, io.BytesIO(data), len(data), title=title, document=document)


def events(action):
    return AuditEvent.objects.filter(action=action)


# --- The upload page opened from an act -------------------------------------------------------------------


def test_the_upload_page_opened_from_an_act_has_that_act_chosen(client, officer, case, onsite):
    login_as(client, officer)
    url = reverse("recording:evidence_upload", args=[case.pk])
    page = client.get(f"{url}?document={onsite.pk}").content.decode()
    assert f'<option value="{onsite.pk}" selected>' in page
    assert f'<option value="{onsite.pk}">' in client.get(url).content.decode()


def test_an_act_of_another_case_in_the_address_is_not_chosen(client, officer, case, make_case):
    other = Document.objects.create(case=make_case(), doc_type="onsite_record", created_by=officer, data={})
    login_as(client, officer)
    url = reverse("recording:evidence_upload", args=[case.pk])
    page = client.get(f"{url}?document={other.pk}").content.decode()
    assert f'<option value="{other.pk}"' not in page
    assert '<option value="" selected>（不关联具体文书）</option>' in page


# --- Link and unlink after upload -------------------------------------------------------------------------


def test_an_item_uploaded_without_an_act_is_linked_afterwards_and_logged(client, officer, case, onsite):
    item = video(case, officer)
    login_as(client, officer)
    answer = client.post(
        reverse("recording:evidence_link", args=[case.pk, item.pk]), {"document": onsite.pk}, follow=True
    )
    assert "已将“执法记录仪录像”关联到" in answer.content.decode()
    item.refresh_from_db()
    assert item.document_id == onsite.pk
    event = events("recording.evidence.linked").get()
    assert event.detail["document"] == onsite.pk and event.detail["previous_document"] is None
    assert Document.objects.with_live_av().get(pk=onsite.pk).has_av


def test_linking_to_an_act_of_another_case_is_refused_however_it_is_posted(officer, case, make_case):
    item = video(case, officer)
    other = Document.objects.create(case=make_case(), doc_type="onsite_record", created_by=officer, data={})
    with pytest.raises(domain.EvidenceRefused, match="不属于本案"):
        domain.link_evidence(item, other, by=officer)
    item.refresh_from_db()
    assert item.document_id is None and not events("recording.evidence.linked").exists()


def test_an_officer_of_another_unit_cannot_reach_the_link_endpoint(client, outsider, officer, case, onsite):
    item = video(case, officer)
    login_as(client, outsider)
    answer = client.post(reverse("recording:evidence_link", args=[case.pk, item.pk]), {"document": onsite.pk})
    assert answer.status_code == 404
    item.refresh_from_db()
    assert item.document_id is None


def test_only_those_working_on_the_case_may_link(officer, case, onsite, bureau_head):
    item = video(case, officer)
    with pytest.raises(domain.EvidenceRefused, match="只有本案承办人员"):
        domain.link_evidence(item, onsite, by=bureau_head)


def test_a_voided_item_cannot_be_linked(officer, case, onsite):
    item = video(case, officer)
    domain.void_evidence(item, by=officer, reason="误传")
    with pytest.raises(domain.EvidenceRefused, match="已作废"):
        domain.link_evidence(item, onsite, by=officer)


def test_unlinking_the_only_video_of_an_act_reopens_its_av_rule(client, officer, case, onsite):
    item = video(case, officer, document=onsite)
    login_as(client, officer)
    url = reverse("recording:evidence_unlink", args=[case.pk, item.pk])
    refused = client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "取消关联的理由" in refused
    item.refresh_from_db()
    assert item.document_id == onsite.pk
    page = client.post(url, {"reason": "误关联，该录像记录的是另一次检查"}, follow=True).content.decode()
    assert "现已没有关联的录像或录音" in page
    item.refresh_from_db()
    assert item.document_id is None
    assert not Document.objects.with_live_av().get(pk=onsite.pk).has_av
    event = events("recording.evidence.unlinked").get()
    assert event.detail["av_rule_reopened"] is True and event.detail["reason"].startswith("误关联")


def test_unlinking_one_of_two_videos_leaves_the_rule_satisfied(officer, case, onsite):
    first = video(case, officer, document=onsite)
    video(case, officer, title="第二段录像", document=onsite)
    assert domain.unlink_evidence(first, by=officer, reason="重复") == ""
    assert Document.objects.with_live_av().get(pk=onsite.pk).has_av


# --- A voided file uploaded again -------------------------------------------------------------------------


def test_a_voided_file_can_be_uploaded_again_and_says_so(client, officer, case):
    data = MP4_HEAD + os.urandom(6000)
    first = video(case, officer, data=data)
    domain.void_evidence(first, by=officer, reason="误关联到其他案件后作废")
    login_as(client, officer)
    url = start(client, case, data).json()["url"]
    answer = send(client, url, data, 0)
    assert answer.status_code == 200 and answer.json()["complete"]
    assert "已作废" in answer.json()["notice"] and "重新上传" in answer.json()["notice"]
    assert Evidence.objects.filter(sha256=hashlib.sha256(data).hexdigest()).count() == 2
    first.refresh_from_db()
    assert first.voided_at is not None and first.void_reason == "误关联到其他案件后作废"


def test_a_live_duplicate_is_refused_with_its_reason_not_taken_for_a_finished_upload(client, officer, case):
    data = MP4_HEAD + os.urandom(6000)
    video(case, officer, data=data, title="第一次上传")
    login_as(client, officer)
    url = start(client, case, data).json()["url"]
    answer = send(client, url, data, 0)
    assert answer.status_code == 409
    # No offset: the page's script reads an offset with a 409 as "continue from there", and then said
    # "文件已全部上传" while nothing had been added.
    assert "offset" not in answer.json()
    assert "第一次上传" in answer.json()["error"] and "未重复添加" in answer.json()["error"]


# --- What the act's record says ----------------------------------------------------------------------------


def test_the_act_record_states_its_av_from_the_linked_items(officer, case, onsite):
    assert onsite.av_statement == "未进行音像记录（未说明理由）"
    onsite.av_exemption = "现场情况简单，文字记录足以记录。"
    assert onsite.av_statement == "未进行音像记录。理由：现场情况简单，文字记录足以记录。"
    video(case, officer, document=onsite)
    html = render_to_string(onsite.doctype.template, document_context(onsite))
    assert "已进行音像记录（录像“执法记录仪录像”）" in html
    assert "未进行音像记录" not in html


def test_a_classified_item_is_404_at_the_link_endpoints_for_who_may_not_see_it(
    client, officer, bureau_head, case, onsite
):
    data = MP4_HEAD + os.urandom(3000)
    item = domain.ingest_file(
        case, officer, io.BytesIO(data), len(data), title="住所内录像", classification="privacy"
    )
    login_as(client, bureau_head)
    for name, payload in (("evidence_link", {"document": onsite.pk}), ("evidence_unlink", {"reason": "x"})):
        answer = client.post(reverse(f"recording:{name}", args=[case.pk, item.pk]), payload)
        assert answer.status_code == 404, name
    assert events("recording.evidence.access_denied").count() == 2
    item.refresh_from_db()
    assert item.document_id is None
