"""Background work of the recording system, run by the Celery worker (or in-process when no broker is set)."""

from celery import shared_task

from .models import Evidence


@shared_task(acks_late=True, reject_on_worker_lost=True)
def extract_evidence_metadata(evidence_id: int) -> dict:
    """ffprobe metadata and a poster frame for a newly uploaded item (after the upload completed, so a
    slow or missing ffprobe never holds the upload up)."""
    from .evidence import extract_metadata

    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None:
        return {"evidence": evidence_id, "found": False}
    if evidence.metadata:
        # Delivered twice (the outbox or acks_late): the first run's metadata and poster frame stand.
        return {"evidence": evidence_id, "found": True, "probed": bool(evidence.metadata.get("probed"))}
    extract_metadata(evidence)
    return {"evidence": evidence_id, "found": True, "probed": bool(evidence.metadata.get("probed"))}


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
