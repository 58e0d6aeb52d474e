"""Evidence, issued documents and case files on an S3-compatible object store (issue 16, point 5), tested
against a real S3 API (moto's standalone server, tests/storage/conftest.py): chunks become the parts of one
multipart object whose SHA-256 is the one recorded; files leave through the permission check, the audit and
then a short-lived signed URL (or X-Accel-Redirect), Range served by the store; evidence is put under object
lock; a rolled-back row leaves no object; verify_evidence and backup/restore work against the bucket."""

import hashlib
import io
import os
import time
import urllib.request
from urllib.parse import urlsplit

import pytest
import time_machine
from botocore.exceptions import ClientError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from recording import evidence as domain
from recording import integrity
from recording.models import Evidence, Upload, UploadStatus
from tests.conftest import file_case, login_as
from tests.recording.early_factories import NOW, draft, valid_input
from tests.storage.conftest import make_bucket, store_settings, use_store
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.ops import backup
from wuding_enforcement.shared import objectstore, storedfiles

pytestmark = pytest.mark.django_db

PART = 5 * 1024 * 1024  # the store's smallest part (all but the last)
DATA = b"\xff\xd8\xff\xe0" + os.urandom(2 * PART + 123_457)  # a JPEG head: three parts, the last short
DIGEST = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(autouse=True)
def _store(object_store, settings, tmp_path):
    storedfiles.discard_rolled_back()
    settings.MEDIA_ROOT = tmp_path / "media"  # must stay empty: nothing is written to local disk
    settings.UPLOAD_CHUNK_BYTES = PART
    return object_store


@pytest.fixture
def case(make_case):
    return make_case()


def _objects(s3, bucket):
    """Every version and delete marker in the bucket (what a plain listing would not show)."""
    answer = s3.list_object_versions(Bucket=bucket)
    return [v["Key"] for v in answer.get("Versions", [])], [m["Key"] for m in answer.get("DeleteMarkers", [])]


def _upload(case, officer, data=DATA, chunk=PART):
    row = domain.start_upload(case, officer, title="执法记录仪录像", declared_size=len(data))
    result, offset = None, 0
    while offset < len(data):
        fresh = Upload.objects.get(pk=row.pk)  # as a worker (of any host) that never saw this upload
        piece = data[offset : offset + chunk]
        result = domain.append_chunk(
            fresh, user=officer, offset=offset, stream=io.BytesIO(piece), length=len(piece)
        )
        offset = result.upload.received
    return result


def _fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - the test store's own URL
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return answer.status, answer.headers, answer.read()  # headers: case-insensitive


# --- Upload --------------------------------------------------------------------------------------------


def test_chunks_become_the_parts_of_one_object_whose_sha256_is_the_one_recorded(
    case, officer, s3, _store, settings, django_capture_on_commit_callbacks
):
    row = domain.start_upload(case, officer, title="执法记录仪录像", declared_size=len(DATA))
    assert row.store_upload_id
    first = domain.append_chunk(row, user=officer, offset=0, stream=io.BytesIO(DATA[:PART]), length=PART)
    key = f"evidence/{case.pk}/{row.pk.hex}"
    parts = s3.list_parts(Bucket=_store["bucket"], Key=key, UploadId=row.store_upload_id)["Parts"]
    assert [p["Size"] for p in parts] == [PART] and first.upload.received == PART
    with django_capture_on_commit_callbacks(execute=True):
        offset = PART
        while offset < len(DATA):
            fresh = Upload.objects.get(pk=row.pk)
            piece = DATA[offset : offset + PART]
            result = domain.append_chunk(
                fresh, user=officer, offset=offset, stream=io.BytesIO(piece), length=len(piece)
            )
            offset = result.upload.received
    evidence = result.evidence
    assert evidence.sha256 == DIGEST and evidence.file.name == key
    head = s3.head_object(Bucket=_store["bucket"], Key=key, PartNumber=1)
    assert head["PartsCount"] == 3  # one multipart object, not a copy assembled elsewhere
    stored = s3.get_object(Bucket=_store["bucket"], Key=key)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == evidence.sha256  # what sha256sum of the stored bytes says
    assert not settings.MEDIA_ROOT.exists()  # no web host keeps anything


def test_a_chunk_cut_off_mid_part_keeps_whole_parts_only_and_the_hash_stays_right(case, officer, s3):
    row = domain.start_upload(case, officer, title="录像", declared_size=len(DATA))
    # One request carrying a part and a half, then the connection breaks.
    first = domain.append_chunk(
        row, user=officer, offset=0, stream=io.BytesIO(DATA[: PART + 1000]), length=PART + 5000
    )
    assert first.interrupted and first.upload.received == PART  # the half part is sent again
    # A chunk that ends mid-part (an older client's smaller chunk): only whole parts count.
    second = domain.append_chunk(
        Upload.objects.get(pk=row.pk),
        user=officer,
        offset=PART,
        stream=io.BytesIO(DATA[PART:]),
        length=PART - 1,
    )
    assert second.upload.received == PART and not second.interrupted
    rest = domain.append_chunk(
        Upload.objects.get(pk=row.pk),
        user=officer,
        offset=PART,
        stream=io.BytesIO(DATA[PART:]),
        length=len(DATA) - PART,
    )
    assert rest.evidence.sha256 == DIGEST


def test_a_part_replaced_in_the_store_by_another_request_is_never_completed_under_the_recorded_hash(
    case, officer, s3, _store
):
    """Two requests at the same offset with different bytes: the loser's part replaced the recorded one. The
    row goes back to that part and the hash is taken again from the stored object at completion."""
    row = domain.start_upload(case, officer, title="录像", declared_size=len(DATA))
    domain.append_chunk(row, user=officer, offset=0, stream=io.BytesIO(DATA[:PART]), length=PART)
    key = f"evidence/{case.pk}/{row.pk.hex}"
    other = b"\xff\xd8\xff\xe0" + b"x" * (PART - 4)
    s3.upload_part(Bucket=_store["bucket"], Key=key, UploadId=row.store_upload_id, PartNumber=1, Body=other)
    # Completing with the recorded ETags is refused by the store: nothing is kept under the wrong hash.
    fresh = Upload.objects.get(pk=row.pk)
    with pytest.raises(domain.EvidenceRefused) as refused:
        domain.append_chunk(
            fresh, user=officer, offset=PART, stream=io.BytesIO(DATA[PART:]), length=len(DATA) - PART
        )
    assert refused.value.status == 409
    assert Upload.objects.get(pk=row.pk).status == UploadStatus.ABORTED and not Evidence.objects.exists()
    assert _objects(s3, _store["bucket"])[0] == []


def test_a_refused_type_gives_back_the_parts(case, officer, s3, _store):
    text = "这是一份文本文件，不是录像。\n".encode() * 300_000
    row = domain.start_upload(case, officer, title="录像", declared_size=len(text))
    with pytest.raises(domain.EvidenceRefused) as refused:
        domain.append_chunk(row, user=officer, offset=0, stream=io.BytesIO(text), length=len(text))
    assert refused.value.status == 415
    assert s3.list_multipart_uploads(Bucket=_store["bucket"]).get("Uploads", []) == []
    assert _objects(s3, _store["bucket"]) == ([], [])


def test_evidence_is_put_under_object_lock_once_its_row_commits(
    case, officer, s3, _store, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        evidence = _upload(case, officer).evidence
    head = s3.head_object(Bucket=_store["bucket"], Key=evidence.file.name)
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert objectstore.retention(evidence.file.name)["Mode"] == "GOVERNANCE"
    version = head["VersionId"]
    with pytest.raises(ClientError):
        s3.delete_object(Bucket=_store["bucket"], Key=evidence.file.name, VersionId=version)


# --- Serving -------------------------------------------------------------------------------------------


@pytest.fixture
def stored(case, officer):
    return _upload(case, officer).evidence


def test_download_is_checked_audited_then_redirected_to_a_short_lived_signed_url(client, officer, stored):
    login_as(client, officer)
    response = client.get(reverse("recording:evidence_download", args=[stored.case_id, stored.pk]))
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    url = response["Location"]
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    status, headers, body = _fetch(url)
    assert status == 200 and hashlib.sha256(body).hexdigest() == DIGEST
    assert headers["Content-Disposition"].startswith("attachment")
    event = AuditEvent.objects.get(action="recording.evidence.downloaded")
    assert event.detail["sha256"] == DIGEST  # re-hashed (streamed from the store) before it was handed over


def test_playback_is_redirected_and_the_store_answers_range_requests(client, officer, stored):
    login_as(client, officer)
    response = client.get(reverse("recording:evidence_stream", args=[stored.case_id, stored.pk]))
    assert response.status_code == 302
    status, headers, body = _fetch(response["Location"], Range="bytes=1000-1999")
    assert status == 206 and body == DATA[1000:2000]
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(DATA)}"
    assert AuditEvent.objects.filter(action="recording.evidence.played").count() == 1


def test_a_user_who_may_not_see_the_case_gets_404_and_no_url(client, outsider, stored):
    login_as(client, outsider)
    for name in ("evidence_download", "evidence_stream"):
        response = client.get(reverse(f"recording:{name}", args=[stored.case_id, stored.pk]))
        assert response.status_code == 404 and "Location" not in response
    assert AuditEvent.objects.filter(action="cases.case.access_denied").count() == 2
    assert not AuditEvent.objects.filter(action="recording.evidence.downloaded").exists()


def test_with_x_accel_nginx_is_told_the_internal_signed_url(client, officer, stored, settings, _store):
    settings.OBJECT_STORE = {**_store, "serve": "accel", "public_url": "https://files.example.invalid"}
    login_as(client, officer)
    response = client.get(reverse("recording:evidence_stream", args=[stored.case_id, stored.pk]))
    assert response.status_code == 200 and response.content == b""
    target = response["X-Accel-Redirect"]
    assert target.startswith(f"/_object_store/{_store['bucket']}/{stored.file.name}?")
    # What nginx's internal location does: the same path and query on the store's internal address.
    internal = urlsplit(_store["endpoint_url"])
    url = f"{internal.scheme}://{internal.netloc}{target.removeprefix('/_object_store')}"
    status, _headers, body = _fetch(url, Range="bytes=0-9")
    assert status == 206 and body == DATA[:10]


# --- Rollback ------------------------------------------------------------------------------------------


class Boom(Exception):
    pass


@pytest.fixture
def filed_case(make_case, unit_head, bureau_head, officer):
    with time_machine.travel(NOW, tick=False):
        yield file_case(make_case(), unit_head, bureau_head, officer)


def test_an_issue_that_rolls_back_leaves_no_object_not_even_an_old_version(filed_case, officer, s3, _store):
    document = draft(filed_case, "inquiry_notice", valid_input("inquiry_notice", filed_case)[0], by=officer)
    with pytest.raises(Boom), transaction.atomic():
        issued = document.issue(by=officer)
        assert s3.head_object(Bucket=_store["bucket"], Key=issued.pdf.name)["ContentLength"] > 0
        raise Boom("the caller's later step failed")
    assert storedfiles.discard_rolled_back() == 1
    assert _objects(s3, _store["bucket"]) == ([], [])


def test_an_upload_completed_inside_a_transaction_that_rolls_back_leaves_no_object(case, officer, s3, _store):
    row = domain.start_upload(case, officer, title="录像", declared_size=len(DATA))
    domain.append_chunk(row, user=officer, offset=0, stream=io.BytesIO(DATA[:PART]), length=PART)
    with pytest.raises(Boom), transaction.atomic():
        fresh = Upload.objects.get(pk=row.pk)
        result = domain.append_chunk(
            fresh, user=officer, offset=PART, stream=io.BytesIO(DATA[PART:]), length=len(DATA) - PART
        )
        assert result.evidence is not None
        raise Boom("the caller's later step failed")
    storedfiles.discard_rolled_back()
    assert _objects(s3, _store["bucket"]) == ([], [])


# --- Verify, backup, restore ---------------------------------------------------------------------------


def test_verify_evidence_finds_a_tampered_and_a_missing_object(case, officer, s3, _store):
    first = _upload(case, officer).evidence
    second = _upload(case, officer, data=b"\xff\xd8\xff\xe0" + os.urandom(PART + 10)).evidence
    call_command("verify_evidence")  # both intact
    # Someone with write access to the bucket replaces one object and deletes the other (a delete marker).
    s3.put_object(Bucket=_store["bucket"], Key=first.file.name, Body=b"\xff\xd8\xff\xe0altered")
    s3.delete_object(Bucket=_store["bucket"], Key=second.file.name)
    with pytest.raises(CommandError) as failed:
        call_command("verify_evidence")
    message = str(failed.value)
    assert first.file.name in message and "SHA-256 不一致" in message
    assert second.file.name in message and "文件缺失" in message
    event = AuditEvent.objects.get(action="recording.integrity.failed")
    assert {p["problem"] for p in event.detail["problems"]} == {"mismatch", "missing"}


def test_an_object_no_row_points_to_is_an_orphan(s3, _store):
    s3.put_object(Bucket=_store["bucket"], Key="evidence/9/leftover", Body=b"x")
    assert integrity.orphan_files(now=time.time()) == []  # may still be committing
    later = integrity.orphan_files(now=time.time() + 2 * integrity.ORPHAN_GRACE_SECONDS)
    assert [p.file.name for p in later] == ["evidence/9/leftover"]


@pytest.mark.django_db(transaction=True)  # a backup is never taken inside a transaction
def test_a_backup_of_the_bucket_restores_into_a_new_bucket_and_verifies(
    case, officer, s3, s3_endpoint, settings, tmp_path
):
    evidence = _upload(case, officer).evidence  # autocommit: locked at once
    s3.put_object(Bucket=settings.OBJECT_STORE["bucket"], Key="documents/1/a.pdf", Body=b"%PDF-1.7 a")
    manifest = backup.make_backup(tmp_path / "backups")
    media = next(entry for entry in manifest["files"] if entry["part"] == "media")
    assert media["files"] == 2
    # The restore target: a new, empty bucket (the database stays: restore() itself needs an empty one).
    target = store_settings(s3_endpoint, make_bucket(s3))
    use_store(settings, target)
    folder = tmp_path / "backups" / manifest["id"]
    assert backup._media_problem() == ""
    backup.restore_media(folder, media, f"{manifest['id']}/{media['name']}", backup._key())
    restored = s3.get_object(Bucket=target["bucket"], Key=evidence.file.name)["Body"].read()
    assert hashlib.sha256(restored).hexdigest() == evidence.sha256
    assert s3.head_object(Bucket=target["bucket"], Key=evidence.file.name)["ObjectLockMode"] == "GOVERNANCE"
    report = integrity.verify_all()
    assert report.ok and report.checked == 1
    # A second restore into the same bucket is refused: it is not empty any more.
    assert target["bucket"] in backup._media_problem()


def test_a_store_answers_only_when_configured(settings):
    settings.OBJECT_STORE = None
    assert not objectstore.configured()


def test_readiness_names_the_object_store_when_it_cannot_be_reached(settings, _store):
    from wuding_enforcement.ops.health import _timed

    assert _timed("objectstore", "对象存储", _objectstore_probe()).ok
    settings.OBJECT_STORE = {**_store, "endpoint_url": "http://127.0.0.1:9"}  # nobody listens there
    check = _timed("objectstore", "对象存储", _objectstore_probe())
    assert not check.ok


def _objectstore_probe():
    from wuding_enforcement.ops import health

    return health._objectstore


def test_a_stale_upload_on_the_store_is_aborted_and_its_parts_given_back(case, officer, s3, _store):
    import datetime

    from django.utils import timezone

    from recording.evidence.upload import clean_stale_uploads

    row = domain.start_upload(case, officer, title="录像", declared_size=len(DATA))
    domain.append_chunk(row, user=officer, offset=0, stream=io.BytesIO(DATA[:PART]), length=PART)
    assert s3.list_multipart_uploads(Bucket=_store["bucket"]).get("Uploads")
    assert clean_stale_uploads(now=timezone.now() + datetime.timedelta(hours=25)) == 1
    assert Upload.objects.get(pk=row.pk).status == UploadStatus.ABORTED
    assert s3.list_multipart_uploads(Bucket=_store["bucket"]).get("Uploads", []) == []


def test_a_prefix_keeps_the_portal_in_its_folder_and_names_stay_storage_names(settings, s3, s3_endpoint):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    store = store_settings(s3_endpoint, make_bucket(s3), prefix="wuding")
    use_store(settings, store)
    name = default_storage.save("documents/1/a.pdf", ContentFile(b"%PDF-1.7 a"))
    assert s3.head_object(Bucket=store["bucket"], Key=f"wuding/{name}")["ContentLength"] == 10
    assert [n for n, _size, _at in objectstore.iter_objects("documents/")] == [name]
    assert objectstore.sha256(name) == hashlib.sha256(b"%PDF-1.7 a").hexdigest()
    objectstore.remove(name)
    assert _objects(s3, store["bucket"]) == ([], [])
