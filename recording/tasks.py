"""Background work of the recording system, run by the Celery worker (or in-process when no broker is set).

The metadata of an uploaded item (ffprobe, the poster frame) is a leased job on the Evidence row
(outbox.LeasedJob): the upload queues it through the outbox (Evidence.queue_metadata); the task claims it
(queued, or running past its lease), runs under a lease, and ends it succeeded or failed with the reason.
A worker killed mid-job leaves it running until the sweeper fails it once the lease is over; the evidence
page then shows the reason and a 重试 button (`retry_metadata`). The task is idempotent (acks_late with
reject_on_worker_lost): a delivery for a job that is done, failed, or held by a live lease does nothing.
"""

import logging

from celery import shared_task
from django.db import transaction

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.outbox import leases
from wuding_enforcement.outbox.models import JobState

from .evidence import EvidenceRefused, extract_metadata, recording_refusal
from .models import METADATA_TASK, Evidence

logger = logging.getLogger(__name__)


def _claim_metadata(evidence_id: int) -> int | None:
    """Take the job for this run: queued, or running past its lease (its worker died). Returns the attempt
    this run owns, None when there is nothing to do (done, failed, or held by a live lease)."""
    with transaction.atomic():
        job = Evidence.objects.select_for_update().filter(pk=evidence_id).first()
        if job is None or job.job_state in (JobState.SUCCEEDED, JobState.FAILED):
            return None
        if job.job_state == JobState.RUNNING and not job.lease_expired:
            return None
        job.start()
        return job.job_attempts


def _finish_metadata(evidence_id: int, attempt: int, error: str = "") -> bool:
    """End this run's job, unless the sweeper failed it meanwhile (and a retry may be under way)."""
    with transaction.atomic():
        job = Evidence.objects.select_for_update().get(pk=evidence_id)
        if job.job_state != JobState.RUNNING or job.job_attempts != attempt:
            logger.warning(
                "evidence %s: metadata run %s lost its lease, its end is not recorded", evidence_id, attempt
            )
            return False
        if error:
            job.fail(error)
        else:
            job.succeed()
        return True


def run_metadata(evidence_id: int) -> dict:
    """Read the metadata and make the poster frame; never raises for a failed read (the reason is stored on
    the evidence, shown on its page, and in the audit log)."""
    attempt = _claim_metadata(evidence_id)
    evidence = Evidence.objects.select_related("case").filter(pk=evidence_id).first()
    if evidence is None:
        return {"evidence": evidence_id, "found": False}
    if attempt is not None:
        try:
            extract_metadata(evidence)
        except Exception as problem:  # noqa: BLE001 — a background job must leave a readable state behind
            logger.exception("reading the metadata of evidence %s failed", evidence_id)
            reason = f"读取元数据时发生错误（{type(problem).__name__}：{problem}），可以重试。"
            if _finish_metadata(evidence_id, attempt, reason):
                record(
                    "recording.evidence.metadata_failed",
                    obj=evidence.case,
                    actor=evidence.uploaded_by,
                    outcome=Outcome.FAILURE,
                    detail={"evidence": evidence_id, "error": reason},
                )
        else:
            _finish_metadata(evidence_id, attempt)
        evidence.refresh_from_db()
    return {
        "evidence": evidence_id,
        "found": True,
        "probed": bool((evidence.metadata or {}).get("probed")),
        "state": evidence.job_state,
    }


@shared_task(name=METADATA_TASK, acks_late=True, reject_on_worker_lost=True)
def extract_evidence_metadata(evidence_id: int) -> dict:
    """ffprobe metadata and a poster frame for a newly uploaded item (after the upload completed, so a
    slow or missing ffprobe never holds the upload up)."""
    return run_metadata(evidence_id)


def retry_metadata(evidence: Evidence, *, by) -> None:
    """The 重试 button of a failed metadata job: for those who may record on the case (its officers and the
    unit head; nobody once it is archived). Queued again through the outbox and audited (ops.job.retried)."""
    refusal = recording_refusal(evidence.case, by)
    if refusal:
        raise EvidenceRefused(refusal, status=403)
    if not leases.retry(evidence, by=by):
        raise EvidenceRefused("该音像记录的元数据没有失败的读取任务，无须重试。", status=409)


@shared_task
def clean_stale_uploads() -> dict:
    """Abort resumable uploads with no activity for UPLOAD_STALE_HOURS and remove their partial files."""
    from .evidence import clean_stale_uploads as clean

    return {"aborted": clean()}


@shared_task
def verify_integrity() -> dict:
    """Re-hash every stored evidence file, issued PDF and case-file PDF; report problems to the audit log
    and the records keepers."""
    from .integrity import verify_and_report

    report = verify_and_report(source="task")
    return {"checked": report.checked, "problems": [p.as_detail() for p in report.problems]}
