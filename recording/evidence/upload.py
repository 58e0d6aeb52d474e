"""The resumable upload of audio-video evidence (音像记录).

The protocol (our own, tus-like): `start_upload` declares title, act, classification, name and size and
returns an Upload; the client then sends the bytes in chunks, each at `Upload-Offset` == bytes received so far
(`append_chunk`); after a broken connection it asks for the offset and continues from the last byte received.
Chunks are streamed to a partial file under MEDIA_ROOT/uploads/ with constant memory while a running SHA-256
is kept; the last chunk completes the upload: type by magic bytes, duplicate check by hash within the case,
the partial file moved to a uuid name, an Evidence row and an audit event. Anything refused leaves nothing
attached (the Upload is marked aborted and its partial file removed: it is not user data yet).

On an object store (settings.OBJECT_STORE) the chunks go to the store instead, as the parts of one
multipart upload whose key is the evidence file's final name (evidence/<case>/<upload id>): no web host keeps
anything, so the next chunk may land on any worker of any host. A part is UPLOAD_CHUNK_BYTES (the client's
chunk size, at least the store's 5 MB minimum) except the last; `received` advances by whole parts only, so
bytes of a chunk cut off mid-part are sent again (the answer names the offset to continue from). The running
hash covers exactly the parts sent, and completing passes the store each part's ETag as recorded when it was
sent: the store refuses an object made of other bytes, so the SHA-256 kept is that of the stored object.
Once the row commits the object is put under object lock (retention) where the store has it.

The hash taken here is the one every later check compares with (nightly, on export, and on download of a
small item); a large recording is never re-hashed per request (docs/architecture.md, "Files").
"""

import datetime
import errno
import fcntl
import hashlib
import logging
import os
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from rehashes import PySha256

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.shared import objectstore, storedfiles
from wuding_enforcement.shared.chinese import cn_date

from ..models import Classification, Document, Evidence, Upload, UploadStatus
from .display import human_size
from .rules import EvidenceRefused, recording_refusal
from .sniffing import ALLOWED_SUMMARY, HEAD_BYTES, detect_file_type, detect_type

# Block size for streaming reads and writes: large enough for throughput, small enough for constant memory.
IO_BLOCK = 1024 * 1024
logger = logging.getLogger("wuding.recording")
# A full disk (or quota) while a chunk is written: the upload is aborted and its partial file removed, so
# nothing half-stored stays behind and the space is given back (the 507 page of wuding_enforcement/ops says
# the same for other requests).
DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
STORE_DOWN_MESSAGE = "文件存储服务暂时无法访问，本次上传未能继续，请稍后从中断处继续上传。"
STORE_PARTS_MESSAGE = (
    "存储中的数据块与接收时记录的不一致（同一文件的两个上传请求同时进行），本次上传已放弃，请重新上传。"
)
DISK_FULL_MESSAGE = (
    "服务器存储空间不足，本次上传未能保存，已接收的部分已删除，没有留下不完整的文件。"
    "请联系系统管理员清理或扩充存储空间后重新上传。"
)

# --- The running hash -------------------------------------------------------------------------------------
#
# The SHA-256 of an upload is kept running while the chunks arrive, and its state (104 bytes, `rehashes`)
# is saved on the Upload row with `received` in the same UPDATE: the next chunk may land on any gunicorn
# worker, or on another web host, and continues the hash from the row (docs/stack.md trap 19). hashlib
# objects cannot be saved, and re-reading the partial file to rebuild one made an upload quadratic with
# more than one worker. Where no state covers the bytes received (a row from before the state was kept, a
# partial file found shorter than its row), the bytes are hashed once, in one pass, at completion.


def _resume_hasher(upload):
    """The running hash of `upload` as saved with its row, or None (hashed at completion)."""
    if not settings.UPLOAD_RUNNING_HASH:
        return None
    if upload.received == 0:
        return PySha256()
    if upload.hash_state:
        try:
            return PySha256.deserialize(bytes(upload.hash_state))
        except Exception as exc:  # noqa: BLE001 - a state saved by another version of rehashes (an upgrade)
            logger.warning(
                "upload %s: saved hash state unreadable (%s); hashing at completion", upload.pk, exc
            )
    return None


def file_sha256(path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(IO_BLOCK):
            hasher.update(block)
    return hasher.hexdigest()


# --- The upload protocol ----------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_original_name(name: str) -> str:
    """The user's file name, kept only as a label: no directories, no control characters."""
    name = _CONTROL.sub("", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:255]


def start_upload(
    case,
    user,
    *,
    title: str,
    declared_size,
    original_name: str = "",
    document: Document | None = None,
    classification: str = Classification.GENERAL,
    description: str = "",
    declared_sha256: str = "",
) -> Upload:
    """Open a resumable upload. Refused at once when the declared size is over EVIDENCE_MAX_BYTES."""
    refusal = recording_refusal(case, user)
    if refusal:
        raise EvidenceRefused(refusal, status=403)
    title = (title or "").strip()
    if not title:
        raise EvidenceRefused("请填写音像记录的名称。")
    if len(title) > 200:
        raise EvidenceRefused("名称不能超过200个字。")
    try:
        size = int(declared_size)
    except (TypeError, ValueError):
        raise EvidenceRefused("文件大小无效。") from None
    if size <= 0:
        raise EvidenceRefused("文件是空的，请选择录音、录像或照片文件。")
    cap = settings.EVIDENCE_MAX_BYTES
    if size > cap:
        raise EvidenceRefused(
            f"文件大小 {human_size(size)} 超过上限 {human_size(cap)}，不能上传。", status=413
        )
    if document is not None and document.case_id != case.pk:
        raise EvidenceRefused("所选执法活动不属于本案。")
    if classification not in Classification.values:
        raise EvidenceRefused("密级无效。")
    declared_sha256 = (declared_sha256 or "").strip().lower()
    if declared_sha256 and not re.fullmatch(r"[0-9a-f]{64}", declared_sha256):
        raise EvidenceRefused("客户端提供的 SHA-256 校验值格式不正确。")
    upload_id = uuid.uuid4()
    store_upload_id = ""
    if objectstore.configured():
        try:
            store_upload_id = objectstore.start_multipart(store_name(case.pk, upload_id))
        except Exception as exc:  # noqa: BLE001 - botocore's errors: unreachable, refused, timed out
            logger.error("object store refused to start upload of case %s: %s", case.pk, exc)
            raise EvidenceRefused(STORE_DOWN_MESSAGE, status=503) from exc
    upload = Upload.objects.create(
        id=upload_id,
        store_upload_id=store_upload_id,
        case=case,
        user=user,
        document=document,
        title=title,
        description=(description or "").strip(),
        classification=classification,
        original_name=clean_original_name(original_name),
        declared_size=size,
        declared_sha256=declared_sha256,
    )
    if not store_upload_id:
        path = upload.partial_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    record(
        "recording.upload.started",
        obj=case,
        actor=user,
        detail={"upload": str(upload.pk), "size": size, "name": upload.original_name, "title": title},
    )
    return upload


def abort_upload(
    upload: Upload, message: str, *, actor=None, action: str = "recording.upload.refused"
) -> None:
    """End an upload without attaching anything: status aborted, the partial file removed (not user data
    yet), the reason kept on the row and in the audit log."""
    ended = Upload.objects.filter(pk=upload.pk, status=UploadStatus.OPEN).update(
        status=UploadStatus.ABORTED, error=message[:200], updated_at=timezone.now()
    )
    upload.status = UploadStatus.ABORTED
    upload.error = message[:200]
    logger.warning("upload %s aborted (%s): %s", upload.pk, action, message)
    if upload.store_upload_id:
        if ended:  # never the object of an upload that completed meanwhile
            _give_back_store(upload)
    else:
        upload.partial_path.unlink(missing_ok=True)
    record(
        action,
        obj=upload.case,
        actor=actor or upload.user,
        outcome=Outcome.FAILURE,
        detail={
            "upload": str(upload.pk),
            "received": upload.received,
            "size": upload.declared_size,
            "reason": message,
        },
    )


def store_name(case_id: int, upload_id: uuid.UUID) -> str:
    """The storage name an upload's object takes on the store (and keeps as the evidence file's name)."""
    return f"evidence/{case_id}/{upload_id.hex}"


def _give_back_store(upload: Upload) -> None:
    """The parts (or the object, when the refusal came after completing) of an aborted upload."""
    name = store_name(upload.case_id, upload.pk)
    try:
        objectstore.abort_multipart(name, upload.store_upload_id)
        objectstore.remove(name)
    except Exception as exc:  # noqa: BLE001 - the store's own clean-up rule removes stale parts too
        logger.error("could not give back the stored parts of upload %s: %s", upload.pk, exc)


def _parts(upload: Upload) -> list[str]:
    return [etag for etag in upload.store_parts.split(",") if etag]


@dataclass
class ChunkResult:
    upload: Upload
    evidence: Evidence | None = None
    interrupted: bool = False


def _refuse_and_abort(upload, message, status, actor, action: str = "recording.upload.refused"):
    """End the upload and refuse. No offset in the answer: there is nothing to resume (a client that sees
    an offset with a 409 continues from it)."""
    abort_upload(upload, message, actor=actor, action=action)
    raise EvidenceRefused(message, status=status)


def append_chunk(upload: Upload, *, user, offset: int, stream, length: int | None) -> ChunkResult:
    """Append `length` bytes read from `stream` at `offset`, which must equal the bytes received so far
    (else 409 with the current offset). Streams in IO_BLOCK pieces: memory stays constant whatever the
    chunk size. A connection that breaks mid-chunk keeps what arrived; the client resumes from there."""
    if upload.status != UploadStatus.OPEN:
        if upload.status == UploadStatus.COMPLETE:
            raise EvidenceRefused("该上传已完成。", status=409, offset=upload.received)
        raise EvidenceRefused(
            f"该上传已终止：{upload.error or '已放弃'}。请重新选择文件上传。",
            status=410,
            offset=upload.received,
        )
    refusal = recording_refusal(upload.case, user)
    if refusal:
        raise EvidenceRefused(refusal, status=403, offset=upload.received)
    if length is None:
        raise EvidenceRefused("请求缺少 Content-Length。", status=411, offset=upload.received)
    if upload.store_upload_id:
        return _append_to_store(upload, user=user, offset=offset, stream=stream, length=length)
    path = upload.partial_path
    try:
        f = open(path, "r+b")  # noqa: SIM115 - held open under the lock for the whole chunk
    except FileNotFoundError:
        _refuse_and_abort(upload, "上传的部分文件已丢失，请重新上传。", 410, user)
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise EvidenceRefused(
                "该文件的另一个数据块正在接收中，请稍后从服务器记录的位置继续。",
                status=409,
                offset=upload.received,
            ) from None
        # Under the lock, the row is the truth (another request may have appended before we got here).
        upload.refresh_from_db(fields=["received", "hash_state", "status", "error", "updated_at"])
        if upload.status != UploadStatus.OPEN:
            raise EvidenceRefused("该上传已结束。", status=409, offset=upload.received)
        if offset != upload.received:
            raise EvidenceRefused(
                f"数据块位置不符：服务器已收到 {upload.received} 字节，请从该位置继续。",
                status=409,
                offset=upload.received,
            )
        if offset + length > upload.declared_size:
            raise EvidenceRefused(
                f"收到的数据超过了声明的文件大小（{human_size(upload.declared_size)}），该数据块未被接收。",
                status=413,
                offset=upload.received,
            )
        on_disk = os.fstat(f.fileno()).st_size
        if on_disk < offset:
            # The partial file is shorter than the row says (a crash before the data reached the disk): the
            # client resumes from what is really there; the saved hash state is past it, so the file is
            # hashed once at completion instead.
            Upload.objects.filter(pk=upload.pk).update(
                received=on_disk, hash_state=b"", updated_at=timezone.now()
            )
            upload.received, upload.hash_state = on_disk, b""
            raise EvidenceRefused(
                f"服务器实际保存了 {on_disk} 字节，请从该位置继续。", status=409, offset=on_disk
            )
        hasher = _resume_hasher(upload)
        try:
            written, interrupted = _receive(f, stream, upload, offset, length, hasher)
            received = offset + written
            if not interrupted and received == upload.declared_size:
                os.fsync(f.fileno())
        except OSError as exc:
            if exc.errno in DISK_FULL:
                _refuse_and_abort(upload, DISK_FULL_MESSAGE, 507, user, action="recording.upload.disk_full")
            raise
        state = hasher.serialize() if hasher is not None else b""
        Upload.objects.filter(pk=upload.pk, received=offset, status=UploadStatus.OPEN).update(
            received=received, hash_state=state, updated_at=timezone.now()
        )
        upload.received, upload.hash_state = received, state
        # Judge the type as soon as the head is in: nobody should send 4 GB to learn it is a PDF.
        if offset < min(HEAD_BYTES, upload.declared_size) <= received:
            f.seek(0)
            if detect_type(f.read(HEAD_BYTES)) is None:
                _refuse_and_abort(upload, _wrong_type_message(upload), 415, user)
        if interrupted or received < upload.declared_size:
            return ChunkResult(upload, interrupted=interrupted)
        # No running hash (see _resume_hasher): the stored bytes are hashed once, now.
        digest = hasher.finalize() if hasher is not None else file_sha256(path)
        evidence = _complete(upload, digest, user)
        return ChunkResult(upload, evidence=evidence)


def _check_position(upload: Upload, offset: int, length: int) -> None:
    if upload.status != UploadStatus.OPEN:
        raise EvidenceRefused("该上传已结束。", status=409, offset=upload.received)
    if offset != upload.received:
        raise EvidenceRefused(
            f"数据块位置不符：服务器已收到 {upload.received} 字节，请从该位置继续。",
            status=409,
            offset=upload.received,
        )
    if offset + length > upload.declared_size:
        raise EvidenceRefused(
            f"收到的数据超过了声明的文件大小（{human_size(upload.declared_size)}），该数据块未被接收。",
            status=413,
            offset=upload.received,
        )


def _append_to_store(upload: Upload, *, user, offset: int, stream, length: int) -> ChunkResult:
    """The object-store path of `append_chunk`: whole parts of UPLOAD_CHUNK_BYTES (the last part: the rest
    of the file) streamed to the store's multipart upload, at most one part in memory."""
    upload.refresh_from_db(fields=["received", "hash_state", "store_parts", "status", "error", "updated_at"])
    _check_position(upload, offset, length)
    name = store_name(upload.case_id, upload.pk)
    part_size = settings.UPLOAD_CHUNK_BYTES
    recorded = _parts(upload)
    hasher = _resume_hasher(upload)
    sent: list[str] = []
    received = offset
    buffer = bytearray()
    end = offset + length
    interrupted = store_failed = False
    while received + len(buffer) < end:
        want = min(IO_BLOCK, end - received - len(buffer), part_size - len(buffer))
        try:
            block = stream.read(want)
        except OSError as exc:  # includes UnreadablePostError and a reset connection
            logger.info("upload %s interrupted at %s bytes: %s", upload.pk, received + len(buffer), exc)
            block = b""
        if not block:
            interrupted = True
            break
        buffer += block
        if len(buffer) < part_size and received + len(buffer) < upload.declared_size:
            continue
        data = bytes(buffer)
        buffer = bytearray()
        number = len(recorded) + len(sent) + 1
        # Judge the type as soon as the head is in: nobody should send 4 GB to learn it is a PDF.
        if number == 1 and detect_type(data[:HEAD_BYTES]) is None:
            _refuse_and_abort(upload, _wrong_type_message(upload), 415, user)
        try:
            sent.append(objectstore.upload_part(name, upload.store_upload_id, number, data))
        except Exception as exc:  # noqa: BLE001 - botocore's errors; what was sent before is kept
            logger.error("upload %s: part %s not stored: %s", upload.pk, number, exc)
            store_failed = True
            break
        if hasher is not None:
            hasher.update(data)
        received += len(data)
    # Bytes left in `buffer` (a chunk cut off mid-part) are not kept: the client sends them again.
    state = hasher.serialize() if hasher is not None else b""
    parts = recorded + sent
    moved = Upload.objects.filter(pk=upload.pk, received=offset, status=UploadStatus.OPEN).update(
        received=received, hash_state=state, store_parts=",".join(parts), updated_at=timezone.now()
    )
    if not moved:
        _lost_race(upload, first=len(recorded), sent=sent)
    upload.received, upload.hash_state, upload.store_parts = received, state, ",".join(parts)
    if store_failed:
        raise EvidenceRefused(STORE_DOWN_MESSAGE, status=503, offset=received)
    if interrupted or received < upload.declared_size:
        return ChunkResult(upload, interrupted=interrupted)
    try:
        objectstore.complete_multipart(name, upload.store_upload_id, parts)
    except objectstore.PartsChanged:
        logger.error("upload %s: the store holds other parts than those recorded", upload.pk)
        _refuse_and_abort(upload, STORE_PARTS_MESSAGE, 409, user)
    # No running hash (see _resume_hasher): the stored object is read once, now.
    digest = hasher.finalize() if hasher is not None else objectstore.sha256(name)
    evidence = _complete(upload, digest, user, stored=name)
    return ChunkResult(upload, evidence=evidence)


def _lost_race(upload: Upload, *, first: int, sent: list[str]):
    """Another request at the same offset recorded its parts first. Where ours replaced one of the recorded
    parts in the store (other bytes, another ETag), the upload goes back to the start of that part and is
    hashed once at completion; the client continues from the offset answered."""
    upload.refresh_from_db(fields=["received", "hash_state", "store_parts", "status", "error", "updated_at"])
    recorded = _parts(upload)
    for index, etag in enumerate(sent, start=first):
        if index < len(recorded) and recorded[index] != etag:
            back = index * settings.UPLOAD_CHUNK_BYTES
            Upload.objects.filter(
                pk=upload.pk,
                received=upload.received,
                store_parts=upload.store_parts,
                status=UploadStatus.OPEN,
            ).update(
                received=back,
                hash_state=b"",
                store_parts=",".join(recorded[:index]),
                updated_at=timezone.now(),
            )
            upload.refresh_from_db(fields=["received", "hash_state", "store_parts", "status"])
            break
    raise EvidenceRefused(
        "该文件的另一个数据块刚刚被接收，请从服务器记录的位置继续。", status=409, offset=upload.received
    )


def _receive(f, stream, upload, offset: int, length: int, hasher) -> tuple[int, bool]:
    """Stream up to `length` bytes from `stream` into `f` at `offset`, hashing them. Returns the bytes
    written and whether the connection broke before all arrived (what arrived is kept)."""
    # Bytes past `received` were written by a request that failed before it could record them.
    f.truncate(offset)
    f.seek(offset)
    written = 0
    while written < length:
        try:
            block = stream.read(min(IO_BLOCK, length - written))
        except OSError as exc:  # includes UnreadablePostError and a reset connection
            logger.info("upload %s interrupted at %s bytes: %s", upload.pk, offset + written, exc)
            block = b""
        if not block:
            f.flush()
            return written, True
        f.write(block)
        if hasher is not None:
            hasher.update(block)
        written += len(block)
    f.flush()
    return written, False


def _wrong_type_message(upload) -> str:
    name = f"“{upload.original_name}”" if upload.original_name else "该文件"
    return f"{name}的内容不是允许的图片、音频或视频格式（按文件内容判断，与扩展名无关）。允许的格式：{ALLOWED_SUMMARY}。"


def duplicate_message(existing: Evidence) -> str:
    return (
        f"该文件与本案已有的{existing.get_kind_display()}“{existing.title}”"
        f"（{cn_date(existing.uploaded_at)}上传）内容完全相同（SHA-256 一致），未重复添加。"
    )


def reupload_notice(evidence: Evidence) -> str:
    """What the uploader reads when the file is one that was voided before in this case (or '')."""
    voided = (
        Evidence.objects.filter(case_id=evidence.case_id, sha256=evidence.sha256, voided_at__isnull=False)
        .order_by("-voided_at")
        .first()
    )
    if voided is None:
        return ""
    return (
        f"该文件与本案已作废的{voided.get_kind_display()}“{voided.title}”（{cn_date(voided.voided_at)}作废，"
        f"理由：{voided.void_reason}）内容相同，已作为新的音像记录重新上传；原记录仍保留其作废状态和理由。"
    )


def _inside_callers_transaction() -> bool:
    """Whether an atomic block of the caller (not the test case's own) is open: then our block is only a
    savepoint and its end is not the commit."""
    blocks = transaction.get_connection().atomic_blocks
    return any(not block._from_testcase for block in blocks)


def _complete(upload: Upload, digest: str, user, *, stored: str = "") -> Evidence:
    """The last byte is in: check type, declared hash and duplicates, then move the partial file to a uuid
    name and attach it. All or nothing: the file is in place only once its row has committed (moved back
    when the transaction fails). `stored`: the object already completed on the store under its final name
    (removed when the caller's transaction rolls back; retained once the row commits)."""
    if stored:
        media = detect_type(objectstore.read_head(stored, HEAD_BYTES))
    else:
        media = detect_file_type(upload.partial_path)
    if media is None:
        _refuse_and_abort(upload, _wrong_type_message(upload), 415, user)
    if upload.declared_sha256 and upload.declared_sha256 != digest:
        _refuse_and_abort(
            upload, "文件的 SHA-256 与上传前声明的不一致，内容可能在传输中损坏，请重新上传。", 422, user
        )
    existing = Evidence.objects.live().filter(case_id=upload.case_id, sha256=digest).first()
    if existing is not None:
        _refuse_and_abort(upload, duplicate_message(existing), 409, user)
    name = stored or f"evidence/{upload.case_id}/{uuid.uuid4().hex}"
    final = settings.MEDIA_ROOT / name
    if not stored:
        final.parent.mkdir(parents=True, exist_ok=True)
    moved = False
    nested = _inside_callers_transaction()
    try:
        with transaction.atomic():
            locked = Upload.objects.select_for_update().get(pk=upload.pk)
            if locked.status != UploadStatus.OPEN:
                raise EvidenceRefused("该上传已结束。", status=409, offset=locked.received)
            evidence = Evidence(
                case_id=upload.case_id,
                document_id=upload.document_id,
                kind=media.kind,
                title=upload.title,
                description=upload.description,
                original_name=upload.original_name,
                mime=media.mime,
                size=upload.declared_size,
                sha256=digest,
                classification=upload.classification,
                uploaded_by=user,
            )
            evidence.file.name = name
            evidence._change_reason = "recording.evidence.uploaded"
            evidence._history_user = user
            evidence.save()
            if stored:
                # Already in place; it goes if the caller's transaction rolls back, and is locked against
                # deletion once the row commits.
                if nested:
                    storedfiles.track(default_storage, name)
                transaction.on_commit(lambda: objectstore.retain(name))
            elif nested:
                # The caller's transaction may still roll back: the file takes its place only when it
                # commits; until then it stays a partial file, which the stale clean-up removes if it never
                # does. No evidence file without its row.
                partial = upload.partial_path
                transaction.on_commit(lambda: os.replace(partial, final))
            else:
                os.replace(upload.partial_path, final)
                moved = True
            locked.status = UploadStatus.COMPLETE
            locked.evidence = evidence
            locked.save(update_fields=["status", "evidence", "updated_at"])
            record(
                "recording.evidence.uploaded",
                obj=upload.case,
                actor=user,
                detail={
                    "evidence": evidence.pk,
                    "upload": str(upload.pk),
                    "title": evidence.title,
                    "kind": evidence.kind,
                    "mime": evidence.mime,
                    "size": evidence.size,
                    "sha256": digest,
                    "document": upload.document_id,
                    "classification": evidence.classification,
                },
            )
            # Metadata and the poster frame later, durably: a leased job whose outbox row commits with the
            # evidence, so a broker (Redis) that is down never fails or delays the upload; the drain retries it.
            evidence.queue_metadata()
    except IntegrityError:
        logger.warning("upload %s lost a race to an identical file in case %s", upload.pk, upload.case_id)
        # Two uploads of the same file finished at the same instant: the unique (case, sha256) decides.
        if moved:
            os.replace(final, upload.partial_path)
        existing = Evidence.objects.live().filter(case_id=upload.case_id, sha256=digest).first()
        message = duplicate_message(existing) if existing else "该文件与本案已有音像记录重复，未重复添加。"
        _refuse_and_abort(upload, message, 409, user)
    except BaseException:
        if moved and final.exists():
            os.replace(final, upload.partial_path)
        raise
    upload.status = UploadStatus.COMPLETE
    upload.evidence = evidence
    return evidence


def ingest_file(case, user, fileobj, size: int, **fields) -> Evidence:
    """The page without JavaScript: a whole file posted in one form goes through the same path."""
    upload = start_upload(case, user, declared_size=size, **fields)
    result = append_chunk(upload, user=user, offset=0, stream=fileobj, length=size)
    if result.evidence is None:
        abort_upload(upload, "文件未完整接收，请重新上传。", actor=user)
        raise EvidenceRefused("文件未完整接收，请重新上传。")
    return result.evidence


def clean_stale_uploads(now: datetime.datetime | None = None) -> int:
    """Abort open uploads with no activity for UPLOAD_STALE_HOURS and remove their partial files (and any
    partial file no open upload owns). Returns how many uploads were aborted."""
    now = now or timezone.now()
    hours = settings.UPLOAD_STALE_HOURS
    cutoff = now - datetime.timedelta(hours=hours)
    aborted = 0
    for upload in Upload.objects.filter(status=UploadStatus.OPEN, updated_at__lt=cutoff).select_related(
        "case"
    ):
        path = upload.partial_path
        if not upload.store_upload_id and path.exists():
            with open(path, "rb") as f:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a chunk is arriving right now: not stale after all
                abort_upload(
                    upload,
                    f"上传超过{hours}小时没有进展，已自动放弃，未完成的部分文件已删除。",
                    action="recording.upload.expired",
                )
        else:
            abort_upload(
                upload, f"上传超过{hours}小时没有进展，已自动放弃。", action="recording.upload.expired"
            )
        aborted += 1
    folder = settings.MEDIA_ROOT / "uploads"
    if folder.is_dir():
        open_ids = {
            u.hex for u in Upload.objects.filter(status=UploadStatus.OPEN).values_list("pk", flat=True)
        }
        for part in folder.glob("*.part"):
            too_old = part.stat().st_mtime < cutoff.timestamp()
            if part.stem not in open_ids and too_old:
                part.unlink(missing_ok=True)
    return aborted
