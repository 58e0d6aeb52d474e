"""Audio-video evidence (音像记录): type by content, the resumable chunked upload (hash, resume, size cap,
duplicates, stale clean-up), metadata, byte-range playback audited once per playback, classification,
download with verification, and voiding that keeps the file.

Real media are made with ffmpeg in a temporary directory (installed here and in CI); the tests that need it
skip only where it is missing."""

import datetime
import hashlib
import io
import shutil
import subprocess
import uuid

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from recording import evidence as domain
from recording.evidence import probing
from recording.models import Classification, Document, Evidence, Upload, UploadStatus
from recording.tasks import clean_stale_uploads
from tests.conftest import login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.workflow import Stage

pytestmark = pytest.mark.django_db

needs_ffmpeg = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg is not installed")

VIDEO = ["-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=5"]
AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
# name -> (ffmpeg arguments, the MIME type the content must be recognised as)
GENERATED = {
    "clip.mp4": (VIDEO + ["-pix_fmt", "yuv420p"], "video/mp4"),
    "clip.mov": (VIDEO + ["-pix_fmt", "yuv420p"], "video/quicktime"),
    "clip.3gp": (VIDEO + AUDIO + ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"], "video/3gpp"),
    "clip.avi": (VIDEO + ["-c:v", "mpeg4"], "video/x-msvideo"),
    "clip.mkv": (VIDEO + ["-pix_fmt", "yuv420p"], "video/x-matroska"),
    "clip.webm": (VIDEO + ["-c:v", "libvpx"], "video/webm"),
    "clip.ts": (VIDEO + ["-pix_fmt", "yuv420p"], "video/mp2t"),
    "note.mp3": (AUDIO, "audio/mpeg"),
    "bare.mp3": (AUDIO + ["-id3v2_version", "0", "-write_xing", "0"], "audio/mpeg"),
    "note.wav": (AUDIO, "audio/wav"),
    "note.m4a": (AUDIO, "audio/mp4"),
    "note.aac": (AUDIO + ["-f", "adts"], "audio/aac"),
    "note.opus": (AUDIO + ["-c:a", "libopus"], "audio/ogg"),
    "note.ogg": (AUDIO + ["-c:a", "libvorbis"], "audio/ogg"),
    "photo.jpg": (VIDEO + ["-frames:v", "1"], "image/jpeg"),
    "photo.png": (VIDEO + ["-frames:v", "1"], "image/png"),
    "photo.webp": (VIDEO + ["-frames:v", "1", "-c:v", "libwebp"], "image/webp"),
}
# Types ffmpeg cannot write here (no HEIC muxer, no AMR encoder in Debian's build): their real headers.
SYNTHETIC = {
    "HEIC (iPhone photo)": (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "image/heic"),
    "AMR (phone recorder)": (b"#!AMR\n" + b"\x3c\x48\xf5\x1f" * 32, "audio/amr"),
    "AMR-WB": (b"#!AMR-WB\n" + b"\x04" * 64, "audio/amr"),
    "MP4 with a body-camera brand": (
        b"\x00\x00\x00\x1cftypXAVC\x00\x00\x00\x00XAVCmp42iso2" + b"\x00" * 64,
        "video/mp4",
    ),
    "M2TS (192-byte packets)": ((b"\x00\x00\x00\x00G" + b"\x00" * 187) * 4, "video/mp2t"),
}
NOT_MEDIA = {
    "a text file renamed .mp4": "这是一份文本文件，不是录像。\n".encode() * 200,
    "a PDF": b"%PDF-1.7\n" + b"0" * 500,
    "a ZIP": b"PK\x03\x04" + b"\x00" * 500,
    "a GIF (not on the allow-list)": b"GIF89a" + b"\x00" * 500,
    "an AVIF image (lists mif1 too)": b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 64,
    "an Ogg Theora video without audio": b"OggS\x00\x02" + b"\x00" * 22 + b"\x80theora" + b"\x00" * 200,
}


def ffmpeg(out, args, metadata=()):
    command = ["ffmpeg", "-v", "error", "-nostdin", "-y", *args, "-shortest"]
    for item in metadata:
        command += ["-metadata", item]
    subprocess.run([*command, str(out)], check=True, capture_output=True, timeout=60)
    return out


@pytest.fixture(scope="session")
def media_files(tmp_path_factory):
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    folder = tmp_path_factory.mktemp("media-samples")
    return {name: ffmpeg(folder / name, args) for name, (args, _mime) in GENERATED.items()}


@pytest.fixture(scope="session")
def camera_clip(tmp_path_factory):
    """A short clip as a body-worn camera writes it: a recording start time and the device in the tags."""
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    out = tmp_path_factory.mktemp("camera") / "DSCF0001.MP4"
    return ffmpeg(
        out,
        VIDEO + AUDIO + ["-pix_fmt", "yuv420p", "-movflags", "use_metadata_tags"],
        metadata=["creation_time=2026-11-03T02:10:00Z", "make=Hikvision", "model=DSJ-T9"],
    ).read_bytes()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(make_case):
    return make_case()


@pytest.fixture
def onsite(case, officer):
    return Document.objects.create(case=case, doc_type="onsite_record", created_by=officer, data={})


def events(action):
    return AuditEvent.objects.filter(action=action)


def start(client, case, data: bytes, **fields):
    payload = {
        "title": "现场检查执法记录仪录像",
        "classification": "general",
        "name": "DSCF0001.MP4",
        "size": str(len(data)),
        **fields,
    }
    return client.post(
        reverse("recording:upload_start", args=[case.pk]), payload, HTTP_ACCEPT="application/json"
    )


def send(client, url, chunk: bytes, offset: int):
    return client.generic(
        "PATCH",
        url,
        data=chunk,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        HTTP_ACCEPT="application/json",
    )


def upload(client, case, data: bytes, *, chunks=3, **fields):
    """Start an upload and send `data` in `chunks` pieces; the answer to the last piece."""
    started = start(client, case, data, **fields)
    assert started.status_code == 201, started.content.decode()
    url = started.json()["url"]
    size = len(data)
    step = -(-size // chunks)
    answer = None
    for offset in range(0, size, step):
        answer = send(client, url, data[offset : offset + step], offset)
        assert answer.status_code == 200, answer.content.decode()
    return answer


class BrokenStream:
    """A request body whose connection breaks after `limit` bytes."""

    def __init__(self, data: bytes, limit: int):
        self.buffer = io.BytesIO(data[:limit])

    def read(self, n=-1):
        block = self.buffer.read(n)
        if not block:
            raise OSError("connection reset by peer")
        return block


# --- Type by content ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_it_recognises_each_allowed_type_by_its_content(media_files, name):
    found = domain.detect_file_type(media_files[name])
    assert found is not None, f"{name} was not recognised"
    assert found.mime == GENERATED[name][1]


@pytest.mark.parametrize("label", sorted(SYNTHETIC))
def test_it_recognises_types_ffmpeg_cannot_write_here_by_their_headers(label):
    head, mime = SYNTHETIC[label]
    found = domain.detect_type(head)
    assert found is not None and found.mime == mime


@pytest.mark.parametrize("label", sorted(NOT_MEDIA))
def test_it_refuses_content_that_is_not_an_allowed_type(label):
    assert domain.detect_type(NOT_MEDIA[label]) is None


def test_it_refuses_a_renamed_text_file_as_soon_as_its_first_bytes_arrive(client, officer, case):
    login_as(client, officer)
    data = NOT_MEDIA["a text file renamed .mp4"] * 10
    started = start(client, case, data, name="现场录像.mp4")
    url = started.json()["url"]
    answer = send(client, url, data[:5000], 0)
    assert answer.status_code == 415
    assert "不是允许的图片、音频或视频格式" in answer.json()["error"]
    assert "“现场录像.mp4”" in answer.json()["error"]
    row = Upload.objects.get()
    assert row.status == UploadStatus.ABORTED
    assert not row.partial_path.exists()
    assert not Evidence.objects.exists()
    # Nothing more is taken for an upload that was refused.
    assert send(client, url, data[5000:], 5000).status_code == 410


# --- The chunked upload -----------------------------------------------------------------------------------


def test_an_upload_in_three_chunks_completes_with_the_hash_of_the_file(
    client, officer, case, onsite, media_files, django_capture_on_commit_callbacks, _media
):
    login_as(client, officer)
    data = media_files["clip.mp4"].read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(client, case, data, chunks=3, document=str(onsite.pk))
    body = answer.json()
    digest = hashlib.sha256(data).hexdigest()
    assert body["complete"] is True and body["sha256"] == digest
    item = Evidence.objects.get()
    assert (item.sha256, item.size, item.mime, item.kind) == (digest, len(data), "video/mp4", "video")
    assert item.document == onsite and item.original_name == "DSCF0001.MP4"
    # The stored file is the file, under a uuid name: never the user's name.
    stored = _media / item.file.name
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == digest
    assert "DSCF0001" not in item.file.name and item.file.name.startswith(f"evidence/{case.pk}/")
    assert Upload.objects.get().status == UploadStatus.COMPLETE
    assert not list((_media / "uploads").glob("*.part"))
    assert body["evidence_url"] == reverse("recording:evidence_detail", args=[case.pk, item.pk])
    event = events("recording.evidence.uploaded").get()
    assert event.detail["sha256"] == digest and event.actor == officer


def test_the_server_tells_the_offset_it_holds(client, officer, case):
    login_as(client, officer)
    data = b"\xff\xd8\xff" + bytes(range(256)) * 40
    url = start(client, case, data).json()["url"]
    send(client, url, data[:1000], 0)
    for method in (client.head, client.get):
        answer = method(url)
        assert answer.status_code == 200
        assert answer["Upload-Offset"] == "1000"
        assert answer["Upload-Length"] == str(len(data))


def test_a_chunk_at_the_wrong_offset_gets_409_with_the_offset_the_server_holds(client, officer, case):
    login_as(client, officer)
    data = b"\xff\xd8\xff" + bytes(range(256)) * 40
    url = start(client, case, data).json()["url"]
    assert send(client, url, data[:3000], 0).status_code == 200
    # The client believes it sent more than it did (its answer was lost) ...
    ahead = send(client, url, data[5000:6000], 5000)
    assert ahead.status_code == 409
    assert ahead.json()["offset"] == 3000 and ahead["Upload-Offset"] == "3000"
    # ... or sends the same chunk twice: neither is written.
    again = send(client, url, data[:3000], 0)
    assert again.status_code == 409 and again.json()["offset"] == 3000
    assert Upload.objects.get().partial_path.stat().st_size == 3000


def test_after_a_broken_connection_the_upload_resumes_from_the_last_byte_received(
    client, officer, case, media_files
):
    login_as(client, officer)
    data = media_files["clip.mov"].read_bytes()
    url = start(client, case, data).json()["url"]
    row = Upload.objects.get()
    # The connection breaks 1234 bytes into a chunk meant to carry 4000.
    result = domain.append_chunk(row, user=officer, offset=0, stream=BrokenStream(data, 1234), length=4000)
    assert result.interrupted and result.evidence is None
    # The client asks where to continue (any worker answers: the running hash is saved with the row).
    offset = int(client.head(url)["Upload-Offset"])
    assert offset == 1234
    # It first retries from where it thought it was: refused with the right offset.
    assert send(client, url, data[4000:], 4000).json()["offset"] == 1234
    answer = send(client, url, data[offset:], offset)
    assert answer.json()["sha256"] == hashlib.sha256(data).hexdigest()
    assert Evidence.objects.get().sha256 == hashlib.sha256(data).hexdigest()


def test_a_resume_finds_bytes_a_failed_request_wrote_but_never_recorded_and_drops_them(officer, case):
    data = b"\xff\xd8\xff" + bytes(range(256)) * 40
    row = domain.start_upload(case, officer, title="照片", declared_size=len(data))
    domain.append_chunk(row, user=officer, offset=0, stream=io.BytesIO(data[:2000]), length=2000)
    with open(row.partial_path, "ab") as f:
        f.write(b"garbage from a request that died before it could update the row")
    result = domain.append_chunk(
        row, user=officer, offset=2000, stream=io.BytesIO(data[2000:]), length=len(data) - 2000
    )
    assert result.evidence.sha256 == hashlib.sha256(data).hexdigest()


def test_it_refuses_at_the_start_a_file_over_the_size_cap(client, officer, case, settings):
    settings.EVIDENCE_MAX_BYTES = 10_000
    login_as(client, officer)
    answer = start(client, case, b"\x00" * 10_001)
    assert answer.status_code == 413
    assert "超过上限" in answer.json()["error"]
    assert not Upload.objects.exists()
    assert events("recording.upload.started").count() == 0


def test_it_refuses_bytes_beyond_the_declared_size(client, officer, case):
    login_as(client, officer)
    data = b"\xff\xd8\xff" + bytes(range(256)) * 40
    url = start(client, case, data).json()["url"]
    assert send(client, url, data[:2000], 0).status_code == 200
    answer = send(client, url, data[2000:] + b"extra bytes", 2000)
    assert answer.status_code == 413
    assert "超过了声明的文件大小" in answer.json()["error"]
    assert answer.json()["offset"] == 2000
    assert Upload.objects.get().partial_path.stat().st_size == 2000
    assert not Evidence.objects.exists()


def test_it_refuses_a_duplicate_and_names_the_item_already_there(
    client, officer, colleague, case, media_files
):
    data = media_files["note.mp3"].read_bytes()
    login_as(client, officer)
    upload(client, case, data, title="询问录音")
    login_as(client, colleague)
    started = start(client, case, data, title="询问录音（复制）")
    answer = send(client, started.json()["url"], data, 0)
    assert answer.status_code == 409
    message = answer.json()["error"]
    assert "“询问录音”" in message and "SHA-256" in message and "未重复添加" in message
    assert Evidence.objects.count() == 1
    refused = Upload.objects.get(pk=started.json()["id"])
    assert refused.status == UploadStatus.ABORTED and not refused.partial_path.exists()


def test_the_same_file_may_be_evidence_in_another_case(client, officer, case, make_case, media_files):
    other = make_case(title="另一案件")
    data = media_files["photo.png"].read_bytes()
    login_as(client, officer)
    upload(client, case, data, chunks=1)
    upload(client, other, data, chunks=1)
    assert Evidence.objects.filter(sha256=hashlib.sha256(data).hexdigest()).count() == 2


def test_a_client_declared_hash_that_differs_is_refused(client, officer, case, media_files):
    data = media_files["photo.jpg"].read_bytes()
    login_as(client, officer)
    started = start(client, case, data, sha256="0" * 64)
    answer = send(client, started.json()["url"], data, 0)
    assert answer.status_code == 422 and "SHA-256" in answer.json()["error"]
    assert not Evidence.objects.exists()


def test_without_javascript_the_whole_file_is_posted_in_one_form(client, officer, case, media_files):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = media_files["note.wav"].read_bytes()
    login_as(client, officer)
    answer = client.post(
        reverse("recording:upload_start", args=[case.pk]),
        {
            "title": "询问录音",
            "classification": "general",
            "file": SimpleUploadedFile("../../etc/passwd.wav", data, content_type="text/plain"),
        },
    )
    item = Evidence.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "recording:evidence_detail", args=[case.pk, item.pk]
    )
    assert item.mime == "audio/wav" and item.original_name == "passwd.wav"
    assert item.sha256 == hashlib.sha256(data).hexdigest()


def test_a_stale_upload_is_aborted_and_its_partial_file_removed(officer, case, settings):
    settings.UPLOAD_STALE_HOURS = 24
    data = b"\xff\xd8\xff" + bytes(range(256)) * 40
    stale = domain.start_upload(case, officer, title="中断的录像", declared_size=len(data))
    domain.append_chunk(stale, user=officer, offset=0, stream=io.BytesIO(data[:500]), length=500)
    fresh = domain.start_upload(case, officer, title="正在上传", declared_size=len(data))
    Upload.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=25))
    Upload.objects.filter(pk=fresh.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=23))
    assert clean_stale_uploads.delay().get() == {"aborted": 1}
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == UploadStatus.ABORTED and "24小时" in stale.error
    assert not stale.partial_path.exists()
    assert fresh.status == UploadStatus.OPEN and fresh.partial_path.exists()
    assert events("recording.upload.expired").count() == 1
    assert not Evidence.objects.exists()


def test_the_periodic_tasks_are_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"recording.tasks.clean_stale_uploads", "recording.tasks.verify_integrity"} <= tasks


# --- Who may upload -------------------------------------------------------------------------------------


def test_an_officer_of_another_unit_cannot_upload_to_the_case(client, outsider, case):
    login_as(client, outsider)
    assert start(client, case, b"\xff\xd8\xff" * 10).status_code == 404
    assert not Upload.objects.exists()


def test_the_bureau_head_sees_the_case_but_does_not_upload_to_it(client, bureau_head, case):
    login_as(client, bureau_head)
    answer = start(client, case, b"\xff\xd8\xff" * 10)
    assert answer.status_code == 403 and "承办人员" in answer.json()["error"]
    page = client.get(reverse("recording:evidence_upload", args=[case.pk]))
    assert "只有本案承办人员和承办单位负责人" in page.content.decode()


def test_nothing_is_uploaded_or_voided_once_the_case_is_archived(officer, case):
    case.stage = Stage.ARCHIVED  # in memory only: the rule reads the stage
    with pytest.raises(domain.EvidenceRefused, match="案件已归档"):
        domain.start_upload(case, officer, title="录像", declared_size=100)


def test_only_the_user_who_started_an_upload_may_continue_it(client, officer, colleague, case):
    login_as(client, officer)
    data = b"\xff\xd8\xff" + bytes(range(256)) * 4
    url = start(client, case, data).json()["url"]
    login_as(client, colleague)
    assert send(client, url, data, 0).status_code == 404
    assert client.head(url).status_code == 404
    assert client.head(reverse("recording:upload", args=[uuid.uuid4()])).status_code == 404


# --- Metadata ---------------------------------------------------------------------------------------------


@needs_ffmpeg
def test_metadata_is_read_with_ffprobe_and_shown_with_a_poster_frame(
    client, officer, case, camera_clip, django_capture_on_commit_callbacks
):
    login_as(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, case, camera_clip, chunks=2)
    item = Evidence.objects.get()
    assert item.duration == pytest.approx(1.0, abs=0.3)
    assert item.recorded_at == datetime.datetime(2026, 11, 3, 2, 10, tzinfo=datetime.UTC)
    assert item.metadata["device"] == "Hikvision DSJ-T9"
    assert item.metadata["video"]["width"] == 160 and item.metadata["video"]["codec"] == "h264"
    assert item.thumbnail
    page = client.get(reverse("recording:evidence_detail", args=[case.pk, item.pk])).content.decode()
    assert "2026年11月3日 10:10:00" in page  # the camera's UTC start time, shown in Beijing time
    assert "Hikvision DSJ-T9" in page and "0分01秒" in page
    thumb = client.get(reverse("recording:evidence_thumbnail", args=[case.pk, item.pk]))
    assert thumb.status_code == 200 and body_of(thumb)[:3] == b"\xff\xd8\xff"


def test_without_ffprobe_the_upload_works_and_the_page_says_metadata_is_unavailable(
    client, officer, case, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(probing.shutil, "which", lambda name: None)
    login_as(client, officer)
    data = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, case, data, chunks=1)
    item = Evidence.objects.get()
    assert item.metadata == {"probed": False, "reason": domain.METADATA_UNAVAILABLE}
    assert not item.thumbnail
    page = client.get(reverse("recording:evidence_detail", args=[case.pk, item.pk])).content.decode()
    assert "元数据不可用" in page and "未安装 ffprobe" in page


# --- Playback, download, classification -------------------------------------------------------------------


@pytest.fixture
def video(client, officer, case):
    """A stored 5000-byte 'video' (a real MP4 head is enough for what is tested here)."""
    login_as(client, officer)
    data = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 20
    data = data[:5000]
    upload(client, case, data, chunks=1, title="现场录像")
    client.logout()
    return Evidence.objects.get(), data


def stream(client, item, header=None):
    url = reverse("recording:evidence_stream", args=[item.case_id, item.pk])
    return client.get(url, HTTP_RANGE=header) if header else client.get(url)


def test_a_range_request_gets_206_with_the_bytes_asked_for(client, officer, video):
    item, data = video
    login_as(client, officer)
    for header, first, last in (
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, 4999),
        ("bytes=-50", 4950, 4999),
        ("bytes=4990-9999", 4990, 4999),
    ):
        answer = stream(client, item, header)
        assert answer.status_code == 206, header
        assert answer["Content-Range"] == f"bytes {first}-{last}/5000"
        assert answer["Content-Length"] == str(last - first + 1)
        assert answer["Accept-Ranges"] == "bytes"
        assert answer["Content-Type"] == "video/mp4"
        assert b"".join(answer.streaming_content) == data[first : last + 1]


def test_a_range_past_the_end_gets_416_and_no_range_the_whole_file(client, officer, video):
    item, data = video
    login_as(client, officer)
    past = stream(client, item, "bytes=5000-")
    assert past.status_code == 416 and past["Content-Range"] == "bytes */5000"
    whole = stream(client, item)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == data
    # Several ranges at once are not served as multipart: the whole file instead (RFC 9110 allows it).
    assert stream(client, item, "bytes=0-1,5-6").status_code == 200


def test_a_playback_is_one_audit_event_however_many_range_requests_it_makes(client, officer, video):
    item, _data = video
    login_as(client, officer)
    for header in ("bytes=0-", "bytes=4000-", "bytes=1000-", "bytes=0-99"):
        stream(client, item, header)
    played = events("recording.evidence.played")
    assert played.count() == 1
    assert played.get().detail["evidence"] == item.pk and played.get().actor == officer


def body_of(answer) -> bytes:
    return b"".join(answer.streaming_content) if answer.streaming else answer.content


def test_viewing_and_downloading_are_audited_each_time(client, officer, video):
    item, data = video
    login_as(client, officer)
    client.get(reverse("recording:evidence_detail", args=[item.case_id, item.pk]))
    answer = client.get(reverse("recording:evidence_download", args=[item.case_id, item.pk]))
    assert body_of(answer) == data
    assert answer["Content-Disposition"].startswith("attachment;")
    assert "/" not in answer["Content-Disposition"].split("filename", 1)[1]
    assert answer["Cache-Control"] == "private, no-store"
    assert events("recording.evidence.viewed").count() == 1
    downloaded = events("recording.evidence.downloaded").get()
    assert downloaded.detail["verified"] == "before_send" and downloaded.detail["sha256"] == item.sha256


def test_a_download_name_is_made_safe_from_the_title(officer, video):
    item, _data = video
    item.title = '../../现场:录像*"1"'
    assert domain.safe_download_name(item) == f"现场_录像_1-{item.sha256[:8]}.mp4"


def test_a_classified_video_is_404_for_the_bureau_head_and_the_attempt_is_logged(
    client, officer, bureau_head, unit_head, case
):
    login_as(client, officer)
    data = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 4
    upload(client, case, data, chunks=1, title="当事人住所内录像", classification=Classification.PRIVACY)
    item = Evidence.objects.get()
    login_as(client, bureau_head)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200  # the case itself: yes
    for name in (
        "evidence_detail",
        "evidence_stream",
        "evidence_download",
        "evidence_thumbnail",
        "evidence_void",
    ):
        assert client.get(reverse(f"recording:{name}", args=[case.pk, item.pk])).status_code == 404, name
    denied = events("recording.evidence.access_denied")
    assert denied.count() == 5 and all(e.actor == bureau_head for e in denied)
    listing = client.get(reverse("recording:evidence_list", args=[case.pk])).content.decode()
    assert "当事人住所内录像" not in listing
    # The case's unit head may see it.
    login_as(client, unit_head)
    assert client.get(reverse("recording:evidence_detail", args=[case.pk, item.pk])).status_code == 200


def test_evidence_of_a_case_the_user_cannot_see_is_404(client, outsider, video):
    item, _data = video
    login_as(client, outsider)
    assert stream(client, item).status_code == 404
    assert events("cases.case.access_denied").count() == 1


def test_evidence_asked_for_under_another_case_is_404(client, officer, video, make_case):
    item, _data = video
    other = make_case(title="另一案件")
    login_as(client, officer)
    assert client.get(reverse("recording:evidence_detail", args=[other.pk, item.pk])).status_code == 404


def test_an_altered_small_file_is_not_sent_and_the_records_keeper_is_told(
    client, officer, records_keeper, video, _media
):
    records_keeper.email = "wujing@wuding-amr.example"
    records_keeper.save()
    item, _data = video
    path = _media / item.file.name
    raw = bytearray(path.read_bytes())
    raw[2000] ^= 0xFF
    path.write_bytes(bytes(raw))
    login_as(client, officer)
    answer = client.get(reverse("recording:evidence_download", args=[item.case_id, item.pk]), follow=True)
    assert "与保存时的 SHA-256 不一致" in answer.content.decode()
    failed = events("recording.integrity.failed").get()
    assert failed.detail["source"] == "download" and failed.detail["problems"][0]["file"] == item.file.name
    assert failed.detail["problems"][0]["problem"] == "mismatch"
    assert events("recording.evidence.integrity_failed").count() == 1
    assert mail.outbox and mail.outbox[0].to == ["wujing@wuding-amr.example"]
    assert not events("recording.evidence.downloaded").exists()


def test_a_large_recording_is_not_rehashed_per_download_or_per_range_request(
    client, officer, video, settings, _media, monkeypatch
):
    """Large audio-video is checked at ingest, nightly and on export (docs/architecture.md, "Files"):
    neither a download nor a playback reads it through a hash."""
    settings.EVIDENCE_VERIFY_BEFORE_SEND_BYTES = 1000  # the 5000-byte video counts as large
    item, data = video
    from wuding_enforcement.audit import files

    hashed = []
    for name in ("_small_file", "file_sha256"):
        real = getattr(files, name)
        monkeypatch.setattr(files, name, lambda f, real=real: hashed.append(f.name) or real(f))
    login_as(client, officer)
    answer = client.get(reverse("recording:evidence_download", args=[item.case_id, item.pk]))
    assert answer.status_code == 200 and body_of(answer) == data
    assert events("recording.evidence.downloaded").get().detail["verified"] == "at_ingest_and_nightly"
    for header in ("bytes=0-99", "bytes=4000-"):
        assert stream(client, item, header).status_code == 206
    assert hashed == []
    # A small item is hashed on download (the same getter, with the recorded hash).
    settings.EVIDENCE_VERIFY_BEFORE_SEND_BYTES = 64 * 1024**2
    client.get(reverse("recording:evidence_download", args=[item.case_id, item.pk]))
    assert len(hashed) == 1


def test_a_missing_file_is_reported_not_served(client, officer, video, _media):
    item, _data = video
    (_media / item.file.name).unlink()
    login_as(client, officer)
    for name in ("evidence_download", "evidence_stream"):
        url = reverse(f"recording:{name}", args=[item.case_id, item.pk])
        answer = client.get(url, follow=True)
        assert "文件缺失" in answer.content.decode()
    problems = [e.detail["problems"][0]["problem"] for e in events("recording.integrity.failed")]
    assert problems == ["missing", "missing"]
    assert not events("recording.evidence.played").exists()


# --- Void --------------------------------------------------------------------------------------------------


def test_voiding_keeps_the_file_and_shows_the_item_struck_through(client, officer, video, _media):
    item, data = video
    login_as(client, officer)
    url = reverse("recording:evidence_void", args=[item.case_id, item.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200 and "这个字段是必填项" in refused.content.decode()
    answer = client.post(url, {"reason": "误传了其他案件的录像。"})
    assert answer.status_code == 302
    item.refresh_from_db()
    assert item.voided_by == officer and item.void_reason == "误传了其他案件的录像。"
    assert (_media / item.file.name).read_bytes() == data
    assert events("recording.evidence.voided").count() == 1
    listing = client.get(reverse("recording:evidence_list", args=[item.case_id])).content.decode()
    assert "<del>" in listing and "已作废" in listing
    # Voided items still play (the record is kept), and cannot be voided twice.
    assert stream(client, item).status_code == 200
    client.post(url, {"reason": "再次作废"})
    item.refresh_from_db()
    assert item.void_reason == "误传了其他案件的录像。"


def test_the_bureau_head_cannot_void_evidence(client, bureau_head, video):
    item, _data = video
    login_as(client, bureau_head)
    client.post(reverse("recording:evidence_void", args=[item.case_id, item.pk]), {"reason": "不需要"})
    item.refresh_from_db()
    assert item.voided_at is None


def test_the_evidence_list_costs_a_fixed_number_of_queries(
    client, officer, case, django_assert_num_queries, media_files
):
    login_as(client, officer)
    url = reverse("recording:evidence_list", args=[case.pk])
    for names in (("photo.jpg",), ("photo.png", "note.mp3", "note.wav")):
        for name in names:
            upload(client, case, media_files[name].read_bytes(), chunks=1, title=name)
        client.get(url)
        # The page's own 4, whatever the number of items: the case (get_case_for_user, visible_to), whether
        # the user may see classified items (an assignment), the evidence with its act, uploader and voider
        # joined, and whether the user may upload (editable_by). The other 6 belong to every staff page:
        # session read, user, role groups, OTP device, the unread-notification count and the user's unit in
        # the header (the admin link reads the roles: no permission queries).
        with django_assert_num_queries(10):
            page = client.get(url)
        assert page.content.decode().count("<tr") == 1 + Evidence.objects.count()
