"""How evidence is shown to a person: sizes, durations, the metadata rows of the evidence page, and a safe file
name for downloads."""

import re

from django.utils import timezone

from wuding_enforcement.shared.chinese import cn_date

from ..models import Evidence
from .sniffing import media_type_for_mime


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("字节", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "字节" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


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
        rows.append(("录制开始时间（设备记录）", f"{cn_date(when)} {when:%H:%M:%S}"))
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
