"""The durable outbox and the leased jobs (docs/architecture.md, "Tasks").

- `OutboxMessage`: the intent to run a Celery task, inserted in the same transaction as the change that
  needs it. It is handed to the broker after commit; if the broker is down the row waits and the drain
  (a beat job every minute, and `manage.py drain_outbox`) retries with backoff. Nothing in a request waits
  on the broker or sees its failure.
- `LeasedJob`: the state of a long job (queued → running → succeeded / failed). "Running" carries a lease;
  the sweeper turns a job still running past its lease into "failed" with the reason, and `retry()` queues
  it again. `Job` is the concrete one the portal's periodic tasks use; a system's own long job (组卷, media
  metadata, notices) inherits the mixin on its own model and registers it with the sweeper (leases.py).
- `Heartbeat`: the last time the worker ran the heartbeat task (readiness, 运行状态).
"""

import datetime

from django.db import models
from django.utils import timezone


class MessageState(models.TextChoices):
    PENDING = "pending", "等待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已交给任务队列"
    DONE = "done", "已在进程内执行"
    FAILED = "failed", "多次发送失败，已停止重试"


class OutboxMessage(models.Model):
    task = models.CharField("任务", max_length=200)
    args = models.JSONField("位置参数", default=list, blank=True)
    kwargs = models.JSONField("关键字参数", default=dict, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=MessageState.choices, default=MessageState.PENDING
    )
    # Optional: at most one waiting message per key (e.g. "recording.casefile:42"), so a double click or a
    # retry of the same intent does not queue the job twice.
    dedupe_key = models.CharField("去重键", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    available_at = models.DateTimeField("下次尝试时间", default=timezone.now)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近一次错误", blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "待发送任务"
        verbose_name_plural = "待发送任务"
        indexes = [
            # Serves the drain: "waiting messages that are due, oldest first", and the outbox length.
            models.Index(fields=["state", "available_at"], name="outbox_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(state__in=["pending", "sending"]) & ~models.Q(dedupe_key=""),
                name="outbox_one_waiting_message_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}（{self.get_state_display()}）"


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败（可重试）"


class LeasedJob(models.Model):
    """A long job's state with a lease. Subclasses say how to run it again (`retry_task()`) and may mirror a
    failure or a requeue onto their own state (`on_fail`, `on_requeue`).

    Both waiting states carry a lease: a job "queued" whose message never reached a worker (the broker was
    down longer than the outbox retries) and a job "running" whose worker died are both moved to "failed"
    by the sweeper once their lease is over, so no job waits for ever."""

    DEFAULT_LEASE = datetime.timedelta(minutes=30)
    # Longer than the outbox's whole backoff (12 attempts, about 5.5 hours) and a night's broker outage.
    QUEUE_LEASE = datetime.timedelta(hours=12)

    job_state = models.CharField("任务状态", max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    lease_until = models.DateTimeField("租期至", null=True, blank=True)
    job_error = models.TextField("失败原因", blank=True)
    job_attempts = models.PositiveIntegerField("运行次数", default=0)
    job_started_at = models.DateTimeField("开始时间", null=True, blank=True)
    job_finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        abstract = True

    _JOB_FIELDS = [
        "job_state",
        "lease_until",
        "job_error",
        "job_attempts",
        "job_started_at",
        "job_finished_at",
    ]

    def queue(self, lease: datetime.timedelta | None = None) -> list[str]:
        """Mark the job waiting for a worker (its message is in the outbox); returns the fields changed, for
        the caller's save (it saves the row with the change that queued it)."""
        self.job_state = JobState.QUEUED
        self.lease_until = timezone.now() + (lease or self.QUEUE_LEASE)
        self.job_error = ""
        self.job_finished_at = None
        return ["job_state", "lease_until", "job_error", "job_finished_at"]

    def start(self, lease: datetime.timedelta | None = None) -> None:
        now = timezone.now()
        self.job_state = JobState.RUNNING
        self.job_started_at = now
        self.job_finished_at = None
        self.lease_until = now + (lease or self.DEFAULT_LEASE)
        self.job_error = ""
        self.job_attempts += 1
        self.save(update_fields=self._JOB_FIELDS)

    def renew(self, lease: datetime.timedelta | None = None) -> None:
        """A job that is still working pushes its lease forward (e.g. after each volume of a case file)."""
        self.lease_until = timezone.now() + (lease or self.DEFAULT_LEASE)
        self.save(update_fields=["lease_until"])

    def succeed(self) -> None:
        self.job_state = JobState.SUCCEEDED
        self.job_finished_at = timezone.now()
        self.lease_until = None
        self.job_error = ""
        self.save(update_fields=self._JOB_FIELDS)

    def fail(self, reason: str) -> None:
        self.job_state = JobState.FAILED
        self.job_finished_at = timezone.now()
        self.lease_until = None
        self.job_error = reason[:2000]
        mirrored = self.on_fail(self.job_error)
        self.save(update_fields=[*self._JOB_FIELDS, *mirrored])

    def requeue(self) -> None:
        """The retry of a failed job: queued again (leases.retry enqueues its task in the same transaction)."""
        fields = self.queue()
        fields += self.on_requeue()
        self.save(update_fields=fields)

    def on_fail(self, reason: str) -> list[str]:
        """A subclass mirrors a failure onto its own state here; returns the fields it changed."""
        return []

    def on_requeue(self) -> list[str]:
        """A subclass mirrors a retry onto its own state here; returns the fields it changed."""
        return []

    @property
    def lease_expired(self) -> bool:
        return (
            self.job_state in (JobState.QUEUED, JobState.RUNNING)
            and self.lease_until is not None
            and self.lease_until < timezone.now()
        )

    def retry_task(self) -> tuple[str, list, dict]:
        """(task name, args, kwargs) that runs this job again."""
        raise NotImplementedError

    def retry_dedupe_key(self) -> str:
        """At most one waiting outbox message per job: a double click on retry queues it once."""
        return f"{self._meta.label_lower}:{self.pk}"


class Job(LeasedJob):
    """One run of a tracked Celery task (the periodic tasks, see tracking.py)."""

    name = models.CharField("任务", max_length=200)
    celery_id = models.CharField("Celery 任务编号", max_length=64, unique=True, null=True, blank=True)
    args = models.JSONField("位置参数", default=list, blank=True)
    kwargs = models.JSONField("关键字参数", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "后台任务运行记录"
        verbose_name_plural = "后台任务运行记录"
        indexes = [
            # Serves "the last run of each task" on the 运行状态 page.
            models.Index(fields=["name", "-created_at"], name="outbox_job_last_run_idx"),
            # Serves the sweeper: running jobs whose lease is over.
            models.Index(fields=["job_state", "lease_until"], name="outbox_job_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_job_state_display()}）"

    def retry_task(self) -> tuple[str, list, dict]:
        return self.name, list(self.args), dict(self.kwargs)

    def requeue(self) -> None:
        # The retry runs as a new Celery task with a Job row of its own; this row only records that it was
        # retried, so it carries no lease for the sweeper.
        self.job_state = JobState.QUEUED
        self.save(update_fields=["job_state"])


class Heartbeat(models.Model):
    """The last sign of life of a process kind ("worker"): written by the heartbeat task, read by /readyz."""

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "心跳"
        verbose_name_plural = "心跳"

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
