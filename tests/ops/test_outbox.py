"""The durable outbox: the intent to run a task commits with the change, is handed over after commit, waits
through a broker outage without the request seeing it, and is retried with backoff by the drain."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from tests.ops.tasks_for_tests import note
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.celery import app
from wuding_enforcement.outbox import api
from wuding_enforcement.outbox.models import MessageState, OutboxMessage

pytestmark = pytest.mark.django_db


def _ran(value) -> bool:
    return AuditEvent.objects.filter(action="test.outbox.ran", detail__value=value).exists()


def test_the_intent_commits_with_the_change_and_runs_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = api.enqueue(note, "甲")
        assert not _ran("甲")  # nothing runs before the commit
    message.refresh_from_db()
    assert message.state == MessageState.DONE  # no broker configured: run in-process after commit
    assert _ran("甲")


def test_a_rolled_back_change_leaves_no_intent(django_capture_on_commit_callbacks):
    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Abort), transaction.atomic():
        api.enqueue(note, "乙")
        raise Abort
    assert not OutboxMessage.objects.exists()
    assert not _ran("乙")


@pytest.fixture
def broker(settings, monkeypatch):
    """A configured broker whose publishing we control: `down` makes every publish fail like Redis refusing."""
    settings.CELERY_TASK_ALWAYS_EAGER = False

    class Broker:
        down = False
        published: list = []

        def send_task(self, name, args=None, kwargs=None, **options):
            if self.down:
                raise BrokerDown("Error 111 connecting to 127.0.0.1:6399. Connection refused.")
            options.pop(
                "connection", None
            )  # a connection of the batch (api.dispatch), not part of the message
            self.published.append((name, args, kwargs, options))

    fake = Broker()
    fake.published = []
    monkeypatch.setattr(app, "send_task", fake.send_task)
    return fake


def test_a_broker_outage_at_enqueue_never_reaches_the_request_and_the_row_waits(
    broker, django_capture_on_commit_callbacks
):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = api.enqueue(note, "丙")  # no exception here or at commit
    message.refresh_from_db()
    assert message.state == MessageState.PENDING
    assert message.attempts == 1
    assert "Connection refused" in message.last_error
    assert message.available_at > timezone.now()  # backoff before the next attempt


def test_the_drain_hands_waiting_rows_over_once_the_broker_is_back(
    broker, django_capture_on_commit_callbacks
):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        message = api.enqueue(note, "丁")
    broker.down = False
    call_command("drain_outbox")  # not yet due: the backoff holds it
    assert OutboxMessage.objects.get(pk=message.pk).state == MessageState.PENDING
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        call_command("drain_outbox")
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert broker.published == [
        ("tests.ops.note", ["丁"], {}, {"retry": False, "headers": {"outbox_id": message.pk}})
    ]


def test_backoff_doubles_up_to_an_hour():
    assert [api.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert api.backoff(30) == datetime.timedelta(hours=1)


def test_a_message_that_keeps_failing_gives_up_and_can_be_retried(broker, django_capture_on_commit_callbacks):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        message = api.enqueue(note, "戊")
    moment = timezone.now()
    for _ in range(api.MAX_ATTEMPTS):
        moment += api.MAX_DELAY + datetime.timedelta(seconds=1)
        with time_machine.travel(moment):
            api.drain()
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert message.attempts == api.MAX_ATTEMPTS

    broker.down = False
    with django_capture_on_commit_callbacks(execute=True):
        api.retry_failed(message)
    message.refresh_from_db()
    assert message.state == MessageState.SENT


def test_a_row_claimed_by_a_process_that_died_goes_back_to_the_queue(broker):
    message = OutboxMessage.objects.create(
        task="tests.ops.note", args=["己"], state=MessageState.SENDING, claimed_at=timezone.now(), attempts=1
    )
    api.drain()
    assert OutboxMessage.objects.get(pk=message.pk).state == MessageState.SENDING  # still within its claim
    with time_machine.travel(timezone.now() + api.CLAIM_LEASE + datetime.timedelta(minutes=1)):
        api.drain()
    assert OutboxMessage.objects.get(pk=message.pk).state == MessageState.SENT


def test_one_waiting_message_per_dedupe_key(broker, django_capture_on_commit_callbacks):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        first = api.enqueue(note, "庚", dedupe_key="casefile:1")
        second = api.enqueue(note, "庚", dedupe_key="casefile:1")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


def test_a_failing_task_in_process_is_recorded_and_retried_not_raised(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = api.enqueue("tests.ops.boom")
    message.refresh_from_db()
    assert message.state == MessageState.PENDING
    assert "测试任务故意失败" in message.last_error


def test_sent_rows_are_forgotten_after_thirty_days(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.enqueue(note, "辛")
    with time_machine.travel(timezone.now() + api.KEEP_SENT + datetime.timedelta(days=1)):
        result = api.drain()
    assert result["removed"] == 1
    assert not OutboxMessage.objects.exists()


def test_run_in_process_a_task_whose_module_no_view_has_imported_is_found(
    monkeypatch, django_capture_on_commit_callbacks
):
    import sys

    import disclosure.tasks  # noqa: F401 - registers the task, whose object is put back after the test
    from wuding_enforcement.celery import app

    name = "disclosure.tasks.record_publication_expiries"
    # As in a fresh web process: the tasks module never imported, its tasks not registered yet.
    module_tasks = {key: app.tasks.pop(key) for key in list(app.tasks) if key.startswith("disclosure.tasks.")}
    monkeypatch.delitem(sys.modules, "disclosure.tasks")
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            message = api.enqueue(name)
        message.refresh_from_db()
        assert message.state == MessageState.DONE, message.last_error
    finally:
        app.tasks.update(module_tasks)
