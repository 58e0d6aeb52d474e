"""An evidence upload with Redis down: every chunk is answered, the last one completes the upload at once (no
20 s of broker retries, no 500), and the metadata task waits in the outbox until the broker is back.

Before: the last chunk answered 500 after 19 s although the evidence row was stored, and its metadata task
never ran. A private redis-server on a spare port serves as cache and broker (never the shared one).
"""

import hashlib
import os
import shutil
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from recording.models import Evidence
from tests.conftest import login_as
from tests.ops.test_redis_down import PrivateRedis
from wuding_enforcement.celery import app
from wuding_enforcement.outbox import api
from wuding_enforcement.outbox.models import MessageState, OutboxMessage
from wuding_enforcement.settings import _redis_cache

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
]

DATA = b"\xff\xd8\xff" + os.urandom(30_000)
METADATA_TASK = "recording.tasks.extract_evidence_metadata"


@pytest.fixture
def redis(tmp_path, settings):
    server = PrivateRedis(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    settings.CACHES = {"default": _redis_cache(server.url)}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Celery reads its own copy of the setting: once an earlier test in this process has loaded the app's
    # configuration, send_task would warn (AlwaysEagerIgnored, an error here) unless the app is told too.
    old_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    old_broker = app.conf.get("broker_write_url")

    def use_broker(url):
        app.conf.broker_write_url = url
        app._pool = None
        app.amqp._producer_pool = None

    use_broker(server.url)
    try:
        yield server
    finally:
        server.kill()
        use_broker(old_broker)
        app.conf.task_always_eager = old_eager
        caches["default"].close()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_upload_completes_with_redis_down_and_its_metadata_task_waits_in_the_outbox(
    client, redis, officer, make_case, django_capture_on_commit_callbacks
):
    case = make_case()
    login_as(client, officer)
    redis.kill()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        begun = client.post(
            reverse("recording:upload_start", args=[case.pk]),
            {"title": "现场照片", "classification": "general", "name": "a.jpg", "size": str(len(DATA))},
            HTTP_ACCEPT="application/json",
        )
        assert begun.status_code == 201, begun.content.decode()
        url = begun.json()["url"]
        for offset in range(0, len(DATA), 10_000):
            answer = client.generic(
                "PATCH",
                url,
                data=DATA[offset : offset + 10_000],
                content_type="application/offset+octet-stream",
                HTTP_UPLOAD_OFFSET=str(offset),
                HTTP_ACCEPT="application/json",
            )
            assert answer.status_code == 200, answer.content.decode()
    assert time.monotonic() - started < 10  # one refused connection, not kombu's 20 s of retries
    assert answer.json()["complete"] and answer.json()["sha256"] == hashlib.sha256(DATA).hexdigest()
    evidence = Evidence.objects.get()
    message = OutboxMessage.objects.get(task=METADATA_TASK)
    assert message.args == [evidence.pk]
    assert message.state == MessageState.PENDING and message.last_error

    redis.start()
    # The beat drains every minute; a loaded machine may refuse the first connect (2 s timeout): a few drains,
    # each one due at once, stand for the next minutes.
    for _ in range(3):
        message.available_at = message.created_at
        message.save(update_fields=["available_at"])
        api.drain()
        message.refresh_from_db()
        if message.state != MessageState.PENDING:
            break
    assert message.state == MessageState.SENT, message.last_error
