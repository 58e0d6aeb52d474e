"""Background work of legal review: issuing a decision document outside a request (a script or a batch; the
pages issue in the request — rendering takes about 0.3 s — and never wait on a task, docs/architecture.md
"Tasks") and the daily count of review rounds due soon or overdue for the reviewers' reminders."""

from celery import shared_task
from django.utils import timezone

from wuding_enforcement.cases.workflow import TransitionRefused


@shared_task(acks_late=True, reject_on_worker_lost=True)
def issue_decision(document_id: int, user_id: int) -> dict:
    """Issue a decision document through Document.issue, so the review gate applies here as on every path.
    Returns {"ok": bool, "number" | "problems"}."""
    from recording.models import Document
    from wuding_enforcement.roster.models import Staff

    document = Document.objects.select_related("case").get(pk=document_id)
    user = Staff.objects.get(pk=user_id)
    try:
        document.issue(by=user)
    except TransitionRefused as refused:
        return {"ok": False, "problems": refused.messages}
    return {"ok": True, "number": document.number}


@shared_task
def review_reminders(today: str | None = None) -> dict:
    """Open rounds overdue or due within three working days, per reviewer (shown on the queue; a mail
    channel can hang off this)."""
    import datetime

    from wuding_enforcement.cases import calendar

    from .models import ReviewRound

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    overdue, soon = [], []
    for review_round in ReviewRound.objects.open().select_related("reviewer"):
        if day > review_round.due_on:
            overdue.append(review_round.pk)
        elif calendar.working_days_between(day, review_round.due_on) <= 3:
            soon.append(review_round.pk)
    return {"date": day.isoformat(), "overdue": overdue, "soon": soon}
