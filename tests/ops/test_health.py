"""Health probes: /healthz answers 200 over plain HTTP with an IP Host even where every other request must be
HTTPS to an allowed host; /readyz names the failing parts with a 503."""

import datetime
import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from wuding_enforcement.ops import health
from wuding_enforcement.outbox.models import Heartbeat, OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_like(settings):
    """HTTPS only, one allowed host: what production runs with."""
    settings.ALLOWED_HOSTS = ["zwgk.wuding.example"]
    settings.SECURE_SSL_REDIRECT = True
    settings.DEBUG = False


def test_healthz_answers_a_load_balancer_probe_over_plain_http_with_an_ip_host(client, production_like):
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000", REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    # Every other request is still redirected to HTTPS or refused for its host.
    assert client.get("/", HTTP_HOST="zwgk.wuding.example").status_code == 301
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400


def test_healthz_touches_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200


def test_readyz_passes_when_every_part_works(client, settings):
    settings.DISK_MIN_FREE_BYTES = 0
    response = client.get("/readyz", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "redis", "broker", "worker", "outbox", "disk", "objectstore"}


def test_readyz_answers_a_loopback_probe_whatever_the_host_and_scheme(client, production_like, settings):
    settings.DISK_MIN_FREE_BYTES = 0
    assert client.get("/readyz", HTTP_HOST="127.0.0.1:8000", REMOTE_ADDR="127.0.0.1").status_code == 200


def test_readyz_says_nothing_to_the_internet(client):
    assert client.get("/readyz", REMOTE_ADDR="203.0.113.7").status_code == 404


def test_readyz_names_a_full_disk(client, settings):
    settings.DISK_MIN_FREE_BYTES = 10**18
    response = client.get("/readyz", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 503
    assert response.json()["failing"] == ["disk"]
    assert "空间不足" in response.json()["checks"]["disk"]["detail"]


def test_readyz_names_a_database_that_is_down(client, settings):
    settings.DISK_MIN_FREE_BYTES = 0
    with mock.patch.object(health, "_database", side_effect=OperationalError("connection refused")):
        response = client.get("/readyz", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 503
    assert "database" in response.json()["failing"]


def test_readyz_names_a_silent_worker_and_a_stuck_outbox(client, settings):
    settings.DISK_MIN_FREE_BYTES = 0
    settings.CELERY_TASK_ALWAYS_EAGER = False
    Heartbeat.objects.create(name="worker", at=timezone.now() - datetime.timedelta(minutes=10))
    OutboxMessage.objects.create(task="x", created_at=timezone.now() - datetime.timedelta(hours=1))
    with mock.patch.object(health, "_broker", return_value=(True, "可以连接")):
        response = client.get("/readyz", REMOTE_ADDR="127.0.0.1")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["failing"] == ["worker", "outbox"]
    assert "600 秒前" in body["checks"]["worker"]["detail"] or "秒前" in body["checks"]["worker"]["detail"]


def test_a_fresh_heartbeat_counts_as_a_live_worker(client, settings):
    settings.DISK_MIN_FREE_BYTES = 0
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from wuding_enforcement.outbox.tasks import heartbeat

    heartbeat()
    with mock.patch.object(health, "_broker", return_value=(True, "可以连接")):
        response = client.get("/readyz", REMOTE_ADDR="127.0.0.1")
    assert response.json()["checks"]["worker"]["ok"] is True
