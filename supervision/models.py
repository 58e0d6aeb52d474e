"""监督检查: who supervises, the reminders, 案卷评查 and 督查通报 with their rules.

The rules of a 督查通报 live here, beside its data, and every path (the pages, the dashboard, the reminder
scan, a forged POST) goes through them: an issued notice takes no new item; an item is overdue when its
notice is issued, it is not closed and its date has passed (one QuerySet method and one property that agree);
who may see a notice and who may answer an item. The actions themselves (issue, answer, close, escalate) are
in supervision/notices.py.
"""

import datetime
import logging

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from wuding_enforcement.roster.models import Role, Staff
from wuding_enforcement.shared.pagecache import read_version, renew_versions
from wuding_enforcement.shared.refusals import Refused

logger = logging.getLogger("wuding.supervision")

# 政策法规股's reviewers and the bureau heads supervise the three systems (docs/plan-2019.txt 三(三)2): the
# roles every supervision page is gated on (roster/decorators.py role_required).
SUPERVISORS = (Role.LEGAL_REVIEWER, Role.BUREAU_HEAD)


def is_supervisor(user) -> bool:
    return bool(user.is_authenticated and user.has_role(*SUPERVISORS))


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def update(self, **kwargs):
        """An UPDATE that may change who has what unread (marking read, moving a reminder) renews the
        unread counts of the recipients it touches (one query more, read before the update)."""
        if not {"read_at", "recipient", "recipient_id"} & kwargs.keys():
            return super().update(**kwargs)
        recipients = set(self.order_by().values_list("recipient_id", flat=True).distinct())
        count = super().update(**kwargs)
        renew_unread(recipients)
        return count


# The unread count in every staff page's header, cached per user: the user's version key (renewed by every
# save, delete or UPDATE of their reminders, now and again at commit) and the count stored with the version it
# was counted under. One cache round trip per page instead of a COUNT; a cache error counts (fail open), and
# so does a request inside a transaction.
_UNREAD_VERSION = "supervision:unread:{user}:version"
_UNREAD_COUNT = "supervision:unread:{user}:count"
_UNREAD_SECONDS = 24 * 3600


def unread_count(user) -> int:
    from django.core.cache import cache
    from django.db import connection

    if connection.in_atomic_block:
        # A transaction may see its own uncommitted reminders: a count kept from it would outlive a rollback.
        return Notification.objects.filter(recipient=user).unread().count()
    version_key = _UNREAD_VERSION.format(user=user.pk)
    count_key = _UNREAD_COUNT.format(user=user.pk)
    try:
        found = cache.get_many([version_key, count_key])
        version = found.get(version_key) or read_version(version_key)
    except Exception:
        logger.warning("cache unavailable, unread reminders counted", exc_info=True)
        return Notification.objects.filter(recipient=user).unread().count()
    entry = found.get(count_key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        return entry[1]
    count = Notification.objects.filter(recipient=user).unread().count()
    try:
        cache.set(count_key, (version, count), _UNREAD_SECONDS)
    except Exception:
        logger.warning("cache unavailable, unread count not stored", exc_info=True)
    return count


def renew_unread(user_ids) -> None:
    """New unread-count versions for these users, now and when the current transaction commits (a count
    taken in between from the uncommitted state must not stay valid)."""
    keys = [_UNREAD_VERSION.format(user=pk) for pk in set(user_ids) if pk is not None]
    renew_versions(keys, "unread reminder counts")


class Notification(models.Model):
    """A reminder in the portal (and by e-mail). `key` names the deadline and threshold it is about, so each
    reminder is sent once per threshold per person, however often the scan runs."""

    recipient = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200)
    level = models.CharField("级别", max_length=10, choices=[("amber", "即将到期"), ("red", "已逾期")])
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    url = models.CharField("链接", max_length=300, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("提醒时间", auto_now_add=True)
    emailed = models.BooleanField("已发邮件", default=False)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="supervision_notification_once_per_key"
            ),
        ]
        indexes = [
            # Serves the unread count in every staff page's header and the notifications page.
            models.Index(fields=["recipient", "read_at"], name="supervision_notif_unread_idx"),
        ]

    def __str__(self):
        return self.title


@receiver(post_save, sender=Notification, dispatch_uid="supervision.unread.saved")
@receiver(post_delete, sender=Notification, dispatch_uid="supervision.unread.deleted")
def _notification_changed(sender, instance, **kwargs):
    renew_unread([instance.recipient_id])


# --- 案卷评查 (case-file evaluation) ---------------------------------------------------------------------


class CriterionGroup(models.TextChoices):
    SUBJECT = "subject", "主体"
    PROCEDURE = "procedure", "程序"
    FACTS = "facts", "事实证据"
    LAW = "law", "法律适用"
    DOCUMENTS = "documents", "文书"
    ARCHIVE = "archive", "归档"


class EvaluationCriterion(models.Model):
    """One line of the admin-maintained scoring sheet."""

    group = models.CharField("类别", max_length=12, choices=CriterionGroup.choices)
    text = models.CharField("评查内容", max_length=300)
    points = models.PositiveSmallIntegerField("分值")
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "案卷评查标准"
        verbose_name_plural = "案卷评查标准"
        ordering = ["group", "order", "pk"]

    def __str__(self):
        return f"{self.get_group_display()}：{self.text}（{self.points}分）"


class EvaluationRound(models.Model):
    """A round of 案卷评查: a reproducible random sample of archived cases per unit (the seed is stored)."""

    title = models.CharField("名称", max_length=200)
    year = models.PositiveSmallIntegerField("评查年度", help_text="抽取该年度归档的案件")
    per_unit = models.PositiveSmallIntegerField("每个单位抽取案卷数", default=2)
    seed = models.PositiveIntegerField("随机种子", help_text="同一种子、同一批案卷，抽样结果相同，可复核。")
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "案卷评查批次"
        verbose_name_plural = "案卷评查批次"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class CaseEvaluation(models.Model):
    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="evaluations")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    evaluator = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField("评查时间", null=True, blank=True)
    total = models.DecimalField("得分", max_digits=6, decimal_places=1, null=True, blank=True)
    max_total = models.PositiveSmallIntegerField("满分", default=0)
    comment = models.TextField("评查意见", blank=True)

    class Meta:
        verbose_name = "案卷评查结果"
        verbose_name_plural = "案卷评查结果"
        ordering = ["round", "case"]
        constraints = [models.UniqueConstraint(fields=["round", "case"], name="supervision_evaluation_once")]

    def __str__(self):
        return f"{self.round} · {self.case}"


class EvaluationScore(models.Model):
    evaluation = models.ForeignKey(CaseEvaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)
    note = models.CharField("扣分说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "评查得分"
        verbose_name_plural = "评查得分"
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="supervision_score_once")
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.points}"


# --- 通报 with rectification ------------------------------------------------------------------------------

NO_ITEMS_ONCE_ISSUED = "通报已签发，不能再增加事项。"


class SupervisionNoticeQuerySet(models.QuerySet):
    def issued(self):
        return self.exclude(number="")

    def visible_to(self, user):
        """Supervisors see every notice, drafts included; anyone else the issued notices that give their unit
        an item to rectify."""
        if is_supervisor(user):
            return self
        if not user.is_authenticated or user.unit_id is None:
            return self.none()
        return self.issued().filter(pk__in=NoticeItem.objects.filter(unit=user.unit_id).values("notice_id"))


class SupervisionNotice(models.Model):
    """A supervision notice (专项督查通报): numbered, issued as a PDF, open until every item is closed."""

    title = models.CharField("标题", max_length=200)
    summary = models.TextField("通报内容")
    number = models.CharField("文号", max_length=60, blank=True)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True)
    number_seq = models.PositiveIntegerField(null=True, blank=True)
    issued_on = models.DateField("签发日期", null=True, blank=True)
    issued_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField("PDF", upload_to="supervision/notices/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SupervisionNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "督查通报"
        verbose_name_plural = "督查通报"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["number_year", "number_seq"],
                condition=models.Q(number_seq__isnull=False),
                name="supervision_notice_number_unique_per_year",
            ),
        ]

    def __str__(self):
        return self.number or self.title

    @property
    def is_issued(self) -> bool:
        return bool(self.number)

    @property
    def is_open(self) -> bool:
        """Open until every item is closed (销号)."""
        return self.items.exclude(status=ItemStatus.CLOSED).exists()


class ItemStatus(models.TextChoices):
    OPEN = "open", "待整改"
    ANSWERED = "answered", "已反馈"
    CLOSED = "closed", "已销号"


class NoticeItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(notice__in=SupervisionNotice.objects.visible_to(user))

    def overdue(self, today: datetime.date | None = None):
        """Items of issued notices past their rectification date and not closed (NoticeItem.is_overdue_on
        for many items: the notice page, the dashboard and the reminder scan all read this)."""
        today = today or timezone.localdate()
        return self.exclude(status=ItemStatus.CLOSED).filter(due_on__lt=today, notice__number__gt="")


class NoticeItem(models.Model):
    notice = models.ForeignKey(SupervisionNotice, on_delete=models.PROTECT, related_name="items")
    unit = models.ForeignKey(
        "roster.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+"
    )
    problem = models.TextField("存在问题")
    due_on = models.DateField("整改期限")
    status = models.CharField("状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    answer = models.TextField("整改情况", blank=True)
    answered_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.TextField("销号意见", blank=True)

    objects = NoticeItemQuerySet.as_manager()

    class Meta:
        verbose_name = "通报整改事项"
        verbose_name_plural = "通报整改事项"
        ordering = ["notice", "pk"]
        indexes = [
            # Serves the overdue-items flag and each unit's list of items to answer.
            models.Index(fields=["status", "due_on"], name="supervision_item_due_idx"),
        ]

    def __str__(self):
        return f"{self.unit}：{self.problem[:30]}"

    def save(self, *args, **kwargs):
        # The issued, sealed PDF lists the notice's items: none is added afterwards, by any path. The caller
        # that adds an item (notices.add_item) holds the notice's row lock, so issuing cannot race it.
        if self._state.adding and SupervisionNotice.objects.issued().filter(pk=self.notice_id).exists():
            logger.warning("refused an item on issued notice %s", self.notice_id)
            raise Refused(NO_ITEMS_ONCE_ISSUED)
        super().save(*args, **kwargs)

    def is_overdue_on(self, today: datetime.date) -> bool:
        """Past its date and not closed, on an issued notice (NoticeItem.objects.overdue says the same)."""
        return self.notice.is_issued and self.status != ItemStatus.CLOSED and self.due_on < today

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())

    @property
    def awaits_closing(self) -> bool:
        """The unit answered; the supervisor closes it (销号) or sends it back."""
        return self.status == ItemStatus.ANSWERED

    def answer_refusal(self, user) -> str:
        """Why `user` may not answer this item ("" when they may): the responsible unit's staff answer an open
        or returned item of an issued notice."""
        if not self.notice.is_issued:
            return "通报尚未签发。"
        if not user.is_authenticated or user.unit_id is None or user.unit_id != self.unit_id:
            return "只有责任单位可以反馈整改情况。"
        if self.status == ItemStatus.CLOSED:
            return "该事项已销号。"
        return ""

    def answerable_by(self, user) -> bool:
        return not self.answer_refusal(user)


class Escalation(models.Model):
    """An overdue item referred to the bureau's discipline function (纪检监察), per docs/plan-2019.txt 三(三)2."""

    item = models.ForeignKey(NoticeItem, on_delete=models.PROTECT, related_name="escalations")
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField("移交说明")

    class Meta:
        verbose_name = "问责移交"
        verbose_name_plural = "问责移交"

    def __str__(self):
        return f"移交纪检监察：{self.item}"


# --- 记录统计's materialised facts (supervision/records_store.py keeps them; records_facts.py reads them) ----


class RecordFact(models.Model):
    """One fact of records_facts that does not depend on the day it is read (a registered case, a stage span,
    a clock met late), as computed for its case. Rewritten whole per case with the case's deadline rows.
    `sure`: the case is alive in the fact's month whatever the period (registered by the end of that month,
    not archived before it starts): such a fact is in RecordRollup; the others are read here, per period."""

    case_id = models.BigIntegerField("案件")
    day = models.DateField("日期")
    kind = models.CharField("类别", max_length=16)
    sub = models.CharField("子类", max_length=32, blank=True)
    num = models.IntegerField("数值", default=0)
    flag = models.SmallIntegerField("达标", default=0)
    sure = models.BooleanField("当月必计", default=True)

    class Meta:
        verbose_name = "统计事实"
        verbose_name_plural = "统计事实"
        indexes = [
            models.Index(fields=["case_id"], name="supervision_fact_case_idx"),
            models.Index(fields=["day"], name="supervision_fact_unsure_idx", condition=models.Q(sure=False)),
        ]

    def __str__(self):
        return f"案件 {self.case_id} {self.kind} {self.day}"


class RecordKey(models.Model):
    """One group key of a case (records_facts.KEY_SQL): its unit, each matter category, each officer, its
    办案类别; NULL for a case without matter or officer. Rewritten whole per case with its facts."""

    case_id = models.BigIntegerField("案件")
    dim = models.CharField("维度", max_length=16)
    gkey = models.TextField("分组", null=True)

    class Meta:
        verbose_name = "统计分组"
        verbose_name_plural = "统计分组"
        indexes = [models.Index(fields=["case_id", "dim"], name="supervision_key_case_idx")]

    def __str__(self):
        return f"案件 {self.case_id} {self.dim} {self.gkey}"


class RecordRollup(models.Model):
    """The sure facts (RecordFact.sure) summed per month, 办案类别 (pkind), dimension and group key, kind and
    sub-kind: what the statistics read instead of every case's facts. Kept by deltas in the transaction that
    rewrites a case's facts; a line whose count fell to 0 stays and is not read."""

    month = models.DateField("月份")
    pkind = models.CharField("办案类别", max_length=16)
    dim = models.CharField("维度", max_length=16)
    gkey = models.TextField("分组", null=True)
    kind = models.CharField("类别", max_length=16)
    sub = models.CharField("子类", max_length=32, blank=True)
    count = models.IntegerField("件数", default=0)
    total = models.BigIntegerField("合计", default=0)
    held = models.IntegerField("达标数", default=0)

    class Meta:
        verbose_name = "统计月汇总"
        verbose_name_plural = "统计月汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["dim", "month", "pkind", "gkey", "kind", "sub"],
                name="supervision_rollup_cell",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.dim} {self.gkey} {self.kind}"
