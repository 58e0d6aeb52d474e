"""What the 运行状态 page shows: readiness, the outbox, the audit anchors, the last run of each tracked
task, stuck and failed jobs, disk use, the database role. Each part is a fixed number of queries (the
tracked tasks are a fixed list from settings)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from wuding_enforcement.audit.chain import current_epoch
from wuding_enforcement.audit.models import AuditAnchor
from wuding_enforcement.outbox import leases
from wuding_enforcement.outbox.api import waiting
from wuding_enforcement.outbox.models import Job, JobState, MessageState, OutboxMessage
from wuding_enforcement.outbox.tracking import tracked_names

from .dbroles import app_role_problems
from .health import disk_usage, disk_volumes, readiness

# The hourly anchor is late when the newest one is older than this.
ANCHOR_MAX_AGE = datetime.timedelta(hours=2)
# A nightly task is late when its last run started longer ago than this.
NIGHTLY_MAX_AGE = datetime.timedelta(hours=26)
FAILED_SHOWN = 20


@dataclass
class TaskRow:
    name: str
    label: str
    last: Job | None
    late: bool


def age_text(delta: datetime.timedelta | None) -> str:
    """3 天 2 小时 / 2 小时 5 分钟 / 4 分钟 / 不到 1 分钟."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时"
    if hours:
        return f"{hours} 小时 {minutes} 分钟"
    return f"{minutes} 分钟" if minutes else "不到 1 分钟"


def _label(name: str) -> str:
    for key, entry in settings.CELERY_BEAT_SCHEDULE.items():
        if entry["task"] == name:
            return key
    return name


def task_rows(now) -> list[TaskRow]:
    rows = []
    for name in sorted(tracked_names()):
        last = Job.objects.filter(name=name).order_by("-created_at", "-pk").first()
        late = last is None or (last.job_started_at or last.created_at) < now - NIGHTLY_MAX_AGE
        rows.append(
            TaskRow(
                name, _label(name), last, late or (last is not None and last.job_state == JobState.FAILED)
            )
        )
    return rows


@dataclass
class LongJobRow:
    """The long jobs of one system (组卷 …): how many failed, how many are past their lease; retried where the
    system shows them (the case file's own page), not here."""

    label: str
    failed: int
    overdue: int
    latest_error: str


def long_job_rows(now: datetime.datetime) -> list[LongJobRow]:
    rows = []
    for model in leases.registered():
        if model is Job:
            continue
        failed = model._default_manager.filter(job_state=JobState.FAILED)
        latest = failed.order_by("-job_finished_at").values_list("job_error", flat=True).first()
        rows.append(
            LongJobRow(
                label=str(model._meta.verbose_name),
                failed=failed.count(),
                overdue=model._default_manager.filter(
                    job_state__in=leases.WAITING_STATES, lease_until__lt=now
                ).count(),
                latest_error=latest or "",
            )
        )
    return rows


def snapshot() -> dict:
    now = timezone.now()
    anchor = AuditAnchor.objects.order_by("-created_at", "-pk").first()
    anchor_age = (now - anchor.created_at) if anchor else None
    disks = []
    for label, path in disk_volumes():
        free, total = disk_usage(path)
        disks.append(
            {
                "label": label,
                "path": str(path),
                "free_gb": free / 1024**3,
                "total_gb": total / 1024**3,
                "used_pct": 100 * (total - free) / total if total else 0,
                "low": free < settings.DISK_MIN_FREE_BYTES,
            }
        )
    oldest = waiting().order_by("created_at").values_list("created_at", flat=True).first()
    return {
        "now": now,
        "checks": readiness(),
        "outbox_waiting": waiting().count(),
        "outbox_oldest_age": age_text(now - oldest) if oldest else "",
        "outbox_failed": list(
            OutboxMessage.objects.filter(state=MessageState.FAILED).order_by("-created_at")[:FAILED_SHOWN]
        ),
        "anchor": anchor,
        "anchor_age": age_text(anchor_age),
        "anchor_late": anchor_age is None or anchor_age > ANCHOR_MAX_AGE,
        "epoch": current_epoch(),
        "tasks": task_rows(now),
        "stuck": list(
            Job.objects.filter(job_state=JobState.RUNNING, lease_until__lt=now).order_by("lease_until")[
                :FAILED_SHOWN
            ]
        ),
        "failed_jobs": list(
            Job.objects.filter(job_state=JobState.FAILED).order_by("-job_finished_at")[:FAILED_SHOWN]
        ),
        "long_jobs": long_job_rows(now),
        "disks": disks,
        "role_problems": app_role_problems(),
    }
