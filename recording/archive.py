"""The case file (案卷) and archiving (归档), docs/domain.md §2 ("Archive").

Once a case is finished (结案 approved, or 不予立案, or a 简易程序 case 备案), the records keeper (档案管理员) of
the handling unit archives it: a background task (tasks_archive.build_case_file) assembles two PDFs
(recording.casefile),

- 正卷 — what the party may inspect: cover, catalogue (卷内目录), the issued documents of volume "main" in
  the bureau's filing order (an admin setting, recording.models.filing.FilingOrder: the decision first, then
  the others as the case produced them), and the evidence list (each audio/video file's title, kind,
  SHA-256, duration, size);
- 副卷 — internal: cover, catalogue, the issued documents of volume "sub" in its filing order (by default in
  time order: 审批表, 集体讨论记录, 法制审核意见 ...) and the record of the case's approvals with every opinion (who, when, what),

signs each with the bureau's electronic seal (PAdES, wuding_enforcement.shared.signing: 电子签名法 第十三、十四条, later
changes are detectable), stores each signed file with its SHA-256 and page count (verified like evidence by
recording.integrity), then moves the case to 归档. A signing failure stops the build like any other problem:
nothing is stored half-signed, the case stays closed and the records keeper reads why. The issued PDFs are merged as they are — never re-rendered, so every page is the page that was
issued — after their stored SHA-256 is checked; each page of the volume's body gets an archive page number
stamped in its top right corner (the cover and catalogue are not numbered, as in paper files), and the
original PDFs ride along as attachments, byte for byte. A document's own seal is drawn onto its page as it
looked, but its signature field is left behind: the volume's only signature is the archive's own, and each
document's signature still verifies in its attached original.

After archiving, the case and its records are read-only for everyone: Case.objects.editable_by() excludes
archived cases, Document.issue/correct refuse, and the model guards below refuse any save of a document and
any new or changed evidence or upload of an archived case, whatever code path tries.
"""

import logging

from django.db import transaction
from django.db.models.signals import pre_save

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.cases.workflow import Stage, TransitionRefused, register_gate
from wuding_enforcement.roster.models import Role

from .models import CaseFile, CaseFileStatus, Classification, Document, Evidence, Retention, Upload

logger = logging.getLogger(__name__)

ARCHIVED_READ_ONLY = "案件已归档，案件及其记录只读，不能再修改、签发或更正文书，也不能上传或作废音像记录。"
VOLUMES = {"main": "正卷", "sub": "副卷"}
# A4 in PostScript points: the overlay carrying the page numbers is A4 and is moved to each page's corner.
A4 = (595.28, 841.89)


class ArchiveError(Exception):
    """The case file could not be assembled; the message is for the records keeper, in Chinese."""


class ArchivedReadOnly(TransitionRefused):
    """A change to a record of an archived case."""


# --- Who may archive -------------------------------------------------------------------------------------


def is_records_keeper_of(user, case) -> bool:
    """The records keeper (档案管理员) named for the case's handling unit."""
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_role(Role.RECORDS_KEEPER)
        and user.unit_id == case.handling_unit_id
    )


def may_download(user, case, volume: str) -> bool:
    """Who may download a volume of the case file: the 正卷 (what the party may inspect) the records keeper,
    the case's officers, the unit head and the bureau head; the 副卷 (internal approvals, 集体讨论, 法制审核意见)
    only the records keeper and the heads; a case file holding classified records only those
    Case.may_see_classified admits (docs/domain.md §2, "Archive")."""
    heads_or_keeper = (
        user.has_role(Role.BUREAU_HEAD)
        or user.is_head_of(case.handling_unit)
        or is_records_keeper_of(user, case)
    )
    allowed = heads_or_keeper or (volume == "main" and case.assignments.filter(officer=user).exists())
    return allowed and (not holds_classified(case) or case.may_see_classified(user))


def holds_classified(case) -> bool:
    return (
        case.documents.filter(status="issued").exclude(classification=Classification.GENERAL).exists()
        or case.evidence.exclude(classification=Classification.GENERAL).exists()
    )


def completeness_problems(case) -> list[str]:
    """组卷 refuses until the case file holds the documents its procedure path requires (docs/domain.md §6,
    the same table as the statutory order: wuding_enforcement/cases/procedure.py), each named with its article,
    in filing order. A step a 局负责人 approved as lawfully not needed (程序补救) is not asked for."""
    from .order import procedure_gaps

    return [
        f"案卷缺少“{step.title}”（{step.article}）：请先签发该文书，或经局负责人批准说明依法无须该步骤。"
        for step in procedure_gaps(case)
    ]


def archive_problems(case, user) -> list[str]:
    """Why `user` may not start archiving `case` now (empty: they may)."""
    problems = []
    if case.stage == Stage.ARCHIVED:
        return ["本案已归档。"]
    if Stage.ARCHIVED not in case.allowed_targets():
        problems.append(f"案件处于“{case.get_stage_display()}”阶段，结案（或不予立案、备案）后才能归档。")
    if not is_records_keeper_of(user, case):
        problems.append(f"只有{case.handling_unit}的档案管理员可以组卷归档。")
    if not problems:
        problems.extend(completeness_problems(case))
    return problems


def start_archiving(case, *, by, retention: str = Retention.LONG) -> CaseFile:
    """Ask for the case file: checks who and when, records the request, and hands the assembly to the
    background task once the request is committed. A second request while one is building (a double
    click) changes nothing; a failed build may be started again."""
    from .tasks_archive import queue_build

    if retention not in Retention.values:
        raise TransitionRefused("请选择有效的保管期限。")
    with transaction.atomic():
        locked = (
            type(case).objects.select_for_update(of=("self",)).select_related("handling_unit").get(pk=case.pk)
        )
        problems = archive_problems(locked, by)
        if problems:
            record(
                "recording.casefile.refused",
                obj=locked,
                actor=by,
                outcome=Outcome.DENIED,
                detail={"problems": problems},
            )
            raise TransitionRefused(problems)
        case_file, created = CaseFile.objects.select_for_update().get_or_create(
            case=locked, defaults={"requested_by": by, "retention": retention}
        )
        if not created:
            # A build past its lease is lost (its worker died, or its task never reached one): it may be
            # started again at once, without waiting for the sweeper (outbox.leases).
            if case_file.status == CaseFileStatus.DONE or (
                case_file.status == CaseFileStatus.BUILDING and not case_file.lease_expired
            ):
                raise TransitionRefused("案卷正在组卷，请稍候查看进度。")
            case_file.requested_by = by
            case_file.retention = retention
        case_file.status = CaseFileStatus.BUILDING
        case_file.progress = 0
        case_file.error = ""
        # The build's task goes into the outbox in this transaction (it runs once this commits, or waits for
        # the broker), and the case file becomes a queued job under a lease.
        queue_build(case_file)
        case_file._change_reason = "recording.casefile.requested"
        case_file._history_user = by
        case_file.save()
        record(
            "recording.casefile.requested",
            obj=locked,
            actor=by,
            detail={"case_file": case_file.pk, "retention": retention},
        )
    return case_file


def archive_case(case, *, by, retention: str = Retention.LONG) -> CaseFile:
    """Archive synchronously (demo data, management commands): request, build and advance in this process."""
    from .tasks_archive import run_build

    case_file = start_archiving(case, by=by, retention=retention)
    case_file.refresh_from_db()
    if case_file.status == CaseFileStatus.BUILDING:  # not built yet: no eager on_commit ran (a test atomic)
        run_build(case_file.pk)
        case_file.refresh_from_db()
    return case_file


# --- The stage gate and the read-only guards --------------------------------------------------------------


def archived_gate(ctx):
    """No case reaches 归档 without its case file built, and only through the unit's records keeper."""
    case_file = CaseFile.objects.filter(case=ctx.case).first()
    if case_file is None or case_file.status != CaseFileStatus.DONE:
        yield "案卷尚未组卷完成，不能归档：请由档案管理员组卷（正卷、副卷）后归档。"
    if not is_records_keeper_of(ctx.actor, ctx.case):
        yield f"只有{ctx.case.handling_unit}的档案管理员可以归档。"


def _case_archived(case_id) -> bool:
    from wuding_enforcement.cases.models import Case

    return Case.objects.filter(pk=case_id, stage=Stage.ARCHIVED).exists()


# Evidence fields a user's action changes (upload, link, void, reclassify). Bookkeeping fields that other
# parts may add (e.g. a last-verified time) stay writable.
_EVIDENCE_USER_FIELDS = (
    "document_id",
    "kind",
    "title",
    "description",
    "file",
    "sha256",
    "size",
    "classification",
    "voided_at",
    "voided_by_id",
    "void_reason",
)


def _guard_document(sender, instance, **kwargs):
    if instance.case_id and _case_archived(instance.case_id):
        raise ArchivedReadOnly(ARCHIVED_READ_ONLY)


def _guard_evidence(sender, instance, **kwargs):
    if not instance.case_id or not _case_archived(instance.case_id):
        return
    if instance.pk is None:
        raise ArchivedReadOnly(ARCHIVED_READ_ONLY)
    stored = Evidence.objects.filter(pk=instance.pk).values(*_EVIDENCE_USER_FIELDS).first()
    if stored is None or any(str(stored[f] or "") != str(getattr(instance, f) or "") for f in stored):
        raise ArchivedReadOnly(ARCHIVED_READ_ONLY)


def _guard_upload(sender, instance, **kwargs):
    # Only a new upload is refused: the periodic clean-up must still be able to abort stale ones.
    if instance._state.adding and instance.case_id and _case_archived(instance.case_id):
        raise ArchivedReadOnly(ARCHIVED_READ_ONLY)


def register():
    register_gate(archived_gate, targets=[Stage.ARCHIVED], name="recording.archived_needs_case_file")
    pre_save.connect(_guard_document, sender=Document, dispatch_uid="recording.archive.guard_document")
    pre_save.connect(_guard_evidence, sender=Evidence, dispatch_uid="recording.archive.guard_evidence")
    pre_save.connect(_guard_upload, sender=Upload, dispatch_uid="recording.archive.guard_upload")
