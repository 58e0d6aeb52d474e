"""Enqueue a task durably: `enqueue("app.tasks.name", *args, **kwargs)` inside the transaction of the change.

The row commits with the change or not at all. After commit it is handed over at once (`dispatch`): to the
broker when one is configured, or run in-process when none is (development: CELERY_TASK_ALWAYS_EAGER). A
broker error at that moment is logged and the row waits; `drain()` (beat, every minute; `manage.py
drain_outbox`) retries due rows with exponential backoff, and gives up after MAX_ATTEMPTS (the 运行状态 page
shows such rows with a retry button). Tasks run this way must be idempotent: a message may be delivered
twice (acks_late redelivers after a worker is lost).
"""

import datetime
import logging
from contextlib import ExitStack

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from wuding_enforcement.shared import storedfiles

from .models import MessageState, OutboxMessage

logger = logging.getLogger("wuding.outbox")

MAX_ATTEMPTS = 12
BASE_DELAY = datetime.timedelta(seconds=30)
MAX_DELAY = datetime.timedelta(hours=1)
# A row claimed for sending by a process that then died is handed back after this long.
CLAIM_LEASE = datetime.timedelta(minutes=10)
# Sent rows are kept this long for the record of what was queued, then removed by the drain.
KEEP_SENT = datetime.timedelta(days=30)


def _task_name(task) -> str:
    return task if isinstance(task, str) else task.name


def backoff(attempts: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min, 4 min ... at most an hour between attempts."""
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def enqueue(task, *args, dedupe_key: str = "", **kwargs) -> OutboxMessage:
    """Record the intent to run `task(*args, **kwargs)` in the current transaction; hand it over after commit.

    With a `dedupe_key`, a message still waiting under the same key is returned instead of a second one.
    """
    name = _task_name(task)
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                task=name, args=list(args), kwargs=kwargs, dedupe_key=dedupe_key
            )
    except IntegrityError:
        if not dedupe_key:
            raise
        message = OutboxMessage.objects.get(
            dedupe_key=dedupe_key, state__in=[MessageState.PENDING, MessageState.SENDING]
        )
    # A message already waiting under the key is tried again too (when due): the user asked again.
    transaction.on_commit(lambda: dispatch([message.pk]))
    return message


def _claim(ids=None, limit: int = 100) -> list[OutboxMessage]:
    now = timezone.now()
    with transaction.atomic():
        # Rows claimed by a process that died mid-send go back to the queue.
        stale = OutboxMessage.objects.filter(state=MessageState.SENDING, claimed_at__lt=now - CLAIM_LEASE)
        for message in stale.select_for_update(skip_locked=True):
            logger.warning(
                "outbox message %s (%s) was claimed and never sent: back to pending", message.pk, message.task
            )
            message.state = MessageState.PENDING
            message.save(update_fields=["state"])
        due = OutboxMessage.objects.filter(state=MessageState.PENDING, available_at__lte=now)
        if ids is not None:
            due = due.filter(pk__in=ids)
        batch = list(due.select_for_update(skip_locked=True).order_by("available_at", "pk")[:limit])
        for message in batch:
            message.state = MessageState.SENDING
            message.claimed_at = now
            message.attempts += 1
            message.save(update_fields=["state", "claimed_at", "attempts"])
    return batch


def _hand_over(message: OutboxMessage, connection=None) -> MessageState:
    from wuding_enforcement.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker (development): run the job here, after the commit that queued it.
        if message.task not in app.tasks:
            # A web process has imported only the task modules its views use; the worker imports every app's
            # tasks at start (autodiscovery). Do the same here before looking the task up.
            app.loader.import_default_modules()
        # (Run from the commit hook of the transaction that queued it: that transaction's staged files are
        # kept by hooks still to run, so the task's end must not take them for rolled back.)
        with storedfiles.deferred():
            app.tasks[message.task].apply(args=message.args, kwargs=message.kwargs, throw=True)
        return MessageState.DONE
    # One publish attempt, no kombu retry loop: a broker that is down costs one connect timeout here and the
    # row waits for the drain, instead of holding a request for ~20 s of retries (docs/stack.md trap 21).
    app.send_task(
        message.task,
        args=message.args,
        kwargs=message.kwargs,
        retry=False,
        headers={"outbox_id": message.pk},
        connection=connection,
    )
    return MessageState.SENT


def _send(message: OutboxMessage, connection=None) -> bool:
    try:
        outcome = _hand_over(message, connection)
    except Exception as exc:  # any broker or task error: the row records it and waits; never raised further
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.state = MessageState.FAILED
            logger.error(
                "outbox message %s (%s) failed %s times, giving up: %s",
                message.pk,
                message.task,
                message.attempts,
                message.last_error,
            )
        else:
            message.state = MessageState.PENDING
            message.available_at = timezone.now() + backoff(message.attempts)
            logger.warning(
                "outbox message %s (%s) not handed over (attempt %s), retry at %s: %s",
                message.pk,
                message.task,
                message.attempts,
                message.available_at.isoformat(),
                message.last_error,
            )
        message.save(update_fields=["state", "available_at", "last_error"])
        return False
    message.state = outcome
    message.sent_at = timezone.now()
    message.last_error = ""
    message.save(update_fields=["state", "sent_at", "last_error"])
    return True


def dispatch(ids=None, limit: int = 100) -> tuple[int, int]:
    """Hand over due messages (the given ones, or any); returns (handed over, still waiting or failed)."""
    sent = failed = 0
    batch = _claim(ids, limit)
    if not batch:
        return sent, failed
    with ExitStack() as stack:
        connection = None
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            from wuding_enforcement.celery import app

            # A connection of its own for the batch, never one from the pool: after the broker was down and came
            # back, a pooled connection may still be the dead one, and every attempt would fail on it.
            connection = stack.enter_context(app.connection_for_write())
        for position, message in enumerate(batch):
            if _send(message, connection):
                sent += 1
                continue
            failed += 1
            if connection is not None:
                # The broker refused one: the rest of the batch waits for the next drain untouched, instead of
                # each costing a connect timeout now.
                _give_back(batch[position + 1 :])
                failed += len(batch) - position - 1
                break
    return sent, failed


def _give_back(messages: list[OutboxMessage]) -> None:
    for message in messages:
        message.state = MessageState.PENDING
        message.attempts -= 1
        message.save(update_fields=["state", "attempts"])


def drain(limit: int = 500) -> dict:
    """The beat job: hand over every due message, then forget sent ones older than KEEP_SENT."""
    sent, failed = dispatch(limit=limit)
    cutoff = timezone.now() - KEEP_SENT
    removed, _ = OutboxMessage.objects.filter(
        state__in=[MessageState.SENT, MessageState.DONE], sent_at__lt=cutoff
    ).delete()
    return {"sent": sent, "failed": failed, "removed": removed, "waiting": waiting().count()}


def waiting():
    """Messages not yet handed over (the outbox length on the 运行状态 page and in /readyz)."""
    return OutboxMessage.objects.filter(state__in=[MessageState.PENDING, MessageState.SENDING])


def retry_failed(message: OutboxMessage) -> None:
    """An operator's retry of a message that gave up: it waits again, from attempt 0."""
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.state != MessageState.FAILED:
            return
        locked.state = MessageState.PENDING
        locked.attempts = 0
        locked.available_at = timezone.now()
        locked.save(update_fields=["state", "attempts", "available_at"])
        transaction.on_commit(lambda: dispatch([locked.pk]))
