"""Redis may fail. A private redis-server on a spare port (never the shared one) serves as the cache and the
broker; it is killed mid-test; the public pages, the staff list and signing in still work (the cache fails
open, sessions live in the database), and a task enqueued meanwhile waits in the outbox until Redis is back.
"""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.db import transaction

from tests.conftest import PASSWORD
from wuding_enforcement.celery import app
from wuding_enforcement.outbox import api
from wuding_enforcement.outbox.models import MessageState
from wuding_enforcement.settings import _redis_cache

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
]


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self, tmp_path):
        self.port = _spare_port()
        self.dir = tmp_path
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def redis(tmp_path, settings):
    server = PrivateRedis(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    # The cache exactly as the portal configures it for a REDIS_URL.
    settings.CACHES = {"default": _redis_cache(server.url)}
    caches["default"].set("probe", 1)
    assert caches["default"].get("probe") == 1  # the cache really is this Redis
    try:
        yield server
    finally:
        server.kill()
        caches["default"].close()


PUBLIC = ["/", "/publications/", "/personnel/", "/powers/"]


def test_public_pages_work_with_redis_up_and_after_it_is_killed(client, redis, units):
    for url in PUBLIC:
        assert client.get(url).status_code == 200, url
    redis.kill()
    started = time.monotonic()
    for url in PUBLIC:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    assert time.monotonic() - started < 10  # misses cost a refused connection, not a timeout per request


def test_signing_in_and_the_staff_list_work_with_redis_down(client, redis, officer):
    redis.kill()
    response = client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    officer.refresh_from_db()
    assert officer.last_login is not None  # saving last_login renews cached pages: still no 500
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/cases/").status_code == 200


def test_a_task_enqueued_while_the_broker_is_down_waits_and_goes_once_it_is_back(
    redis, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    old_broker = app.conf.get("broker_write_url")

    def use_broker(url):
        # Publishing uses broker_write_url (CELERY_BROKER_URL in the environment overrides broker_url itself);
        # the app's connection and producer pools were built for the previous broker: start them afresh.
        app.conf.broker_write_url = url
        app._pool = None
        app.amqp._producer_pool = None

    use_broker(redis.url)
    try:
        redis.kill()
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            message = api.enqueue("tests.ops.note", "断线")
        assert time.monotonic() - started < 10  # no 20 s of kombu retries inside the request
        message.refresh_from_db()
        assert message.state == MessageState.PENDING and message.last_error

        redis.start()
        message.available_at = message.created_at
        message.save(update_fields=["available_at"])
        api.drain()
        message.refresh_from_db()
        assert message.state == MessageState.SENT
        import redis as redis_client

        queued = redis_client.Redis.from_url(redis.url).llen("celery")
        assert queued == 1
    finally:
        use_broker(old_broker)


def test_with_the_broker_down_one_refusal_holds_back_the_whole_batch_without_spending_its_attempts(
    redis, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    old_broker = app.conf.get("broker_write_url")
    app.conf.broker_write_url = redis.url
    try:
        redis.kill()
        with transaction.atomic():
            first = api.enqueue("tests.ops.note", "一")
            others = [api.enqueue("tests.ops.note", str(n)) for n in range(3)]
        # (no on-commit dispatch here: the drain is what is tested)
        started = time.monotonic()
        sent, failed = api.dispatch()
        assert (sent, failed) == (0, 4)
        assert time.monotonic() - started < 10  # one connect timeout, not one per message
        first.refresh_from_db()
        assert first.attempts == 1 and first.last_error
        for message in others:
            message.refresh_from_db()
            assert message.state == MessageState.PENDING and message.attempts == 0 and not message.last_error
    finally:
        app.conf.broker_write_url = old_broker


@pytest.fixture
def broker_is_the_private_redis(redis, settings):
    """The broker is the private Redis too (as in production, where one Redis serves both)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    old_broker = app.conf.get("broker_write_url")
    app.conf.broker_write_url = redis.url
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield redis
    finally:
        app.conf.broker_write_url = old_broker
        app._pool = None
        app.amqp._producer_pool = None


def test_issuing_a_document_works_with_redis_down(
    client, broker_is_the_private_redis, settings, tmp_path, make_case, unit_head, bureau_head, officer,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    import time_machine
    from django.urls import reverse

    from recording.models import DocumentStatus
    from tests.conftest import file_case, login_as
    from tests.recording.early_factories import NOW, draft, valid_input

    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW):
        case = file_case(make_case(), unit_head, bureau_head, officer)
        document = draft(case, "inquiry_notice", valid_input("inquiry_notice", case)[0], by=officer)
        login_as(client, officer)
        broker_is_the_private_redis.kill()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("recording:document_issue", args=[case.pk, document.pk]), follow=True
            )
        assert response.status_code == 200
        document.refresh_from_db()
        assert document.status == DocumentStatus.ISSUED and document.pdf_sha256
        assert "已签发" in response.content.decode()
        # Its page (cached parts included) still answers.
        assert (
            client.get(reverse("recording:document_detail", args=[case.pk, document.pk])).status_code == 200
        )


def test_asking_for_the_case_file_with_redis_down_queues_it_in_the_outbox(
    client, broker_is_the_private_redis, settings, tmp_path, make_case, unit_head, bureau_head, officer,
    records_keeper, django_capture_on_commit_callbacks,
):  # fmt: skip
    """Reported: 组卷 committed a "building" row with no task queued. Now the task waits in the outbox."""
    import time_machine
    from django.urls import reverse

    from recording.models import CaseFile, CaseFileStatus
    from tests.conftest import file_case, login_as
    from tests.recording.test_archive import NOW, close
    from wuding_enforcement.outbox.models import JobState, OutboxMessage

    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW):
        case = close(
            file_case(make_case(), unit_head, bureau_head, officer),
            officer=officer,
            unit_head=unit_head,
            bureau_head=bureau_head,
        )
        login_as(client, records_keeper)
        broker_is_the_private_redis.kill()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("recording:casefile_start", args=[case.pk]), follow=True)
        assert response.status_code == 200
    case_file = CaseFile.objects.get(case=case)
    assert case_file.status == CaseFileStatus.BUILDING and case_file.job_state == JobState.QUEUED
    message = OutboxMessage.objects.get(task="recording.tasks_archive.build_case_file")
    assert message.args == [case_file.pk]
    assert message.state == MessageState.PENDING and message.last_error
