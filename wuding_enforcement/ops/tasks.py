"""The nightly tasks of operations (beat schedule in settings.py); each run is a tracked Job (outbox)."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.chain import verify_chain
from wuding_enforcement.audit.models import Outcome

from .alerts import alert_admins

logger = logging.getLogger("wuding.ops")


@shared_task(acks_late=True, reject_on_worker_lost=True)
def verify_audit_chain():
    """Every night: verify the whole audit chain; on failure mail the admins and write an audit row."""
    report = verify_chain()
    if report.ok:
        record(
            "audit.chain.verified",
            detail={"rows": report.rows, "head": report.head_seq, "message": report.message},
        )
        return {"ok": True, "message": report.message}
    logger.critical("audit chain verification failed: %s", report.message)
    record(
        "audit.chain.verify_failed",
        outcome=Outcome.FAILURE,
        detail={"message": report.message, "first_broken_seq": report.first_broken_seq, "rows": report.rows},
    )
    alert_admins(
        "审计日志校验失败",
        f"{timezone.localtime():%Y年%m月%d日 %H:%M} 夜间校验发现审计日志异常：\n\n{report.message}\n\n"
        "请立即核查：运行 manage.py verify_audit 查看详情，比对公示网站 /audit/anchor/ 和锚点镜像中保存的锚点，"
        "并保全数据库和锚点文件的现状。",
    )
    return {"ok": False, "message": report.message}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def clean_sessions_and_login_records():
    """Every day: expired sessions removed; login records older than LOGIN_RECORDS_KEEP_DAYS (≥ 183 days,
    网络安全法 第二十一条) removed. The audit log keeps every login and failure for good."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    call_command("clearsessions")
    cutoff = timezone.now() - datetime.timedelta(days=settings.LOGIN_RECORDS_KEEP_DAYS)
    removed = {}
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        removed[model.__name__], _ = model.objects.filter(attempt_time__lt=cutoff).delete()
    logger.info("cleaned sessions; login records older than %s removed: %s", cutoff.date(), removed)
    return removed


@shared_task(acks_late=True, reject_on_worker_lost=True)
def nightly_backup():
    """Every night (when BACKUP_DIR is set): an encrypted backup; the oldest beyond BACKUP_KEEP removed."""
    from .backup import make_backup, prune_backups

    folder = settings.BACKUP_DIR
    if not folder:  # scheduled only when BACKUP_DIR is set; a manual run without it does nothing
        return {"backup": None, "removed": []}
    manifest = make_backup(folder)
    removed = prune_backups(folder, keep=settings.BACKUP_KEEP)
    return {"backup": manifest["id"], "removed": removed}
