"""What the evidence page shows of a recording: ffprobe's metadata (container, duration, start time, device,
codecs) and an ffmpeg poster frame. Both programs are optional: the upload never depends on them, and a server
without them says so on the page."""

import datetime
import json
import logging
import os
import shutil
import subprocess
import tempfile
import uuid

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wuding_enforcement.shared import objectstore

from ..models import Evidence, EvidenceKind

logger = logging.getLogger("wuding.recording")

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
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("ffprobe failed on %s: %s", path, exc)
        return None
    if done.returncode != 0:
        logger.warning("ffprobe cannot read %s: %s", path, done.stderr[:500].decode(errors="replace"))
        return None
    try:
        return json.loads(done.stdout or b"{}")
    except ValueError as exc:
        logger.warning("ffprobe gave unreadable JSON for %s: %s", path, exc)
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
        except (OSError, subprocess.TimeoutExpired) as exc:
            logger.warning("ffmpeg poster frame failed for %s: %s", path, exc)
            return None
        if not os.path.exists(out) or os.path.getsize(out) == 0:
            logger.warning("ffmpeg made no poster frame for %s", path)
            return None
        with open(out, "rb") as f:
            return f.read()


def extract_metadata(evidence: Evidence) -> Evidence:
    """Read metadata with ffprobe (where installed) and make a thumbnail with ffmpeg; the upload never
    depends on either."""
    if objectstore.on_store(evidence.file):
        # ffprobe and ffmpeg read the object over HTTP (Range requests) on a short-lived signed URL: nothing
        # is downloaded whole.
        path = objectstore.signed_url(
            evidence.file.name, filename="evidence", content_type=evidence.mime, inline=True, public=False
        )
    else:
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
