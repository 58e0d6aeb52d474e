"""Which allowed media type a file is, judged by its first bytes (magic numbers), never by its name: an
officer's phone names a file anything, and a renamed PDF must not pass as a video."""

from dataclasses import dataclass

from ..models import EvidenceKind

# How much of a file the type detection reads: enough for three MPEG-TS packets and an Ogg/EBML header.
HEAD_BYTES = 4096


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
