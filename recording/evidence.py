"""Audio-video evidence (音像记录): the resumable upload, file type by content, ffprobe metadata, thumbnails,
voiding, and the byte ranges the permission-checked views serve.

The upload protocol (our own, tus-like): `start_upload` declares title, act, classification, name and size and
returns an Upload; the client then sends the bytes in chunks, each at `Upload-Offset` == bytes received so far
(`append_chunk`); after a broken connection it asks for the offset and continues from the last byte received.
Chunks are streamed to a partial file under MEDIA_ROOT/uploads/ with constant memory while a running SHA-256
is kept; the last chunk completes the upload: type by magic bytes, duplicate check by hash within the case,
the partial file moved to a uuid name, an Evidence row and an audit event. Anything refused leaves nothing
attached (the Upload is marked aborted and its partial file removed: it is not user data yet).
"""

import datetime
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.cases.workflow import Stage

from .models import Classification, Document, Evidence, EvidenceKind, Upload, UploadStatus

# How much of a file the type detection reads: enough for three MPEG-TS packets and an Ogg/EBML header.
HEAD_BYTES = 4096
# Block size for streaming reads and writes: large enough for throughput, small enough for constant memory.
IO_BLOCK = 1024 * 1024


class EvidenceRefused(Exception):
    """A refusal the user reads (Chinese). `status` is what an HTTP view answers; `offset` the bytes the
    server holds, for a client that must resume elsewhere."""

    def __init__(self, message: str, *, status: int = 400, offset: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.offset = offset


# --- File type by content (magic bytes) ------------------------------------------------------------------


@dataclass(frozen=True)
class MediaType:
    kind: str  # EvidenceKind value
    mime: str
    label: str
    ext: str


JPEG = MediaType(EvidenceKind.PHOTO, "image/jpeg", "JPEG 图片", "jpg")
PNG = MediaType(EvidenceKind.PHOTO, "image/png", "PNG 图片", "png")
WEBP = MediaType(EvidenceKind.PHOTO, "image/webp", "WebP 图片", "webp")
HEIC = MediaType(EvidenceKind.PHOTO, "image/heic", "HEIC 图片", "heic")
MP3 = MediaType(EvidenceKind.AUDIO, "audio/mpeg", "MP3 音频", "mp3")
WAV = MediaType(EvidenceKind.AUDIO, "audio/wav", "WAV 音频", "wav")
M4A = MediaType(EvidenceKind.AUDIO, "audio/mp4", "M4A 音频", "m4a")
AAC = MediaType(EvidenceKind.AUDIO, "audio/aac", "AAC 音频", "aac")
AMR = MediaType(EvidenceKind.AUDIO, "audio/amr", "AMR 音频", "amr")
OGG = MediaType(EvidenceKind.AUDIO, "audio/ogg", "Ogg 音频（Opus/Vorbis）", "ogg")
MP4 = MediaType(EvidenceKind.VIDEO, "video/mp4", "MP4 视频", "mp4")
MOV = MediaType(EvidenceKind.VIDEO, "video/quicktime", "MOV 视频", "mov")
THREE_GP = MediaType(EvidenceKind.VIDEO, "video/3gpp", "3GP 视频", "3gp")
AVI = MediaType(EvidenceKind.VIDEO, "video/x-msvideo", "AVI 视频", "avi")
MKV = MediaType(EvidenceKind.VIDEO, "video/x-matroska", "MKV 视频", "mkv")
WEBM = MediaType(EvidenceKind.VIDEO, "video/webm", "WebM 视频", "webm")
MPEG_TS = MediaType(EvidenceKind.VIDEO, "video/mp2t", "MPEG-TS 视频", "ts")

ALLOWED_TYPES = (
    JPEG,
    PNG,
    WEBP,
    HEIC,
    MP3,
    WAV,
    M4A,
    AAC,
    AMR,
    OGG,
    MP4,
    MOV,
    THREE_GP,
    AVI,
    MKV,
    WEBM,
    MPEG_TS,
)
ALLOWED_SUMMARY = "图片：JPEG、PNG、WebP、HEIC；音频：MP3、WAV、M4A/AAC、AMR、Ogg/Opus；视频：MP4、MOV、3GP、AVI、MKV/WebM、MPEG-TS"

# ISO base media (ftyp) brands. The major brand decides; an unknown major brand falls back to the compatible
# brands, but only the generic video ones (an AVIF image lists mif1 too and must not pass as HEIC).
_BMFF_IMAGE = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_BMFF_AUDIO = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_BMFF_QUICKTIME = {b"qt  "}
_BMFF_VIDEO = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"mp71", b"avc1", b"dash",
    b"mmp4", b"MSNV", b"XAVC", b"f4v ", b"M4V ", b"M4VH", b"M4VP", b"NDAS", b"NDSC", b"NDSH", b"NDSM",
    b"NDSP", b"NDSS", b"NDXC", b"NDXH", b"NDXM", b"NDXP", b"NDXS",
}  # fmt: skip
_BMFF_REFUSED = {b"avif", b"avis", b"crx ", b"jp2 ", b"jpx "}
# A QuickTime file written without ftyp starts directly with one of these atoms.
_QT_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _bmff_type(brand: bytes) -> MediaType | None:
    if brand in _BMFF_IMAGE:
        return HEIC
    if brand in _BMFF_AUDIO:
        return M4A
    if brand in _BMFF_QUICKTIME:
        return MOV
    if brand[:3] in (b"3gp", b"3g2", b"3ge", b"3gg", b"3gs"):
        return THREE_GP
    if brand in _BMFF_VIDEO:
        return MP4
    return None


def _detect_bmff(head: bytes) -> MediaType | None:
    size = int.from_bytes(head[0:4], "big")
    major = head[8:12]
    if major in _BMFF_REFUSED:
        return None
    found = _bmff_type(major)
    if found is not None:
        return found
    end = min(max(size, 16), len(head), 256)
    for i in range(16, end - 3, 4):
        brand = head[i : i + 4]
        if brand in _BMFF_VIDEO or brand in _BMFF_QUICKTIME or brand[:3] == b"3gp":
            return _bmff_type(brand)
    return None


def _detect_mpeg_audio(head: bytes) -> MediaType | None:
    """An MPEG audio frame header (MP3) or an ADTS header (raw AAC): 11/12 sync bits, then fields whose
    reserved values are checked so that random bytes starting with 0xFF rarely pass."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    version = (head[1] >> 3) & 0b11
    layer = (head[1] >> 1) & 0b11
    if layer == 0:
        # ADTS: 12 sync bits, layer 00; sampling-frequency index 13-15 is reserved.
        if head[1] & 0xF6 == 0xF0 and (head[2] >> 2) & 0x0F < 13:
            return AAC
        return None
    bitrate = head[2] >> 4
    sample_rate = (head[2] >> 2) & 0b11
    if version == 0b01 or bitrate in (0, 0x0F) or sample_rate == 0b11:
        return None
    return MP3


def detect_type(head: bytes) -> MediaType | None:
    """The allowed type these first bytes belong to, or None. Judged by content, never by name."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WEBP": WEBP, b"WAVE": WAV, b"AVI ": AVI}.get(head[8:12])
    if head[4:8] == b"ftyp" and len(head) >= 12:
        return _detect_bmff(head)
    if head.startswith(b"#!AMR\n") or head.startswith(b"#!AMR-WB\n"):
        return AMR
    if head.startswith(b"OggS"):
        return OGG if (b"OpusHead" in head[:512] or b"\x01vorbis" in head[:512]) else None
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        doc_type = head[:128]
        if b"webm" in doc_type:
            return WEBM
        if b"matroska" in doc_type:
            return MKV
        return None
    if len(head) >= 3 * 188 and head[0] == head[188] == head[376] == 0x47:
        return MPEG_TS
    if len(head) >= 4 + 3 * 192 and head[4] == head[196] == head[388] == 0x47:
        return MPEG_TS  # M2TS / AVCHD: 192-byte packets with a 4-byte timestamp in front
    if head.startswith(b"ID3"):
        return MP3
    if head[4:8] in _QT_ATOMS and int.from_bytes(head[0:4], "big") >= 8:
        return MOV
    return _detect_mpeg_audio(head)


def detect_file_type(path) -> MediaType | None:
    with open(path, "rb") as f:
        return detect_type(f.read(HEAD_BYTES))


def media_type_for_mime(mime: str) -> MediaType | None:
    return next((t for t in ALLOWED_TYPES if t.mime == mime), None)


# --- Who may record ---------------------------------------------------------------------------------------


def recording_refusal(case, user) -> str | None:
    """Why `user` may not upload or void evidence of `case` now, or None. Those who may work on the case
    (its officers and the unit head) may; nobody may once the case is archived (its file is closed)."""
    if case.stage == Stage.ARCHIVED:
        return "案件已归档，不能再上传或作废音像记录。"
    if not case.may_work_on(user):
        return "只有本案承办人员和承办单位负责人可以上传或作废音像记录。"
    return None


# --- The running hash -------------------------------------------------------------------------------------

# upload id -> (bytes hashed, hasher). A resume that lands in another process (or after a restart) finds no
# entry and rebuilds the hash by reading the partial file once.
_HASHERS: "OrderedDict[uuid.UUID, tuple[int, object]]" = OrderedDict()
_HASHERS_LOCK = threading.Lock()
_HASHERS_MAX = 64


def _take_hasher(upload_id, received: int):
    with _HASHERS_LOCK:
        entry = _HASHERS.pop(upload_id, None)
    if entry is not None and entry[0] == received:
        return entry[1]
    return None


def _keep_hasher(upload_id, received: int, hasher) -> None:
    with _HASHERS_LOCK:
        _HASHERS[upload_id] = (received, hasher)
        _HASHERS.move_to_end(upload_id)
        while len(_HASHERS) > _HASHERS_MAX:
            _HASHERS.popitem(last=False)


def _forget_hasher(upload_id) -> None:
    with _HASHERS_LOCK:
        _HASHERS.pop(upload_id, None)


def _rebuild_hasher(f, length: int):
    hasher = hashlib.sha256()
    f.seek(0)
    remaining = length
    while remaining > 0:
        block = f.read(min(IO_BLOCK, remaining))
        if not block:
            break
        hasher.update(block)
        remaining -= len(block)
    return hasher, length - remaining


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


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("字节", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "字节" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


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
    upload = Upload.objects.create(
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
    Upload.objects.filter(pk=upload.pk, status=UploadStatus.OPEN).update(
        status=UploadStatus.ABORTED, error=message[:200], updated_at=timezone.now()
    )
    upload.status = UploadStatus.ABORTED
    upload.error = message[:200]
    _forget_hasher(upload.pk)
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


@dataclass
class ChunkResult:
    upload: Upload
    evidence: Evidence | None = None
    interrupted: bool = False


def _refuse_and_abort(upload, message, status, actor):
    abort_upload(upload, message, actor=actor)
    raise EvidenceRefused(message, status=status, offset=upload.received)


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
        upload.refresh_from_db(fields=["received", "status", "error", "updated_at"])
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
        hasher = _take_hasher(upload.pk, offset)
        if hasher is None:
            hasher, on_disk = _rebuild_hasher(f, offset)
            if on_disk != offset:
                # The partial file is shorter than the row says (a crash before the data reached the disk):
                # the client resumes from what is really there.
                Upload.objects.filter(pk=upload.pk).update(received=on_disk, updated_at=timezone.now())
                upload.received = on_disk
                _keep_hasher(upload.pk, on_disk, hasher)
                raise EvidenceRefused(
                    f"服务器实际保存了 {on_disk} 字节，请从该位置继续。", status=409, offset=on_disk
                )
        # Bytes past `received` were written by a request that failed before it could record them.
        f.truncate(offset)
        f.seek(offset)
        written, interrupted = 0, False
        while written < length:
            try:
                block = stream.read(min(IO_BLOCK, length - written))
            except OSError:  # includes UnreadablePostError and a reset connection
                block = b""
            if not block:
                interrupted = True
                break
            f.write(block)
            hasher.update(block)
            written += len(block)
        f.flush()
        received = offset + written
        Upload.objects.filter(pk=upload.pk, received=offset, status=UploadStatus.OPEN).update(
            received=received, updated_at=timezone.now()
        )
        upload.received = received
        _keep_hasher(upload.pk, received, hasher)
        # Judge the type as soon as the head is in: nobody should send 4 GB to learn it is a PDF.
        if offset < min(HEAD_BYTES, upload.declared_size) <= received:
            f.seek(0)
            if detect_type(f.read(HEAD_BYTES)) is None:
                _refuse_and_abort(upload, _wrong_type_message(upload), 415, user)
        if interrupted or received < upload.declared_size:
            return ChunkResult(upload, interrupted=interrupted)
        os.fsync(f.fileno())
        evidence = _complete(upload, hasher.hexdigest(), user)
        return ChunkResult(upload, evidence=evidence)


def _wrong_type_message(upload) -> str:
    name = f"“{upload.original_name}”" if upload.original_name else "该文件"
    return f"{name}的内容不是允许的图片、音频或视频格式（按文件内容判断，与扩展名无关）。允许的格式：{ALLOWED_SUMMARY}。"


def duplicate_message(existing: Evidence) -> str:
    when = timezone.localtime(existing.uploaded_at)
    state = "（已作废）" if existing.voided_at else ""
    return (
        f"该文件与本案已有的{existing.get_kind_display()}“{existing.title}”{state}"
        f"（{when.year}年{when.month}月{when.day}日上传）内容完全相同（SHA-256 一致），未重复添加。"
    )


def _complete(upload: Upload, digest: str, user) -> Evidence:
    """The last byte is in: check type, declared hash and duplicates, then move the partial file to a uuid
    name and attach it. All or nothing."""
    media = detect_file_type(upload.partial_path)
    if media is None:
        _refuse_and_abort(upload, _wrong_type_message(upload), 415, user)
    if upload.declared_sha256 and upload.declared_sha256 != digest:
        _refuse_and_abort(
            upload, "文件的 SHA-256 与上传前声明的不一致，内容可能在传输中损坏，请重新上传。", 422, user
        )
    existing = Evidence.objects.filter(case_id=upload.case_id, sha256=digest).first()
    if existing is not None:
        _refuse_and_abort(upload, duplicate_message(existing), 409, user)
    name = f"evidence/{upload.case_id}/{uuid.uuid4().hex}"
    final = settings.MEDIA_ROOT / name
    final.parent.mkdir(parents=True, exist_ok=True)
    moved = False
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
    except IntegrityError:
        # Two uploads of the same file finished at the same instant: the unique (case, sha256) decides.
        if moved:
            os.replace(final, upload.partial_path)
        existing = Evidence.objects.filter(case_id=upload.case_id, sha256=digest).first()
        message = duplicate_message(existing) if existing else "该文件与本案已有音像记录重复，未重复添加。"
        _refuse_and_abort(upload, message, 409, user)
    except BaseException:
        if moved and final.exists():
            os.replace(final, upload.partial_path)
        raise
    upload.status = UploadStatus.COMPLETE
    upload.evidence = evidence
    _forget_hasher(upload.pk)
    from .tasks import extract_evidence_metadata

    transaction.on_commit(lambda: extract_evidence_metadata.delay(evidence.pk))
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
        if path.exists():
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


# --- Void --------------------------------------------------------------------------------------------------


def void_evidence(evidence: Evidence, *, by, reason: str) -> Evidence:
    """Mark an item void with a reason. Nothing is deleted or overwritten: the file and its hash stay."""
    refusal = recording_refusal(evidence.case, by)
    if refusal:
        raise EvidenceRefused(refusal, status=403)
    reason = (reason or "").strip()
    if not reason:
        raise EvidenceRefused("请填写作废理由。")
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if locked.voided_at is not None:
            raise EvidenceRefused("该音像记录已作废。", status=409)
        locked.voided_at = timezone.now()
        locked.voided_by = by
        locked.void_reason = reason
        locked._change_reason = "recording.evidence.voided"
        locked._history_user = by
        locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
        record(
            "recording.evidence.voided",
            obj=evidence.case,
            actor=by,
            detail={"evidence": evidence.pk, "title": evidence.title, "reason": reason},
        )
    for name in ("voided_at", "voided_by", "void_reason"):
        setattr(evidence, name, getattr(locked, name))
    return evidence


# --- Metadata (ffprobe) and thumbnails (ffmpeg) ----------------------------------------------------------

METADATA_UNAVAILABLE = "服务器未安装 ffprobe，无法读取时长、录制时间和设备信息。"


def probe(path) -> dict | None:
    """ffprobe's JSON for a file, or None when ffprobe is not installed or cannot read it."""
    ffprobe = shutil.which("ffprobe")
    if not ffprobe:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - fixed program, our own path argument
            [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    try:
        return json.loads(done.stdout or b"{}")
    except ValueError:
        return None


def _number(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number >= 0 else None  # NaN guard


def _frame_rate(value: str | None):
    if not value or "/" not in value:
        return None
    num, _, den = value.partition("/")
    try:
        return round(int(num) / int(den), 2) if int(den) else None
    except ValueError:
        return None


def summarise_probe(data: dict) -> dict:
    """What the evidence page shows: container, duration, start time, device, codecs, resolution."""
    fmt = data.get("format") or {}
    streams = data.get("streams") or []
    tags: dict[str, str] = {}
    for stream in streams:
        tags.update({k.lower(): str(v) for k, v in (stream.get("tags") or {}).items()})
    tags.update({k.lower(): str(v) for k, v in (fmt.get("tags") or {}).items()})
    summary: dict = {"probed": True, "container": fmt.get("format_long_name") or fmt.get("format_name", "")}
    duration = _number(fmt.get("duration"))
    if duration is not None:
        summary["duration"] = round(duration, 3)
    bit_rate = _number(fmt.get("bit_rate"))
    if bit_rate:
        summary["bit_rate"] = int(bit_rate)
    created = tags.get("com.apple.quicktime.creationdate") or tags.get("creation_time") or tags.get("date")
    if created:
        summary["creation_time"] = created
    make = tags.get("make") or tags.get("com.apple.quicktime.make") or tags.get("com.android.manufacturer")
    model = tags.get("model") or tags.get("com.apple.quicktime.model") or tags.get("com.android.model")
    device = " ".join(part for part in (make, model) if part)
    if device:
        summary["device"] = device
    if tags.get("encoder"):
        summary["encoder"] = tags["encoder"]
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video:
        summary["video"] = {
            "codec": video.get("codec_name", ""),
            "width": video.get("width"),
            "height": video.get("height"),
            "frame_rate": _frame_rate(video.get("avg_frame_rate")) or _frame_rate(video.get("r_frame_rate")),
        }
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if audio:
        summary["audio"] = {
            "codec": audio.get("codec_name", ""),
            "sample_rate": audio.get("sample_rate"),
            "channels": audio.get("channels"),
        }
    return summary


def parse_creation_time(value: str | None) -> datetime.datetime | None:
    """ISO BMFF creation times are UTC ("2026-11-03T02:10:00.000000Z"); a value without a zone is taken as
    UTC too, as the container format defines it."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if " " in text and "T" not in text:
        text = text.replace(" ", "T", 1)
    try:
        parsed = parse_datetime(text)
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    # A camera whose clock was never set writes 1904/1970: that is no recording time.
    return parsed if parsed.year >= 2000 else None


def make_thumbnail(path, *, kind: str, duration: float | None) -> bytes | None:
    """A 320-pixel-wide JPEG poster frame (video: about one second in) or preview (photo), or None."""
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg or kind not in (EvidenceKind.VIDEO, EvidenceKind.PHOTO):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "thumb.jpg")
        command = [ffmpeg, "-v", "error", "-nostdin"]
        if kind == EvidenceKind.VIDEO:
            at = min(1.0, duration / 2) if duration else 0.0
            command += ["-ss", f"{at:.2f}"]
        command += ["-i", str(path), "-frames:v", "1", "-vf", "scale=320:-2", "-f", "image2", "-c:v", "mjpeg"]
        command += ["-y", out]
        try:
            subprocess.run(command, capture_output=True, timeout=120, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired):
            return None
        if not os.path.exists(out) or os.path.getsize(out) == 0:
            return None
        with open(out, "rb") as f:
            return f.read()


def extract_metadata(evidence: Evidence) -> Evidence:
    """Read metadata with ffprobe (where installed) and make a thumbnail with ffmpeg; the upload never
    depends on either."""
    path = evidence.file.path
    data = probe(path)
    if data is None:
        reason = METADATA_UNAVAILABLE if not shutil.which("ffprobe") else "ffprobe 无法读取该文件的元数据。"
        evidence.metadata = {"probed": False, "reason": reason}
    else:
        evidence.metadata = summarise_probe(data)
        evidence.duration = evidence.metadata.get("duration") if evidence.kind != EvidenceKind.PHOTO else None
        evidence.recorded_at = parse_creation_time(evidence.metadata.get("creation_time"))
    fields = ["metadata", "duration", "recorded_at"]
    thumb = make_thumbnail(path, kind=evidence.kind, duration=evidence.duration)
    if thumb:
        evidence.thumbnail.save(f"{uuid.uuid4().hex}.jpg", ContentFile(thumb), save=False)
        fields.append("thumbnail")
    evidence._change_reason = "recording.evidence.metadata"
    evidence.save(update_fields=fields)
    return evidence


# --- Serving byte ranges ------------------------------------------------------------------------------------


class RangeNotSatisfiable(Exception):
    pass


_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.I)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """One byte range of RFC 9110 §14.1.2 as (first, last) inclusive; None to send the whole file (no header,
    or one we do not serve, such as several ranges: RFC 9110 lets a server ignore Range). Raises
    RangeNotSatisfiable for a range wholly past the end (answered 416)."""
    if not header:
        return None
    match = _RANGE.match(header)
    if not match:
        return None
    first, last = match.group(1), match.group(2)
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable
    return start, min(end, size - 1)


def iter_file(path, start: int = 0, length: int | None = None):
    """The bytes of a file from `start`, `length` of them (all by default), in IO_BLOCK pieces."""
    with open(path, "rb") as f:
        f.seek(start)
        remaining = length
        while remaining is None or remaining > 0:
            block = f.read(IO_BLOCK if remaining is None else min(IO_BLOCK, remaining))
            if not block:
                break
            if remaining is not None:
                remaining -= len(block)
            yield block


def safe_download_name(evidence: Evidence) -> str:
    """A file name for Content-Disposition: the title (not the user's file name), no path or control
    characters, the extension of the type detected from content."""
    media = media_type_for_mime(evidence.mime)
    base = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", evidence.title).strip(" ._") or "音像记录"
    return f"{base[:80]}-{evidence.sha256[:8]}.{media.ext if media else 'bin'}"


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}小时{minutes:02d}分{secs:02d}秒" if hours else f"{minutes}分{secs:02d}秒"


def metadata_rows(evidence: Evidence) -> list[tuple[str, str]]:
    """The metadata the evidence page shows, as (label, value) pairs; empty when nothing was read."""
    meta = evidence.metadata or {}
    if not meta.get("probed"):
        return []
    rows = []
    if meta.get("container"):
        rows.append(("封装格式", meta["container"]))
    if evidence.duration is not None:
        rows.append(("时长", format_duration(evidence.duration)))
    if evidence.recorded_at:
        when = timezone.localtime(evidence.recorded_at)
        rows.append(("录制开始时间（设备记录）", f"{when.year}年{when.month}月{when.day}日 {when:%H:%M:%S}"))
    if meta.get("device"):
        rows.append(("拍摄设备", meta["device"]))
    if meta.get("encoder"):
        rows.append(("编码软件", meta["encoder"]))
    video = meta.get("video") or {}
    if video:
        size = f"{video.get('width')}×{video.get('height')}" if video.get("width") else ""
        rate = f"，{video['frame_rate']} 帧/秒" if video.get("frame_rate") else ""
        rows.append(("视频", f"{video.get('codec', '')} {size}{rate}".strip()))
    audio = meta.get("audio") or {}
    if audio:
        rate = f" {audio['sample_rate']} Hz" if audio.get("sample_rate") else ""
        channels = f"，{audio['channels']} 声道" if audio.get("channels") else ""
        rows.append(("音频", f"{audio.get('codec', '')}{rate}{channels}".strip()))
    return rows
