"""The append-only, hash-chained audit log of sensitive events.

One row per event. Each row stores the SHA-256 of the previous row, so altering, removing or inserting a
row out of order breaks the chain, and `manage.py verify_audit` names the first broken row. Hourly and daily
anchors (the chain head's sequence number and hash, written to a file outside the database, its mirror and
the public page as well as to AuditAnchor) detect the removal of the newest rows too (chain.py).
"""

import hashlib
import json

from django.conf import settings
from django.db import models


class AuditImmutableError(Exception):
    """Raised on any attempt to change or remove audit rows through the ORM."""


class Outcome(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝访问"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutableError("审计日志只能追加，不能修改。")

    def delete(self):
        raise AuditImmutableError("审计日志只能追加，不能删除。")

    def bulk_update(self, objs, fields, *args, **kwargs):
        raise AuditImmutableError("审计日志只能追加，不能修改。")

    def _raw_delete(self, using):
        raise AuditImmutableError("审计日志只能追加，不能删除。")

    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField("序号", unique=True, editable=False)
    occurred_at = models.DateTimeField("时间（UTC）", editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True, editable=False)
    unit_name = models.CharField("所在单位", max_length=100, blank=True, editable=False)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True, editable=False)
    action = models.CharField("事件", max_length=100, editable=False)
    object_type = models.CharField("对象类型", max_length=100, blank=True, editable=False)
    object_id = models.CharField("对象编号", max_length=64, blank=True, editable=False)
    object_repr = models.CharField("对象", max_length=200, blank=True, editable=False)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, editable=False)
    detail = models.JSONField("详情", default=dict, blank=True, editable=False)
    prev_hash = models.CharField("上一条哈希", max_length=64, editable=False)
    hash = models.CharField("本条哈希", max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-seq"]
        indexes = [
            # Serves "the audit trail of one object" on case and certificate pages.
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_event_object_idx"),
            # Serves the supervision view "events of kind X in a period".
            models.Index(fields=["action", "occurred_at"], name="audit_event_action_idx"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_repr}"

    def canonical(self) -> bytes:
        """The bytes the hash covers: every recorded field plus the previous row's hash."""
        payload = {
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "unit_name": self.unit_name,
            "ip": self.ip or "",
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "outcome": self.outcome,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("审计日志只能追加，不能删除。")


class AuditAnchor(models.Model):
    """A copy of the chain head taken hourly and daily; the same line is appended to a file outside the
    database. `epoch` counts restores: a re-baseline after a restore opens the next one (chain.py)."""

    seq = models.PositiveBigIntegerField("锚定序号")
    hash = models.CharField("锚定哈希", max_length=64)
    created_at = models.DateTimeField("锚定时间", auto_now_add=True)
    epoch = models.PositiveIntegerField("锚点期次", default=1)
    period = models.CharField("锚定方式", max_length=20, default="daily")

    class Meta:
        verbose_name = "审计链锚点"
        verbose_name_plural = "审计链锚点"
        ordering = ["-seq"]

    def __str__(self):
        return f"锚点 #{self.seq} {self.hash[:12]}…"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError("锚点不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("锚点不能删除。")
