"""Audio-video evidence (音像记录), split along its seams:

- `sniffing` — which allowed type a file is, by its first bytes;
- `body` — a chunk's bytes read straight from gunicorn's socket;
- `upload` — the resumable upload protocol, the running hash, completion, stale uploads;
- `probing` — ffprobe metadata and the ffmpeg poster frame;
- `rules` — who may record, voiding, and the refusal (`EvidenceRefused`) the upload endpoints answer with;
- `linking` — linking an item to the act it records (and unlinking), and what an act says about its AV;
- `display` — sizes, durations, metadata rows and safe download names.

Serving the files (download, playback with HTTP Range, thumbnails) is not here: every file leaves through
`wuding_enforcement/audit/files.py` `send_stored_file`, whose byte ranges are `shared/ranges.py`. This
package's public API is re-exported below.
"""

from .body import chunk_stream
from .display import format_duration, human_size, metadata_rows, safe_download_name
from .linking import av_rule_reopened, av_statement, link_evidence, linked_av, unlink_evidence
from .probing import METADATA_UNAVAILABLE, extract_metadata, probe, summarise_probe
from .rules import EvidenceRefused, recording_refusal, void_evidence
from .sniffing import ALLOWED_SUMMARY, ALLOWED_TYPES, MediaType, detect_file_type, detect_type
from .upload import (
    ChunkResult,
    abort_upload,
    append_chunk,
    clean_stale_uploads,
    duplicate_message,
    file_sha256,
    ingest_file,
    reupload_notice,
    start_upload,
)

__all__ = [
    "av_rule_reopened",
    "av_statement",
    "link_evidence",
    "linked_av",
    "unlink_evidence",
    "reupload_notice",
    "ALLOWED_SUMMARY",
    "ALLOWED_TYPES",
    "METADATA_UNAVAILABLE",
    "ChunkResult",
    "chunk_stream",
    "EvidenceRefused",
    "MediaType",
    "abort_upload",
    "append_chunk",
    "clean_stale_uploads",
    "detect_file_type",
    "detect_type",
    "duplicate_message",
    "extract_metadata",
    "file_sha256",
    "format_duration",
    "human_size",
    "ingest_file",
    "metadata_rows",
    "probe",
    "recording_refusal",
    "safe_download_name",
    "start_upload",
    "summarise_probe",
    "void_evidence",
]
