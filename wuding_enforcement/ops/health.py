"""Health probes: /healthz (liveness) and /readyz (readiness), answered before the host check and the HTTPS
redirect so that a load balancer or Docker can probe with an IP address over plain HTTP.

- /healthz: the process answers. It touches nothing (no database, no Redis): a web process whose database is
  down is alive and shows the 503 page; restarting it would not help. Answered for any client (it says
  nothing but "ok").
- /readyz: database, Redis, broker, worker heartbeat, outbox backlog and disk space, each with its state;
  200 when all pass, 503 naming the failing parts. Answered only to HEALTH_PROBE_NETWORKS (loopback by
  default): it describes the installation.
"""

import ipaddress
import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.http import HttpResponse
from django.utils import timezone

from wuding_enforcement.shared import objectstore

logger = logging.getLogger("wuding.health")

HEALTHZ = "/healthz"
READYZ = "/readyz"
# The oldest waiting outbox message may be this old before readiness fails (the drain runs every minute).
OUTBOX_MAX_AGE_SECONDS = 15 * 60


@dataclass
class Check:
    name: str
    label: str
    ok: bool
    detail: str

    def as_dict(self):
        return {"ok": self.ok, "label": self.label, "detail": self.detail}


def _timed(name: str, label: str, probe) -> Check:
    start = time.monotonic()
    try:
        ok, detail = probe()
    except Exception as exc:  # a probe failing in any way is exactly what it reports
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    elapsed = int((time.monotonic() - start) * 1000)
    return Check(name, label, ok, f"{detail}（{elapsed} ms）")


def _database():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return True, "可以连接"


def _redis():
    url = getattr(settings, "REDIS_URL", None)
    if not url:
        return True, "未配置（使用进程内缓存）"
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return True, "可以连接"


def _broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "未配置（任务在进程内执行）"
    from wuding_enforcement.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return True, "可以连接"


def worker_heartbeat_age() -> float | None:
    from wuding_enforcement.outbox.models import Heartbeat

    beat = Heartbeat.objects.filter(name="worker").first()
    return None if beat is None else (timezone.now() - beat.at).total_seconds()


def _worker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "未配置（任务在进程内执行）"
    age = worker_heartbeat_age()
    if age is None:
        return False, "从未收到心跳（worker 或 beat 未运行）"
    limit = settings.WORKER_HEARTBEAT_MAX_AGE
    if age > limit:
        return False, f"最近一次心跳在 {int(age)} 秒前（超过 {limit} 秒：worker、beat 或任务队列停止）"
    return True, f"最近一次心跳在 {int(age)} 秒前"


def _outbox():
    from wuding_enforcement.outbox.api import waiting

    oldest = waiting().order_by("created_at").values_list("created_at", flat=True).first()
    count = waiting().count()
    if oldest is None:
        return True, "没有等待发送的任务"
    age = (timezone.now() - oldest).total_seconds()
    ok = age <= OUTBOX_MAX_AGE_SECONDS
    return ok, f"{count} 个任务等待发送，最早的已等待 {int(age // 60)} 分钟"


def disk_volumes() -> list[tuple[str, Path]]:
    volumes = [
        ("媒体文件", Path(settings.MEDIA_ROOT)),
        ("审计锚点", Path(settings.AUDIT_ANCHOR_DIR)),
        ("程序数据", Path(settings.VAR_DIR)),
    ]
    backup_dir = getattr(settings, "BACKUP_DIR", None)
    if backup_dir:
        volumes.append(("备份", Path(backup_dir)))
    return volumes


def disk_usage(path: Path | str) -> tuple[int, int]:
    """(free, total) bytes of the volume holding `path` (or its nearest existing parent)."""
    candidate = Path(path)
    while not candidate.exists() and candidate != candidate.parent:
        candidate = candidate.parent
    usage = shutil.disk_usage(candidate)
    return usage.free, usage.total


def _disk():
    problems, notes = [], []
    for label, path in disk_volumes():
        free, total = disk_usage(path)
        note = f"{label} 剩余 {free / 1024**3:.1f} GB / {total / 1024**3:.1f} GB"
        notes.append(note)
        if free < settings.DISK_MIN_FREE_BYTES:
            problems.append(note)
    if problems:
        return False, "空间不足：" + "；".join(problems)
    return True, "；".join(notes)


def _objectstore():
    if not objectstore.configured():
        return True, "未配置（文件保存在本机磁盘）"
    objectstore.probe()
    return True, f"可以访问存储桶 {objectstore.bucket()}"


# Each part is probed by the function `_<name>` of this module (looked up when probing).
PROBES = [
    ("database", "数据库"),
    ("redis", "Redis 缓存"),
    ("broker", "任务队列"),
    ("worker", "后台 worker"),
    ("outbox", "待发送任务"),
    ("disk", "磁盘空间"),
    ("objectstore", "对象存储"),
]


def readiness() -> list[Check]:
    probes = globals()
    checks = [_timed(name, label, probes[f"_{name}"]) for name, label in PROBES]
    for check in checks:
        if not check.ok:
            logger.warning("readiness check %s failing: %s", check.name, check.detail)
    return checks


def _json(payload: dict, status: int) -> HttpResponse:
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    return response


def _probe_allowed(request) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.HEALTH_PROBE_NETWORKS)


class HealthProbeMiddleware:
    """Before SecurityMiddleware: the probes are answered whatever the Host header and the scheme."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == HEALTHZ and request.method in ("GET", "HEAD"):
            return _json({"status": "ok"}, 200)
        if request.path == READYZ and request.method in ("GET", "HEAD") and _probe_allowed(request):
            checks = readiness()
            failing = [c.name for c in checks if not c.ok]
            return _json(
                {
                    "status": "fail" if failing else "ok",
                    "failing": failing,
                    "checks": {c.name: c.as_dict() for c in checks},
                },
                503 if failing else 200,
            )
        return self.get_response(request)


def healthz(request):
    """/healthz routed normally (the middleware answers it first; this keeps the URL named and listed)."""
    return _json({"status": "ok"}, 200)
