"""The background task that builds the case file (案卷) and archives the case (recording.archive).

The build is a leased job (CaseFile inherits outbox.LeasedJob, registered with the sweeper below): the
request that asks for it queues the task through the outbox in its own transaction (`queue_build`), so a
broker that is down at that moment leaves the task waiting in the outbox, never a "组卷中" row with no task;
the task claims the job (`_claim`: queued, or running past its lease) and runs under a lease it renews at
every step; a worker killed mid-build leaves the job running until the sweeper fails it with the reason,
and the records keeper starts it again. The task is idempotent (acks_late with reject_on_worker_lost: the
broker delivers it again when its worker dies): a delivery for a job that is done, failed or held by a
live lease does nothing, and a build whose lease was taken over meanwhile stores nothing.

Runs in the Celery worker (in-process when no broker is configured). Progress is written to
CaseFile.progress as it goes, each write committed on its own so that the progress page sees it while the
task runs in a worker. Both volumes are assembled and signed before anything is stored; storing the signed
PDFs, marking the file done and signed, and moving the case to 归档 happen in one transaction: either the
case is archived with its signed file, or it stays closed, the file is marked failed with the reason (a
signing failure included) for the records keeper to start again, and no PDF of the failed build is kept.
"""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.outbox import leases
from wuding_enforcement.outbox.api import enqueue
from wuding_enforcement.outbox.models import JobState
from wuding_enforcement.shared import storedfiles

from . import casefile
from .archive import ArchiveError
from .models import CaseFile, CaseFileStatus

logger = logging.getLogger(__name__)

TASK = "recording.tasks_archive.build_case_file"


def queue_build(case_file: CaseFile) -> None:
    """In the transaction that asks for the build (archive.start_archiving, which checked who and when — and
    the file's completeness, archive.archive_problems): the case file becomes a queued job under a lease and
    its task goes into the outbox, both committing with the request or not at all. The caller saves."""
    case_file.queue()
    enqueue(TASK, case_file.pk, dedupe_key=case_file.retry_dedupe_key())


def _claim(case_file_id: int) -> int | None:
    """Take the job for this run: it must be building and either queued or running past its lease (its
    worker died). Returns the attempt number this run owns, None when there is nothing to do (a duplicate
    delivery, a job already done or failed, or one another worker holds under a live lease)."""
    with transaction.atomic():
        job = CaseFile.objects.select_for_update().filter(pk=case_file_id).first()
        if job is None or job.status != CaseFileStatus.BUILDING:
            return None
        if job.job_state == JobState.RUNNING and not job.lease_expired:
            return None
        if job.job_state not in (JobState.QUEUED, JobState.RUNNING):
            return None
        job.start()
        return job.job_attempts


def _set_progress(case_file_id: int, attempt: int, percent: int) -> None:
    """Progress is also proof of life: each step renews the lease."""
    CaseFile.objects.filter(
        pk=case_file_id, status=CaseFileStatus.BUILDING, job_state=JobState.RUNNING, job_attempts=attempt
    ).update(progress=max(0, min(99, percent)), lease_until=timezone.now() + CaseFile.DEFAULT_LEASE)


def run_build(case_file_id: int) -> str:
    """Build and archive; returns the final status. Never raises for a failed build: the failure is stored
    on the case file (shown to the records keeper) and in the audit log."""
    attempt = _claim(case_file_id)
    case_file = CaseFile.objects.select_related("case__handling_unit", "requested_by").get(pk=case_file_id)
    if attempt is None:
        return case_file.status  # a duplicate delivery of the task, already done, or held by another run
    keeper = case_file.requested_by
    try:
        volumes = casefile.assemble(case_file, progress=lambda pct: _set_progress(case_file_id, attempt, pct))
        # The signed volumes are written inside the transaction and removed if it rolls back (storedfiles):
        # a failed build leaves no PDF behind, a full disk no partial one.
        with storedfiles.removing(), transaction.atomic():
            locked = (
                CaseFile.objects.select_for_update(of=("self",)).select_related("case").get(pk=case_file_id)
            )
            if locked.job_state != JobState.RUNNING or locked.job_attempts != attempt:
                # The sweeper failed this run meanwhile (it outlived its lease) and the build may have been
                # started again: this run stores nothing.
                logger.warning(
                    "case file %s: run %s lost its lease, its result is dropped", case_file_id, attempt
                )
                return locked.status
            case = locked.case
            for key, volume in volumes.items():
                pdf = getattr(locked, f"{key}_pdf")
                storedfiles.stage(pdf, f"{case.pk}-{key}.pdf", volume.pdf)
                setattr(locked, f"{key}_sha256", volume.sha256)
                setattr(locked, f"{key}_pages", volume.pages)
            locked.signed = all(v.signed for v in volumes.values())
            locked.signature_note = next((v.signature_note for v in volumes.values()), "")
            locked.status = CaseFileStatus.DONE
            locked.progress = 100
            locked.built_at = timezone.now()
            locked.error = ""
            locked.job_state = JobState.SUCCEEDED
            locked.job_finished_at = timezone.now()
            locked.lease_until = None
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
    with transaction.atomic():
        failed = CaseFile.objects.select_for_update().get(pk=case_file_id)
        if failed.job_state != JobState.RUNNING or failed.job_attempts != attempt:
            return failed.status  # the sweeper already failed this run; a newer one may be under way
        failed._change_reason = "recording.casefile.failed"
        failed._history_user = keeper
        failed.fail(message)  # status 组卷失败 with the reason (CaseFile.on_fail)
    record(
        "recording.casefile.failed",
        obj=case_file.case,
        actor=keeper,
        outcome=Outcome.FAILURE,
        detail={"case_file": case_file_id, "error": message},
    )
    return CaseFileStatus.FAILED


@shared_task(name=TASK, acks_late=True, reject_on_worker_lost=True)
def build_case_file(case_file_id: int) -> str:
    return run_build(case_file_id)


leases.register(CaseFile)
