"""The admin-only 运行状态 page: dependencies, the outbox, the last anchor and its age, the last run of each
nightly task, stuck and failed jobs with a retry button, disk use."""

import datetime

import pytest
from django.utils import timezone

from tests.conftest import login_as
from wuding_enforcement.audit import chain
from wuding_enforcement.audit.api import record
from wuding_enforcement.outbox.models import Job, JobState, MessageState, OutboxMessage

pytestmark = pytest.mark.django_db
URL = "/staff/ops/"


def test_only_admins_see_the_status_page(client, officer):
    login_as(client, officer)
    assert client.get(URL).status_code == 403


def test_the_status_page_shows_what_an_operator_needs(client, admin_user, settings, tmp_path):
    settings.AUDIT_ANCHOR_DIR = tmp_path
    record("test.event")
    chain.anchor_head()
    Job.objects.create(
        name="wuding_enforcement.ops.tasks.verify_audit_chain",
        job_state=JobState.FAILED,
        job_error="任务出错：测试",
        job_finished_at=timezone.now(),
    )
    OutboxMessage.objects.create(
        task="recording.tasks.build_case_file", state=MessageState.FAILED, attempts=12
    )
    login_as(client, admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "各项依赖",
        "任务队列",
        "审计链锚点",
        "定时任务最近一次运行",
        "卡住和失败的任务",
        "磁盘空间",
    ):
        assert text in page
    assert "ops-verify-audit-nightly" in page and "任务出错：测试" in page
    assert "recording.tasks.build_case_file" in page
    assert response["Cache-Control"] == "private, no-store"


def test_the_status_page_costs_a_fixed_number_of_queries(client, admin_user, django_assert_max_num_queries):
    login_as(client, admin_user)
    client.get(URL)
    for i in range(5):
        Job.objects.create(name=f"t{i}", job_state=JobState.FAILED, job_finished_at=timezone.now())
    # Session, user, roles and the OTP device, the readiness probes, then one query per part of the page and
    # one per tracked task (a fixed list from settings): never one per job or message.
    with django_assert_max_num_queries(45):
        assert client.get(URL).status_code == 200


def test_a_failed_job_is_retried_from_the_page(
    client, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.TRACKED_TASKS = ["tests.ops.note"]
    import tests.ops.tasks_for_tests  # noqa: F401  (registers the task)

    job = Job.objects.create(
        name="tests.ops.note", args=["重试"], job_state=JobState.FAILED, job_finished_at=timezone.now()
    )
    login_as(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/ops/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.job_state == JobState.QUEUED
    assert Job.objects.filter(name="tests.ops.note", job_state=JobState.SUCCEEDED).exists()


def test_an_old_anchor_shows_as_late(client, admin_user, settings, tmp_path):
    import time_machine

    settings.AUDIT_ANCHOR_DIR = tmp_path
    record("test.event")
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=5)):
        chain.anchor_head()
    login_as(client, admin_user)
    assert "超过 2 小时未锚定" in client.get(URL).content.decode()


def test_failed_and_overdue_long_jobs_of_the_systems_are_counted(client, admin_user, make_case, officer):
    from recording.models import CaseFile, CaseFileStatus

    CaseFile.objects.create(
        case=make_case(),
        requested_by=officer,
        status=CaseFileStatus.FAILED,
        job_state=JobState.FAILED,
        job_error="任务自 2026-11-25 10:00 开始运行，超过租期仍未结束。可以重试。",
        job_finished_at=timezone.now(),
    )
    CaseFile.objects.create(
        case=make_case(title="另一案"),
        requested_by=officer,
        status=CaseFileStatus.BUILDING,
        job_state=JobState.RUNNING,
        lease_until=timezone.now() - datetime.timedelta(minutes=1),
    )
    login_as(client, admin_user)
    page = client.get(URL).content.decode()
    assert "各系统的长任务" in page and "案卷" in page and "超过租期仍未结束" in page
