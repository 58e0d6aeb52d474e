"""No web request waits on the broker (issue 15, point 2): issuing a decision renders in the request; with
the broker pointed at a dead port it is still issued, and nothing in a request publishes a task or waits on
a task's result (the outbox hands over after commit with one attempt, docs/architecture.md "Tasks")."""

import pathlib
import re

import pytest
from celery.app.task import Task
from celery.result import AsyncResult
from django.urls import reverse

from recording.models import DocumentStatus
from tests.conftest import login_as
from tests.legal_review.conftest import build_case, frozen, power_item, proposal_document  # noqa: F401
from tests.legal_review.test_gate import approve
from wuding_enforcement.celery import app

pytestmark = pytest.mark.django_db

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ["wuding_enforcement", "recording", "legal_review", "disclosure", "inspection", "supervision"]


@pytest.fixture
def dead_broker(settings, monkeypatch):
    """A configured broker nobody listens on (port 9: connection refused at once)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setitem(app.conf, "broker_write_url", "redis://127.0.0.1:9/0")


@pytest.fixture
def no_waits(monkeypatch):
    """A request that publishes a task itself, or waits on a result, fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a request published a task or waited on a task's result")

    monkeypatch.setattr(AsyncResult, "get", refuse)
    monkeypatch.setattr(AsyncResult, "wait", refuse)
    monkeypatch.setattr(Task, "apply_async", refuse)
    monkeypatch.setattr(Task, "delay", refuse)


def test_the_decision_is_issued_in_the_request_with_the_broker_down(
    client,
    build_case,  # noqa: F811
    officer,
    reviewer,
    bureau_head,
    dead_broker,
    no_waits,
    django_capture_on_commit_callbacks,
):
    case = build_case()
    approve(case, officer, reviewer, bureau_head)
    draft = proposal_document(case)
    login_as(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("legal_review:issue_decision", args=[case.pk, draft.pk]), follow=True)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == DocumentStatus.ISSUED and draft.number.startswith("武市监处罚")
    assert f"已签发行政处罚决定书（{draft.number}）" in response.content.decode()


def _python_files(package: str):
    yield from (ROOT / package).rglob("*.py")


def test_no_request_path_publishes_a_task_or_waits_on_a_result():
    """Views publish nothing themselves (the outbox does, after commit) and nothing anywhere waits on a
    result: the patterns of the reported fault (`task.delay(...).get()`) are absent from the code."""
    waits = re.compile(r"\.(delay|apply_async)\([^)]*\)\s*\.(get|wait)\(|AsyncResult\(|\.join\(\s*timeout")
    publishes = re.compile(r"\.(delay|apply_async)\(|send_task\(")
    found = []
    for package in PACKAGES:
        for path in _python_files(package):
            text = path.read_text(encoding="utf-8")
            if waits.search(text):
                found.append(f"{path.relative_to(ROOT)}: waits on a task result")
            is_view = path.name.startswith("views") or "views" in path.parts
            if is_view and publishes.search(text):
                found.append(f"{path.relative_to(ROOT)}: a view publishes a task")
    assert found == []
