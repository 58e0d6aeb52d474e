"""执法全过程记录: documents (文书), audio/video evidence (音像记录), resumable uploads and the case file (案卷),
one module per model.

Text records are primary (documents of the SAMR 2021 formats, one registered DocumentType each, see
recording/doctypes/); audio-video supplements them and is linked to the act it records. Nothing a user
records is ever deleted: an issued document is frozen (a correction supersedes it, both kept), evidence is
voided with a reason, the file stays. Every name is imported here: code reads `recording.models`.
"""

from .casefile import CaseFile, CaseFileStatus, Retention, _casefile_path
from .common import Classification, ClassifiedQuerySet
from .documents import (
    AFTER_ISSUE_FIELDS,
    Document,
    DocumentFrozenError,
    DocumentQuerySet,
    DocumentStatus,
    PartySignature,
    _document_pdf_path,
    _signed_scan_path,
    new_verification_code,
)
from .evidence import (
    METADATA_TASK,
    Evidence,
    EvidenceKind,
    EvidenceQuerySet,
    Upload,
    UploadStatus,
    _evidence_path,
)
from .filing import FilingOrder

# The upload_to functions are named by migrations (recording/migrations/0001_initial.py) under this package.
__all__ = [
    "AFTER_ISSUE_FIELDS",
    "CaseFile",
    "CaseFileStatus",
    "Classification",
    "ClassifiedQuerySet",
    "Document",
    "FilingOrder",
    "DocumentFrozenError",
    "DocumentQuerySet",
    "DocumentStatus",
    "METADATA_TASK",
    "Evidence",
    "EvidenceKind",
    "EvidenceQuerySet",
    "PartySignature",
    "Retention",
    "Upload",
    "UploadStatus",
    "_casefile_path",
    "_document_pdf_path",
    "_evidence_path",
    "_signed_scan_path",
    "new_verification_code",
]
