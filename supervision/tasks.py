from celery import shared_task

from .reminders import scan


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_reminders():
    """The daily reminder scan and its e-mail: a tracked leased job like every task of the beat schedule (a run
    whose worker died is failed by the sweeper with the reason, retried from the 运行状态 page through the
    outbox); idempotent (one notification per person and threshold, e-mail marked when sent), so a run the
    broker delivers again after a lost worker sends nothing twice."""
    result = scan()
    return {"created": result.created, "emailed": result.emailed, "cases": result.cases}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def check_record_facts():
    """Nightly, after the deadline table's rebuild: the statistics' stored facts compared with the computed
    ones (records_store.check) and rebuilt when they differ (a write that bypassed the save signals).
    Idempotent."""
    from .records_store import check_and_repair

    return check_and_repair()
