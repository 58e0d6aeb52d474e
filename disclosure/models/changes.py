"""What changes a published decision (行政处罚法 第四十八条 第二款; 总局令第45号 第十一条): a 行政复议决定 or an
effective court judgment that 撤销 / 变更 / 确认违法 / 确认无效 it, the bureau's own correction (自行纠错), or a
superior authority's order — with its instrument and the date it reached the bureau. Recording one starts the
withdrawal clock: the publication is withdrawn within RuleSettings.withdrawal_working_days (3) working days of
that date, with the reason published; the clock shows on the case page, in reminders and in the staff list
(Publication.withdrawal_event() reads the date stored on the publication, so lists cost no query). A 变更
decision is then issued as a new 行政处罚决定书, which opens its own publication draft."""

import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.shared.refusals import Refused

CHANGE_KINDS = (
    ("revoked", "撤销"),
    ("changed", "变更"),
    ("illegal", "确认违法"),
    ("void", "确认无效"),
)


class ChangeSource(models.TextChoices):
    RECONSIDERATION = "reconsideration", "行政复议决定"
    JUDGMENT = "judgment", "人民法院生效裁判"
    SELF = "self", "本机关自行纠错"
    SUPERIOR = "superior", "上级行政机关责令纠正"


class DecisionChange(models.Model):
    publication = models.ForeignKey(
        "disclosure.Publication", verbose_name="公示", on_delete=models.PROTECT, related_name="changes"
    )
    source = models.CharField("来源", max_length=16, choices=ChangeSource.choices)
    kind = models.CharField("结果", max_length=10, choices=CHANGE_KINDS)
    instrument = models.CharField(
        "文书名称及文号", max_length=200, help_text="如：武定县人民政府行政复议决定书 武政复决〔2026〕3号"
    )
    effective_on = models.DateField("生效日期", null=True, blank=True, help_text="人民法院裁判须已生效")
    received_on = models.DateField("送达本局日期", help_text="撤回期限自此日起算")
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "处罚决定变更、撤销记录"
        verbose_name_plural = "处罚决定变更、撤销记录"
        ordering = ["received_on", "pk"]

    def __str__(self):
        return f"{self.get_source_display()}：{self.get_kind_display()}（{self.instrument}）"

    @property
    def withdrawal_kind(self) -> str:
        return self.kind

    @property
    def public_reason(self) -> str:
        """The reason the public reads when the publication is withdrawn."""
        return f"该处罚决定经{self.get_source_display()}（{self.instrument}）{self.get_kind_display()}。"

    @classmethod
    def record_change(
        cls,
        publication,
        *,
        source: str,
        kind: str,
        instrument: str,
        received_on: datetime.date,
        effective_on: datetime.date | None = None,
        note: str = "",
        by,
    ) -> "DecisionChange":
        today = timezone.localdate()
        instrument = (instrument or "").strip()
        problems = []
        if source not in ChangeSource.values:
            problems.append("请选择变更、撤销的来源。")
        if kind not in dict(CHANGE_KINDS):
            problems.append("请选择结果：撤销、变更、确认违法或确认无效。")
        if not instrument:
            problems.append("请写明文书名称及文号。")
        if received_on is None or received_on > today:
            problems.append("送达本局日期不能为空，也不能晚于今天。")
        if source == ChangeSource.JUDGMENT and (effective_on is None or effective_on > today):
            problems.append(
                "人民法院的裁判须已发生法律效力方可据以撤回公示：请填写生效日期（不能晚于今天）。"
            )
        if problems:
            record(
                "disclosure.decision_change.refused",
                obj=publication,
                actor=by,
                detail={"problems": problems},
            )
            raise Refused(problems)
        with transaction.atomic():
            pub = type(publication).objects.select_for_update().get(pk=publication.pk)
            change = cls.objects.create(
                publication=pub,
                source=source,
                kind=kind,
                instrument=instrument,
                effective_on=effective_on,
                received_on=received_on,
                note=(note or "").strip(),
                recorded_by=by,
            )
            # The clock runs from the earliest event that reached the bureau.
            if pub.withdrawal_event_on is None or received_on < pub.withdrawal_event_on:
                pub.withdrawal_event_on = received_on
                pub._change_reason = "disclosure.publication.change_recorded"
                pub._history_user = by
                pub.save(update_fields=["withdrawal_event_on"])
            record(
                "disclosure.decision_change.recorded",
                obj=pub,
                actor=by,
                detail={
                    "change": change.pk,
                    "source": source,
                    "kind": kind,
                    "instrument": instrument,
                    "received_on": received_on.isoformat(),
                    "withdrawal_due": pub.withdrawal_due().isoformat(),
                },
            )
        publication.withdrawal_event_on = pub.withdrawal_event_on
        return change
