"""Integrity of what the portal stores: every evidence file, every issued document's PDF (and the photo of its
signed paper) and every case-file PDF is re-hashed and compared with the SHA-256 recorded when it was stored.

A reliable electronic record must make later changes detectable (电子签名法 第十三条、第十四条; 档案法 第三十七条:
electronic archives count only where their content is complete and unaltered). Run by `manage.py
verify_evidence`, by a periodic Celery task, and on a download that finds a file missing or altered
(wuding_enforcement/audit/files.py). Problems go to the
audit log (recording.integrity.failed) and by e-mail to the records keepers of the case's unit; a mail that
cannot be sent is logged and audited (recording.integrity.alert_failed), never silently dropped.
"""

import logging
import smtplib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.roster.models import Role, Staff
from wuding_enforcement.shared import objectstore

from .evidence import file_sha256
from .models import CaseFile, Document, DocumentStatus, Evidence

logger = logging.getLogger("wuding.recording")
MISSING = "missing"
MISMATCH = "mismatch"
ORPHAN = "orphan"
# The folders of MEDIA_ROOT (or of the object store's bucket) whose every file must belong to a row (evidence and its poster frames, documents
# and the photos of their signed paper, case files). Partial uploads (uploads/) are the stale clean-up's.
RECORD_FOLDERS = ("evidence", "documents", "casefiles")
# A file younger than this may belong to a row whose transaction has not committed yet.
ORPHAN_GRACE_SECONDS = 3600


@dataclass(frozen=True)
class StoredFile:
    """One stored file and the hash recorded for it."""

    kind: str  # evidence / document / document_scan / casefile_main / casefile_sub
    label: str  # what a person reads: 音像证据“现场录像”（案件 武市监立〔2026〕3号）
    name: str  # storage name relative to MEDIA_ROOT
    expected: str
    case_id: int
    unit_id: int | None
    object_id: int


@dataclass(frozen=True)
class Problem:
    file: StoredFile
    problem: str  # MISSING or MISMATCH
    actual: str = ""

    def describe(self) -> str:
        what = {
            MISSING: "文件缺失",
            MISMATCH: "SHA-256 不一致（文件已被改动或损坏）",
            ORPHAN: "没有任何记录指向该文件（未完成的写入留下的文件，或其记录已被删除）",
        }[self.problem]
        return f"{self.file.label}：{what}，文件 {self.file.name}"

    def as_detail(self) -> dict:
        return {
            "kind": self.file.kind,
            "object": self.file.object_id,
            "case": self.file.case_id,
            "file": self.file.name,
            "problem": self.problem,
            "expected": self.file.expected,
            "actual": self.actual,
        }


@dataclass
class Report:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def evidence_file(evidence: Evidence) -> StoredFile:
    return StoredFile(
        "evidence",
        f"音像证据“{evidence.title}”（案件 {evidence.case.number}）",
        evidence.file.name,
        evidence.sha256,
        evidence.case_id,
        evidence.case.handling_unit_id,
        evidence.pk,
    )


def stored_files():
    """Every file with a recorded hash, a query per kind (evidence, issued documents, case files)."""
    for evidence in Evidence.objects.select_related("case").order_by("pk").iterator(chunk_size=500):
        yield evidence_file(evidence)
    documents = Document.objects.filter(status=DocumentStatus.ISSUED).select_related("case").order_by("pk")
    for doc in documents.iterator(chunk_size=500):
        number = doc.number or (f"卷内第{doc.file_seq}号" if doc.file_seq else "")
        label = f"文书“{doc.type_title}”{('（' + number + '）') if number else ''}（案件 {doc.case.number}）"
        unit = doc.case.handling_unit_id
        if doc.pdf:
            yield StoredFile(
                "document", label + " PDF", doc.pdf.name, doc.pdf_sha256, doc.case_id, unit, doc.pk
            )
        if doc.signed_scan and doc.signed_scan_sha256:
            yield StoredFile(
                "document_scan", label + " 签字页照片", doc.signed_scan.name, doc.signed_scan_sha256,
                doc.case_id, unit, doc.pk,
            )  # fmt: skip
    for case_file in CaseFile.objects.select_related("case").order_by("pk").iterator(chunk_size=500):
        for volume, title in (("main", "正卷"), ("sub", "副卷")):
            pdf, digest = getattr(case_file, f"{volume}_pdf"), getattr(case_file, f"{volume}_sha256")
            if pdf and digest:
                yield StoredFile(
                    f"casefile_{volume}",
                    f"案卷{title}（案件 {case_file.case.number}）",
                    pdf.name,
                    digest,
                    case_file.case_id,
                    case_file.case.handling_unit_id,
                    case_file.pk,
                )


def referenced_names() -> set[str]:
    """Every storage name a row of the recording system points to (hashed or not: drafts, thumbnails)."""
    names: set[str] = set()
    for file, thumb in Evidence.objects.values_list("file", "thumbnail").iterator(chunk_size=2000):
        names.update((file, thumb))
    for pdf, scan in Document.objects.values_list("pdf", "signed_scan").iterator(chunk_size=2000):
        names.update((pdf, scan))
    for main, sub in CaseFile.objects.values_list("main_pdf", "sub_pdf").iterator(chunk_size=2000):
        names.update((main, sub))
    names.discard("")
    return names


def _stored_names(folder: str, cutoff: float) -> Iterator[str]:
    """The names of the files in a record folder older than `cutoff` (local disk or the object store)."""
    if objectstore.configured():
        for name, _size, modified in objectstore.iter_objects(folder + "/"):
            if modified.timestamp() <= cutoff:
                yield name
        return
    root = settings.MEDIA_ROOT
    base = root / folder
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*")):
        if path.is_file() and path.stat().st_mtime <= cutoff:
            yield path.relative_to(root).as_posix()


def orphan_files(now: float | None = None) -> list[Problem]:
    """Files in the record folders that no row points to: a write whose row never committed, or a row that
    was removed (nothing is ever deleted here, so either needs a person to look)."""
    cutoff = (now or time.time()) - ORPHAN_GRACE_SECONDS
    known = referenced_names()
    problems = []
    for folder in RECORD_FOLDERS:
        for name in _stored_names(folder, cutoff):
            if name not in known:
                label = f"存储目录 {folder}/ 中的文件"
                problems.append(Problem(StoredFile(ORPHAN, label, name, "", 0, None, 0), ORPHAN))
    return problems


def check(stored: StoredFile) -> Problem | None:
    if not stored.name:
        return Problem(stored, MISSING)
    if objectstore.configured():
        actual = objectstore.sha256(stored.name)  # "" when the object is missing
        if not actual:
            return Problem(stored, MISSING)
    else:
        path = settings.MEDIA_ROOT / stored.name
        if not path.is_file():
            return Problem(stored, MISSING)
        actual = file_sha256(path)
    if actual != stored.expected:
        return Problem(stored, MISMATCH, actual)
    return None


def verify_all() -> Report:
    report = Report()
    for stored in stored_files():
        report.checked += 1
        problem = check(stored)
        if problem is not None:
            report.problems.append(problem)
    report.problems.extend(orphan_files())
    return report


def records_keepers_for(unit_ids) -> list[str]:
    """E-mail addresses of the records keepers of these units; where a unit has none, all records keepers
    (an alert must reach someone)."""
    keepers = Staff.objects.with_role(Role.RECORDS_KEEPER).exclude(email="")
    addresses = list(keepers.filter(unit_id__in=[u for u in unit_ids if u]).values_list("email", flat=True))
    if not addresses:
        addresses = list(keepers.values_list("email", flat=True))
    return sorted(set(addresses))


def report_problems(problems: list[Problem], *, source: str, actor=None, request=None) -> None:
    """Write one audit event naming every problem and tell the records keepers, per unit."""
    if not problems:
        return
    logger.error(
        "integrity check (%s) found %d problem(s): %s",
        source,
        len(problems),
        "; ".join(f"{p.file.name} {p.problem}" for p in problems),
    )
    record(
        "recording.integrity.failed",
        actor=actor,
        request=request,
        outcome=Outcome.FAILURE,
        object_repr=f"完整性校验发现 {len(problems)} 个问题",
        detail={"source": source, "problems": [p.as_detail() for p in problems]},
    )
    by_unit: dict[int | None, list[Problem]] = {}
    for problem in problems:
        by_unit.setdefault(problem.file.unit_id, []).append(problem)
    for unit_id, unit_problems in by_unit.items():
        recipients = records_keepers_for([unit_id])
        if not recipients:
            logger.error(
                "integrity problems in unit %s and no records keeper with an e-mail to tell", unit_id
            )
            continue
        _alert(unit_id, unit_problems, recipients, source)


def _alert(unit_id, problems: list[Problem], recipients: list[str], source: str) -> bool:
    """Mail the records keepers. A mail that cannot be sent loses nothing: the problems are already in the
    audit log (recording.integrity.failed); the failure to tell is logged and audited too
    (recording.integrity.alert_failed), so that someone who reads either learns nobody was told."""
    lines = "\n".join(f"- {p.describe()}" for p in problems)
    try:
        send_mail(
            subject=f"【{settings.BUREAU_NAME}】存储文件完整性校验发现 {len(problems)} 个问题",
            message=(
                "档案管理员：\n\n完整性校验（"
                + {"command": "人工运行校验命令", "task": "定期校验", "download": "下载时校验"}.get(
                    source, source
                )
                + "）发现以下文件缺失、与存储时记录的 SHA-256 不一致或没有记录指向，请立即核查（缺失或不一致的从备份恢复）：\n\n"
                + lines
                + "\n\n本邮件由系统自动发送，事件已记入审计日志（recording.integrity.failed）。"
            ),
            from_email=None,
            recipient_list=recipients,
        )
    except (OSError, smtplib.SMTPException) as exc:  # SMTP refused, connection failed, DNS ...
        logger.error("integrity alert to %s not sent: %s", ", ".join(recipients), exc)
        record(
            "recording.integrity.alert_failed",
            outcome=Outcome.FAILURE,
            object_repr=f"完整性告警邮件未能发送（{len(problems)} 个问题）",
            detail={
                "unit": unit_id,
                "recipients": recipients,
                "error": f"{type(exc).__name__}: {exc}",
                "problems": [p.as_detail() for p in problems],
            },
        )
        return False
    logger.warning("integrity alert sent to %s: %d problem(s)", ", ".join(recipients), len(problems))
    return True


def verify_and_report(*, source: str) -> Report:
    report = verify_all()
    if report.ok:
        record(
            "recording.integrity.ok",
            object_repr=f"完整性校验通过，共 {report.checked} 个文件",
            detail={"source": source, "checked": report.checked},
        )
    else:
        report_problems(report.problems, source=source)
    return report
