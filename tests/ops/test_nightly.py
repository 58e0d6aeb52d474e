"""The nightly tasks of operations: verify_audit with an alert, sessions and login records cleaned."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.ops import tasks
from wuding_enforcement.outbox.models import Job, JobState

pytestmark = pytest.mark.django_db


def test_a_nightly_verification_that_passes_is_recorded(settings, tmp_path):
    settings.AUDIT_ANCHOR_DIR = tmp_path
    record("test.event")
    assert tasks.verify_audit_chain.apply().get()["ok"]
    assert AuditEvent.objects.filter(action="audit.chain.verified").exists()
    assert not mail.outbox
    assert (
        Job.objects.get(name="wuding_enforcement.ops.tasks.verify_audit_chain").job_state
        == JobState.SUCCEEDED
    )


def test_a_broken_chain_alerts_the_admins_by_mail_and_in_the_audit_log(settings, tmp_path, admin_user):
    settings.AUDIT_ANCHOR_DIR = tmp_path
    settings.ADMINS = [("运维值班", "ops@wuding.example")]
    admin_user.email = "zheng@wuding.example"
    admin_user.save()
    event = record("test.event")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'forged' WHERE seq = %s", [event.seq])

    result = tasks.verify_audit_chain.apply().get()

    assert not result["ok"]
    failure = AuditEvent.objects.get(action="audit.chain.verify_failed")
    assert failure.outcome == "failure" and f"第 {event.seq} 条" in failure.detail["message"]
    (message,) = mail.outbox
    assert message.subject == "【行政执法平台告警】审计日志校验失败"
    assert set(message.to) == {"ops@wuding.example", "zheng@wuding.example"}
    assert f"第 {event.seq} 条" in message.body


def test_verify_audit_runs_every_night(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["ops-verify-audit-nightly"]
    assert entry["task"] == "wuding_enforcement.ops.tasks.verify_audit_chain"


def test_expired_sessions_go_and_login_records_stay_six_months(settings):
    now = timezone.now()
    Session.objects.create(
        session_key="expired", session_data="x", expire_date=now - datetime.timedelta(days=1)
    )
    Session.objects.create(
        session_key="current", session_data="x", expire_date=now + datetime.timedelta(hours=1)
    )
    old = now - datetime.timedelta(days=settings.LOGIN_RECORDS_KEEP_DAYS + 1)
    recent = now - datetime.timedelta(days=settings.LOGIN_RECORDS_KEEP_DAYS - 1)
    for when, who in ((old, "old"), (recent, "recent")):
        with time_machine.travel(when):
            AccessLog.objects.create(username=who, ip_address="10.0.0.1", user_agent="x", attempt_time=when)
            AccessAttempt.objects.create(
                username=who, ip_address="10.0.0.1", user_agent="x", failures_since_start=1, attempt_time=when
            )

    tasks.clean_sessions_and_login_records.apply().get()

    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["recent"]
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["recent"]


def test_login_records_may_not_be_kept_less_than_six_months(run_settings):
    result = run_settings(LOGIN_RECORDS_KEEP_DAYS="90")
    assert result.returncode != 0 and "at least 183" in result.stderr


@pytest.fixture
def run_settings(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    def runner(**env):
        return subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            cwd=Path(__file__).resolve().parents[2],
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "VAR_DIR": str(tmp_path / "var"),
                 "DJANGO_SETTINGS_MODULE": "wuding_enforcement.settings", **env},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    return runner
