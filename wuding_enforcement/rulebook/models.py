"""The register of the bureau's rules documents (建章立制, docs/plan-2019.txt 二(一)1 and 三(二)): each document has
versions that go 草拟 → 审定 (by the superior department) → 备案 (with the county 司法局) → 生效 → 废止."""

import datetime
import hashlib
import logging

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.roster.models import Staff, Unit
from wuding_enforcement.shared.refusals import Refused

logger = logging.getLogger("wuding.rulebook")


class RulesCategory(models.TextChoices):
    DISCLOSURE = "disclosure", "行政执法公示办法"
    RECORDING = "recording", "执法全过程记录办法"
    REVIEW = "review", "重大执法决定法制审核办法"
    MAJOR_LIST = "major_list", "重大执法决定目录清单"
    POWERS = "powers", "权责清单"
    GUIDE = "guide", "服务指南"
    FLOWCHART = "flowchart", "执法流程图"
    OTHER = "other", "其他制度"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    APPROVED = "approved", "审定"
    FILED = "filed", "备案"
    EFFECTIVE = "effective", "生效"
    REPEALED = "repealed", "废止"


# The order a version must follow; 废止 only ends an effective version.
NEXT_STATUS: dict[str, str] = {
    VersionStatus.DRAFT: VersionStatus.APPROVED,
    VersionStatus.APPROVED: VersionStatus.FILED,
    VersionStatus.FILED: VersionStatus.EFFECTIVE,
    VersionStatus.EFFECTIVE: VersionStatus.REPEALED,
}


class RulesDocumentQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def past_review(self, today: datetime.date | None = None):
        """Documents whose periodic review date has passed (flagged on the staff side);
        RulesDocument.is_past_review_on says the same of one document."""
        return self.filter(review_due__lt=today or timezone.localdate())


class RulesDocument(models.Model):
    title = models.CharField("名称", max_length=200)
    category = models.CharField("类别", max_length=12, choices=RulesCategory.choices)
    drafting_unit = models.ForeignKey(
        Unit, verbose_name="起草单位", on_delete=models.PROTECT, related_name="+"
    )
    is_public = models.BooleanField("向社会公开", default=True)
    review_due = models.DateField(
        "复审日期",
        null=True,
        blank=True,
        help_text="到期未复审的制度文件会被标记，提醒根据法律法规立改废情况动态调整。",
    )
    history = HistoricalRecords()

    objects = RulesDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "制度文件"
        verbose_name_plural = "制度文件"
        ordering = ["category", "title"]

    def __str__(self):
        return self.title

    def effective_version(self) -> "RulesVersion | None":
        return self.versions.filter(status=VersionStatus.EFFECTIVE).order_by("-number").first()

    def is_past_review_on(self, today: datetime.date) -> bool:
        """Its periodic review date has passed: to be reviewed against the changes in law (动态调整)."""
        return self.review_due is not None and self.review_due < today


def _refused(version: "RulesVersion", target: str, message: str) -> Refused:
    logger.info("refused %s of rules version %s: %s", target, version.pk, message)
    return Refused(message)


def _version_file_path(instance, filename):
    return f"rulebook/{instance.document_id}/v{instance.number}.pdf"


class RulesVersion(models.Model):
    document = models.ForeignKey(RulesDocument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("版本号")
    text = models.TextField("正文", blank=True)
    file = models.FileField("附件（PDF）", upload_to=_version_file_path, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    approved_on = models.DateField("审定日期", null=True, blank=True)
    approved_by_body = models.CharField("审定机关", max_length=100, blank=True)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    filing_number = models.CharField("备案号", max_length=60, blank=True)
    filed_with = models.CharField("备案机关", max_length=100, blank=True, default="武定县司法局")
    effective_on = models.DateField("生效日期", null=True, blank=True)
    repealed_on = models.DateField("废止日期", null=True, blank=True)
    repeal_reason = models.CharField("废止理由", max_length=300, blank=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()
    # Read by simple-history when the row is saved: the namespaced verb and who (advance() sets them).
    _change_reason: str
    _history_user: Staff

    class Meta:
        verbose_name = "制度文件版本"
        verbose_name_plural = "制度文件版本"
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="rulebook_version_unique_number"),
            # One effective version per document at a time.
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="effective"), name="rulebook_one_effective_version"
            ),
        ]

    def __str__(self):
        return f"{self.document} 第{self.number}版（{self.get_status_display()}）"

    def clean(self):
        if not self.text.strip() and not self.file:
            raise ValidationError("请填写正文或上传附件。")

    def advance(
        self, target: str, *, by, on: datetime.date, authority: str = "", number: str = "", reason: str = ""
    ):
        """Move the version one step: 审定 needs the approving body, 备案 the filing number, 生效 supersedes
        (repeals) the previously effective version, 废止 needs a reason. Dates are not in the future."""
        if on > timezone.localdate():
            raise _refused(self, target, "日期不能晚于今天。")
        with transaction.atomic():
            version = RulesVersion.objects.select_for_update().get(pk=self.pk)
            if NEXT_STATUS.get(version.status) != target:
                raise _refused(
                    version,
                    target,
                    f"当前为“{version.get_status_display()}”，不能转为“{VersionStatus(target).label}”"
                    "（顺序：草拟 → 审定 → 备案 → 生效 → 废止）。",
                )
            if target == VersionStatus.APPROVED:
                if not authority.strip():
                    raise _refused(version, target, "请填写审定机关。")
                version.approved_on, version.approved_by_body = on, authority
            elif target == VersionStatus.FILED:
                if not number.strip():
                    raise _refused(version, target, "请填写备案号。")
                if version.approved_on and on < version.approved_on:
                    raise _refused(version, target, "备案日期不能早于审定日期。")
                version.filed_on, version.filing_number = on, number
                if authority.strip():
                    version.filed_with = authority
            elif target == VersionStatus.EFFECTIVE:
                if version.filed_on and on < version.filed_on:
                    raise _refused(version, target, "生效日期不能早于备案日期。")
                previous = (
                    RulesVersion.objects.select_for_update()
                    .filter(document=version.document, status=VersionStatus.EFFECTIVE)
                    .first()
                )
                if previous is not None:
                    previous.status, previous.repealed_on = VersionStatus.REPEALED, on
                    previous.repeal_reason = f"被第{version.number}版替代"
                    previous._change_reason = "rulebook.version.superseded"
                    previous.save()
                version.effective_on = on
            elif target == VersionStatus.REPEALED:
                if not reason.strip():
                    raise _refused(version, target, "请填写废止理由。")
                version.repealed_on, version.repeal_reason = on, reason
            version.status = target
            version._change_reason = f"rulebook.version.{target}"
            version._history_user = by
            version.save()
            record(
                f"rulebook.version.{target}",
                actor=by,
                obj=version.document,
                detail={"version": version.number, "on": on.isoformat()},
            )
        for name in (
            "status",
            "approved_on",
            "approved_by_body",
            "filed_on",
            "filing_number",
            "filed_with",
            "effective_on",
            "repealed_on",
            "repeal_reason",
        ):
            setattr(self, name, getattr(version, name))
        return version

    def save(self, *args, **kwargs):
        if self.file and not self.file_sha256:
            self.file.open("rb")
            self.file_sha256 = hashlib.sha256(self.file.read()).hexdigest()
            self.file.seek(0)
        super().save(*args, **kwargs)


def basis_for(category: str) -> "RulesVersion | None":
    """The register entry a public catalogue names as its approval: the effective version of the public rules
    document of that category (权责清单, 服务指南, 执法流程图 ...). The catalogue's rows stay the data the public
    browses; this says which 审定、备案 document they rest on. The latest to take effect wins if several do."""
    return (
        RulesVersion.objects.filter(
            document__category=category, document__is_public=True, status=VersionStatus.EFFECTIVE
        )
        .select_related("document")
        .order_by("-effective_on", "-pk")
        .first()
    )
