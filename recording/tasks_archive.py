"""The background task that builds the case file (案卷) and archives the case (recording.archive).

Runs in the Celery worker (in-process when no broker is configured). Progress is written to
CaseFile.progress as it goes, each write committed on its own so that the progress page sees it while the
task runs in a worker. Both volumes are assembled and signed before anything is stored; storing the signed
PDFs, marking the file done and signed, and moving the case to 归档 happen in one transaction: either the
case is archived with its signed file, or it stays closed, the file is marked failed with the reason (a
signing failure included) for the records keeper to start again, and no PDF of the failed build is kept.
"""

import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.cases.workflow import Stage, TransitionRefused

from .archive import ArchiveError
from .casefile import assemble
from .models import CaseFile, CaseFileStatus

logger = logging.getLogger(__name__)


def _set_progress(case_file_id: int, percent: int) -> None:
    CaseFile.objects.filter(pk=case_file_id, status=CaseFileStatus.BUILDING).update(
        progress=max(0, min(99, percent))
    )


def run_build(case_file_id: int) -> str:
    """Build and archive; returns the final status. Never raises for a failed build: the failure is stored
    on the case file (shown to the records keeper) and in the audit log."""
    case_file = CaseFile.objects.select_related("case__handling_unit", "requested_by").get(pk=case_file_id)
    if case_file.status != CaseFileStatus.BUILDING:
        return case_file.status  # a duplicate delivery of the task, or already done
    keeper = case_file.requested_by
    stored: list = []  # (storage, name) written by this build, removed again if it fails
    try:
        volumes = assemble(case_file, progress=lambda pct: _set_progress(case_file_id, pct))
        with transaction.atomic():
            locked = (
                CaseFile.objects.select_for_update(of=("self",)).select_related("case").get(pk=case_file_id)
            )
            case = locked.case
            for key, volume in volumes.items():
                pdf = getattr(locked, f"{key}_pdf")
                pdf.save(f"{case.pk}-{key}.pdf", ContentFile(volume.pdf), save=False)
                stored.append((pdf.storage, pdf.name))
                setattr(locked, f"{key}_sha256", volume.sha256)
                setattr(locked, f"{key}_pages", volume.pages)
            locked.signed = all(v.signed for v in volumes.values())
            locked.signature_note = next((v.signature_note for v in volumes.values()), "")
            locked.status = CaseFileStatus.DONE
            locked.progress = 100
            locked.built_at = timezone.now()
            locked.error = ""
            locked._change_reason = "recording.casefile.built"
            locked._history_user = keeper
            locked.save()
            record(
                "recording.casefile.built",
                obj=case,
                actor=keeper,
                detail={
                    "case_file": locked.pk,
                    **{f"{k}_sha256": v.sha256 for k, v in volumes.items()},
                    **{f"{k}_pages": v.pages for k, v in volumes.items()},
                    "signed": locked.signed,
                },
            )
            case.advance(Stage.ARCHIVED, actor=keeper, reason="案卷（正卷、副卷）组卷完成，归档。")
        return CaseFileStatus.DONE
    except (ArchiveError, TransitionRefused) as problem:
        message = "；".join(problem.messages) if isinstance(problem, TransitionRefused) else str(problem)
    except Exception as problem:  # noqa: BLE001 — a background task must leave a readable state behind
        logger.exception("building case file %s failed", case_file_id)
        message = f"组卷时发生系统错误（{type(problem).__name__}），请稍后重试或联系管理员。"
    _discard(stored)
    failed = CaseFile.objects.get(pk=case_file_id)
    failed.status = CaseFileStatus.FAILED
    failed.error = message
    failed._change_reason = "recording.casefile.failed"
    failed._history_user = keeper
    failed.save(update_fields=["status", "error"])
    record(
        "recording.casefile.failed",
        obj=case_file.case,
        actor=keeper,
        outcome=Outcome.FAILURE,
        detail={"case_file": case_file_id, "error": message},
    )
    return CaseFileStatus.FAILED


def _discard(files: list) -> None:
    """The PDFs a failed build wrote before its transaction rolled back: the rows never point at them."""
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not remove %s left by a failed case-file build", name)


@shared_task
def build_case_file(case_file_id: int) -> str:
    return run_build(case_file_id)
