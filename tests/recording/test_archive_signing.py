# ruff: noqa: F811  (pytest fixtures imported from test_archive are redefined as arguments)
"""The archived case file is sealed (电子签名法 第十三、十四条; 档案法 第三十七条): each volume (正卷、副卷) is signed
with the bureau's electronic seal after it is merged and page-numbered, the stored SHA-256 is that of the
signed file, later changes are detectable twice (hash and signature), and a signer that fails stops the
build visibly with nothing stored half-signed.

Time is frozen on Wednesday 25 November 2026 (no holiday near)."""

import hashlib
import io
import subprocess

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfWriter

from recording import integrity
from recording.models import CaseFile, CaseFileStatus
from tests.conftest import login_as
from tests.recording.test_archive import (  # noqa: F401 — fixtures used by name
    NOW,
    build,
    closed_case,
    filed_case,
    pdf_bytes,
    plain_closed_case,
)
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.shared import signing

pytestmark = pytest.mark.django_db

VOLUMES = ("main", "sub")


class OfflineSealPlatform:
    """A pluggable signer backend (settings.DOCUMENT_SIGNER) whose platform cannot be reached."""

    demo = False

    def sign(self, pdf_bytes, *, reason):
        raise ConnectionError("省电子印章平台连接超时")

    def certificate(self):
        raise ConnectionError("省电子印章平台连接超时")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored_file(case_file, volume) -> integrity.StoredFile:
    pdf = getattr(case_file, f"{volume}_pdf")
    return integrity.StoredFile(
        f"casefile_{volume}",
        f"案卷（{volume}）",
        pdf.name,
        getattr(case_file, f"{volume}_sha256"),
        case_file.case_id,
        case_file.case.handling_unit_id,
        case_file.pk,
    )


def casefile_pdfs(settings) -> list:
    folder = settings.MEDIA_ROOT / "casefiles"
    return sorted(folder.rglob("*.pdf")) if folder.exists() else []


def test_each_volume_is_sealed_and_the_stored_hash_is_that_of_the_signed_file(
    closed_case, records_keeper, django_capture_on_commit_callbacks
):
    case_file = build(closed_case, records_keeper, django_capture_on_commit_callbacks)
    assert case_file.status == CaseFileStatus.DONE and closed_case.stage == Stage.ARCHIVED
    assert case_file.signed and case_file.signature_note == "演示证书签章（非正式）"
    for volume, label in (("main", "正卷"), ("sub", "副卷")):
        data = pdf_bytes(getattr(case_file, f"{volume}_pdf"))
        assert hashlib.sha256(data).hexdigest() == getattr(case_file, f"{volume}_sha256")
        report = signing.verify(data)
        assert report.signed and report.intact and report.valid and report.by_bureau, (volume, report)
        assert report.covers_whole_file, volume
        assert f"归档{label}" in report.reason and closed_case.number in report.reason
        # poppler checks the seal independently of pyHanko: one signature (the merged documents' own seals
        # ride along as attachments, not as signatures of the volume), and it is valid.
        out = subprocess.run(
            ["pdfsig", getattr(case_file, f"{volume}_pdf").path], capture_output=True, text=True
        ).stdout
        assert out.count("Signature #") == 1 and "Signature is Valid" in out, out
    built = AuditEvent.objects.get(action="recording.casefile.built", object_id=str(closed_case.pk))
    assert built.detail["signed"] is True
    assert built.detail["main_sha256"] == case_file.main_sha256
    # The periodic integrity check re-hashes the signed files and finds them as stored.
    assert [p for p in integrity.verify_all().problems if p.file.kind.startswith("casefile")] == []


def test_a_flipped_byte_in_a_sealed_volume_is_detected_by_the_seal_and_the_hash(
    client, plain_closed_case, records_keeper, django_capture_on_commit_callbacks
):
    case_file = build(plain_closed_case, records_keeper, django_capture_on_commit_callbacks)
    path = case_file.main_pdf.path
    data = bytearray(pdf_bytes(case_file.main_pdf))
    position = data.find(b"stream") + 100
    data[position] ^= 0x01
    with open(path, "wb") as f:
        f.write(data)

    report = signing.verify(bytes(data))
    assert report.signed and not report.intact
    assert "被改动" in report.summary
    problem = integrity.check(stored_file(case_file, "main"))
    assert problem is not None and problem.problem == integrity.MISMATCH
    assert integrity.check(stored_file(case_file, "sub")) is None
    # The changed volume is not handed out.
    login_as(client, records_keeper)
    url = reverse("recording:casefile_download", args=[plain_closed_case.pk])
    assert client.get(url, {"volume": "main"}).status_code == 302
    assert AuditEvent.objects.filter(action="recording.integrity.failed").exists()


def test_an_incremental_update_that_changes_a_sealed_volume_is_detected(
    plain_closed_case, records_keeper, django_capture_on_commit_callbacks
):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    case_file = build(plain_closed_case, records_keeper, django_capture_on_commit_callbacks)
    genuine = pdf_bytes(case_file.sub_pdf)
    # Paint a box over the first page in a revision appended after the seal (the original bytes untouched).
    writer = IncrementalPdfFileWriter(io.BytesIO(genuine))
    box = writer.add_object(generic.StreamObject(stream_data=b"q 1 1 1 rg 60 600 480 120 re f Q"))
    writer.add_stream_to_page(0, box)
    out = io.BytesIO()
    writer.write(out)
    changed = out.getvalue()
    assert changed.startswith(genuine) and len(changed) > len(genuine)
    with open(case_file.sub_pdf.path, "wb") as f:
        f.write(changed)

    report = signing.verify(changed)
    assert report.signed and not report.covers_whole_file
    assert "追加了内容" in report.summary
    problems = [p for p in integrity.verify_all().problems if p.file.kind == "casefile_sub"]
    assert [p.problem for p in problems] == [integrity.MISMATCH]


# Committed transactions: the request's commit hands the build to the (eager) task as in `make run`, so the
# records keeper's own response already carries the outcome.
@pytest.mark.django_db(transaction=True)
def test_a_signer_that_fails_stops_the_archive_and_the_records_keeper_sees_why(
    client, plain_closed_case, records_keeper, settings
):
    settings.DOCUMENT_SIGNER = "tests.recording.test_archive_signing.OfflineSealPlatform"
    login_as(client, records_keeper)
    start = reverse("recording:casefile_start", args=[plain_closed_case.pk])
    response = client.post(start, {"retention": "30y"}, follow=True)
    page = response.content.decode()
    assert "组卷失败" in page and "未能加盖电子签章" in page and "省电子印章平台连接超时" in page

    case_file = CaseFile.objects.get(case=plain_closed_case)
    assert case_file.status == CaseFileStatus.FAILED and not case_file.signed
    assert not case_file.main_pdf and not case_file.sub_pdf and case_file.main_sha256 == ""
    assert not CaseFile.objects.filter(status=CaseFileStatus.DONE).exists()
    assert casefile_pdfs(settings) == []  # no unsigned (or half-signed) volume left on disk
    plain_closed_case.refresh_from_db()
    assert plain_closed_case.stage == Stage.CLOSED
    failed = AuditEvent.objects.get(action="recording.casefile.failed", object_id=str(plain_closed_case.pk))
    assert "未能加盖电子签章" in failed.detail["error"]
    # The progress page and its JSON say so too.
    progress = reverse("recording:casefile_progress", args=[plain_closed_case.pk])
    assert "省电子印章平台连接超时" in client.get(progress).content.decode()
    state = client.get(progress, {"format": "json"}).json()
    assert state["status"] == "failed" and state["done"] is False and "未能加盖电子签章" in state["error"]
    # The workspace's 归档 panel says why, beside the button to try again.
    workspace = client.get(reverse("recording:workspace", args=[plain_closed_case.pk])).content.decode()
    assert "上次组卷失败" in workspace and "省电子印章平台连接超时" in workspace

    # Once the signer works again the records keeper starts again, and the file is built and sealed.
    settings.DOCUMENT_SIGNER = ""
    assert (
        "案卷组卷完成，案件已归档" in client.post(start, {"retention": "30y"}, follow=True).content.decode()
    )
    case_file.refresh_from_db()
    assert case_file.status == CaseFileStatus.DONE and case_file.signed
    assert len(casefile_pdfs(settings)) == 2


def test_production_without_a_signing_certificate_refuses_to_archive(
    plain_closed_case, records_keeper, settings, django_capture_on_commit_callbacks
):
    settings.DEMO_MODE = False
    case_file = build(plain_closed_case, records_keeper, django_capture_on_commit_callbacks)
    assert case_file.status == CaseFileStatus.FAILED
    assert "演示签章证书只能在开发和演示环境使用" in case_file.error
    assert plain_closed_case.stage == Stage.CLOSED and casefile_pdfs(settings) == []


def test_the_archive_page_shows_that_each_volume_is_sealed(
    client, plain_closed_case, records_keeper, officer, django_capture_on_commit_callbacks
):
    build(plain_closed_case, records_keeper, django_capture_on_commit_callbacks)
    progress = reverse("recording:casefile_progress", args=[plain_closed_case.pk])
    login_as(client, records_keeper)
    page = client.get(progress).content.decode()
    for label in ("正卷", "副卷"):
        row = page[page.index(f'data-volume="{"main" if label == "正卷" else "sub"}"') :].split("</li>")[0]
        assert label in row and "已加盖电子签章" in row and "演示证书签章（非正式）" in row
    assert "正卷、副卷均已加盖" in page
    state = client.get(progress, {"format": "json"}).json()
    assert state["signed"] is True and all(d["signed"] for d in state["downloads"])
    # The officer may not download the 副卷, but she sees that both volumes are sealed.
    client.logout()
    login_as(client, officer)
    fragment = client.get(progress, {"fragment": "1"}).content.decode()
    assert fragment.count("已加盖电子签章") == 2 and "下载副卷" not in fragment
    # The workspace's 归档 panel shows the same, with only the volumes she may download.
    workspace = client.get(reverse("recording:workspace", args=[plain_closed_case.pk])).content.decode()
    assert workspace.count("已加盖电子签章") == 2 and "下载正卷" in workspace and "下载副卷" not in workspace


def test_a_case_file_built_before_signing_keeps_its_hash_and_shows_as_unsigned(
    client, plain_closed_case, records_keeper, django_capture_on_commit_callbacks
):
    case_file = build(plain_closed_case, records_keeper, django_capture_on_commit_callbacks)
    # An older case file: an unsigned volume with its hash, and the flags as the migration leaves them.
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    unsigned = out.getvalue()
    legacy = case_file.main_pdf.storage.save("casefiles/legacy-main.pdf", ContentFile(unsigned))
    CaseFile.objects.filter(pk=case_file.pk).update(
        main_pdf=legacy,
        main_sha256=hashlib.sha256(unsigned).hexdigest(),
        signed=CaseFile._meta.get_field("signed").default,
        signature_note="",
    )
    case_file.refresh_from_db()
    assert not case_file.signed
    assert not signing.verify(unsigned).signed

    assert integrity.check(stored_file(case_file, "main")) is None  # its own hash still guards it
    login_as(client, records_keeper)
    progress = reverse("recording:casefile_progress", args=[plain_closed_case.pk])
    page = client.get(progress).content.decode()
    assert page.count("未加盖电子签章（签章启用前组卷）") == 2 and "已加盖电子签章" not in page
    assert "在电子签章启用前组卷" in page
    response = client.get(
        reverse("recording:casefile_download", args=[plain_closed_case.pk]), {"volume": "main"}
    )
    assert (
        response.status_code == 200
        and (b"".join(response.streaming_content) if response.streaming else response.content) == unsigned
    )
