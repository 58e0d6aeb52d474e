"""年度检查计划 and 专项检查计划 (国办发〔2024〕54号 四、六; docs/domain.md §7).

- The annual plan is approved by the bureau head, filed with the county 司法局 and the superior authority, and
  published — by local rule before the end of March (InspectionSettings.plan_due); a late publication is
  allowed (better late than never) but flagged on the page and in the audit log.
- A 专项检查计划 is approved by the county government or the superior authority (its reference recorded).
- Dated versions: an approved plan is frozen; a change is a new version that supersedes it once published,
  and every version stays readable (history kept by simple-history as well).
"""

import datetime

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared.chinese import cn_date
from wuding_enforcement.shared.refusals import Refused

from ..refusing import audited, refuse
from .lists import InspectionItem, InspectionSettings


class PlanKind(models.TextChoices):
    ANNUAL = "annual", "年度检查计划"
    SPECIAL = "special", "专项检查计划"


class ApprovalBody(models.TextChoices):
    BUREAU = "bureau", "本局（局负责人）"
    COUNTY = "county", "武定县人民政府"
    SUPERIOR = "superior", "上级市场监督管理部门"


class PlanQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def current(self):
        """Published versions not superseded by a later published version."""
        return self.published().exclude(superseded_by__published_at__isnull=False)


class InspectionPlan(models.Model):
    kind = models.CharField("计划类型", max_length=10, choices=PlanKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("计划名称", max_length=200)
    version = models.PositiveSmallIntegerField("版本", default=1, editable=False)
    supersedes = models.OneToOneField(
        "self",
        verbose_name="替代的版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        editable=False,
    )
    summary = models.TextField("计划内容", help_text="检查的目标、范围、方式、时间安排和保障措施。")
    change_note = models.TextField("调整说明", blank=True, help_text="新版本相对上一版本的调整及理由。")
    approval_body = models.CharField(
        "批准机关", max_length=10, choices=ApprovalBody.choices, blank=True, editable=False
    )
    approval_ref = models.CharField("批准文号", max_length=100, blank=True, editable=False)
    approved_on = models.DateField("批准日期", null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        "roster.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    filed_justice_on = models.DateField("报司法局备案日期", null=True, blank=True, editable=False)
    filed_superior_on = models.DateField("报上级机关备案日期", null=True, blank=True, editable=False)
    published_at = models.DateTimeField("公布时间", null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        "roster.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_by = models.ForeignKey("roster.Staff", on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField("制定时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "检查计划"
        verbose_name_plural = "检查计划"
        ordering = ["-year", "kind", "title", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "title", "version"], name="inspection_plan_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(approved_on__isnull=False),
                name="inspection_plan_published_only_approved",
            ),
        ]

    def __str__(self):
        return f"{self.title}（第{self.version}版）"

    # --- state ---

    @property
    def is_approved(self) -> bool:
        return self.approved_on is not None

    @property
    def is_filed(self) -> bool:
        return self.filed_justice_on is not None and self.filed_superior_on is not None

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def state_label(self) -> str:
        if self.is_published:
            return "已公布"
        if self.kind == PlanKind.ANNUAL and self.is_approved and self.is_filed:
            return "已备案，待公布"
        if self.is_approved:
            return "已批准" + ("，待备案" if self.kind == PlanKind.ANNUAL else "，待公布")
        return "草稿"

    def publish_due(self, rules: InspectionSettings | None = None) -> datetime.date | None:
        """年度检查计划: the local deadline to publish (a setting, default 3月31日); 专项: none. A list page passes
        the settings row it read once."""
        if self.kind != PlanKind.ANNUAL:
            return None
        return (rules or InspectionSettings.current()).plan_due(self.year)

    def was_published_late(self, rules: InspectionSettings | None = None) -> bool:
        due = self.publish_due(rules)
        return bool(due and self.published_at and timezone.localdate(self.published_at) > due)

    @property
    def published_late(self) -> bool:
        return self.was_published_late()

    # --- life ---

    def _locked(self):
        return type(self).objects.select_for_update().get(pk=self.pk)

    def _refuse(self, action, by, problems):
        refuse(f"inspection.plan.{action}", self, problems)

    @audited
    def approve(self, *, by, on: datetime.date, body: str = ApprovalBody.BUREAU, ref: str = ""):
        """The annual plan is approved by the bureau head; a 专项检查计划 by the county government or the
        superior authority (国办发〔2024〕54号 六), whose approval is recorded with its reference."""
        with transaction.atomic():
            plan = self._locked()
            problems = []
            if plan.is_approved:
                problems.append("该计划已批准；如需调整，请制定新版本。")
            if not plan.entries.exists():
                problems.append("计划中还没有检查事项。")
            if on > timezone.localdate():
                problems.append("批准日期不能晚于今天。")
            if plan.kind == PlanKind.ANNUAL:
                if not by.has_role(Role.BUREAU_HEAD):
                    problems.append("年度检查计划须经局负责人批准。")
                body = ApprovalBody.BUREAU
            else:
                if body not in (ApprovalBody.COUNTY, ApprovalBody.SUPERIOR):
                    problems.append("专项检查计划须经县人民政府或者上级主管部门批准（国办发〔2024〕54号）。")
                if not ref.strip():
                    problems.append("请填写专项检查计划的批准文号。")
            if problems:
                self._refuse("approve", by, problems)
            plan.approval_body, plan.approval_ref, plan.approved_on, plan.approved_by = body, ref, on, by
            plan._change_reason = "inspection.plan.approved"
            plan._history_user = by
            plan.save(
                update_fields=["approval_body", "approval_ref", "approved_on", "approved_by", "updated_at"]
            )
            record(
                "inspection.plan.approved",
                obj=plan,
                actor=by,
                detail={"on": on.isoformat(), "body": body, "ref": ref, "version": plan.version},
            )
        self.refresh_from_db()
        return self

    @audited
    def record_filing(self, *, by, justice_on: datetime.date, superior_on: datetime.date):
        """备案: the annual plan is filed with the county 司法局 and with the superior authority."""
        with transaction.atomic():
            plan = self._locked()
            problems = []
            if plan.kind != PlanKind.ANNUAL:
                problems.append("只有年度检查计划需要备案。")
            if not plan.is_approved:
                problems.append("计划批准后才能备案。")
            for label, day in (("司法局", justice_on), ("上级机关", superior_on)):
                if day is None:
                    problems.append(f"请填写报{label}备案的日期。")
                elif day > timezone.localdate():
                    problems.append(f"报{label}备案日期不能晚于今天。")
                elif plan.approved_on and day < plan.approved_on:
                    problems.append(f"报{label}备案日期不能早于批准日期。")
            if problems:
                self._refuse("filing", by, problems)
            plan.filed_justice_on, plan.filed_superior_on = justice_on, superior_on
            plan._change_reason = "inspection.plan.filed"
            plan._history_user = by
            plan.save(update_fields=["filed_justice_on", "filed_superior_on", "updated_at"])
            record(
                "inspection.plan.filed",
                obj=plan,
                actor=by,
                detail={"justice_on": justice_on.isoformat(), "superior_on": superior_on.isoformat()},
            )
        self.refresh_from_db()
        return self

    @audited
    def publish(self, *, by):
        """Publish the plan (and retire the version it supersedes from the public list — kept, readable)."""
        with transaction.atomic():
            plan = self._locked()
            problems = []
            if plan.is_published:
                problems.append("该计划已公布。")
            if not plan.is_approved:
                problems.append("计划批准后才能公布。")
            elif plan.kind == PlanKind.ANNUAL and not plan.is_filed:
                problems.append("年度检查计划须报司法局和上级机关备案后公布。")
            if problems:
                self._refuse("publish", by, problems)
            plan.published_at, plan.published_by = timezone.now(), by
            plan._change_reason = "inspection.plan.published"
            plan._history_user = by
            plan.save(update_fields=["published_at", "published_by", "updated_at"])
            due = plan.publish_due()
            record(
                "inspection.plan.published",
                obj=plan,
                actor=by,
                detail={
                    "version": plan.version,
                    "due": due.isoformat() if due else None,
                    "late": plan.published_late,
                },
            )
        self.refresh_from_db()
        return self

    def new_version(self, *, by, change_note: str):
        """A revision: a draft copy of this approved plan (its entries too) that supersedes it once published."""
        if not change_note.strip():
            raise Refused("请写明调整说明。")
        with transaction.atomic():
            plan = self._locked()
            if not plan.is_approved:
                raise Refused("草稿可以直接修改，无须制定新版本。")
            if InspectionPlan.objects.filter(supersedes=plan).exists():
                raise Refused("该版本已有新版本。")
            draft = InspectionPlan.objects.create(
                kind=plan.kind,
                year=plan.year,
                title=plan.title,
                version=plan.version + 1,
                supersedes=plan,
                summary=plan.summary,
                change_note=change_note,
                created_by=by,
            )
            for entry in plan.entries.all():
                entry.pk = None
                entry.plan = draft
                entry.save()
            record(
                "inspection.plan.revised",
                obj=draft,
                actor=by,
                detail={"supersedes": plan.pk, "version": draft.version, "note": change_note},
            )
        return draft

    def versions(self) -> list["InspectionPlan"]:
        """Every version of this plan, oldest first."""
        chain, plan = [], self
        while plan.supersedes_id:
            plan = plan.supersedes
            chain.append(plan)
        chain.reverse()
        chain.append(self)
        later = self
        while True:
            later = InspectionPlan.objects.filter(supersedes=later).first()
            if later is None:
                return chain
            chain.append(later)


class PlanEntry(models.Model):
    """One 检查事项 of a plan: when, and for 双随机 the share of each risk class to draw."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="entries")
    item = models.ForeignKey(
        InspectionItem, verbose_name="检查事项", on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField("实施时间", max_length=100, help_text="如：第二季度")
    share_a = models.DecimalField("A级抽取比例（%）", max_digits=5, decimal_places=2, default=0)
    share_b = models.DecimalField("B级抽取比例（%）", max_digits=5, decimal_places=2, default=0)
    share_c = models.DecimalField("C级抽取比例（%）", max_digits=5, decimal_places=2, default=0)
    share_d = models.DecimalField("D级抽取比例（%）", max_digits=5, decimal_places=2, default=0)
    officers_per_entity = models.PositiveSmallIntegerField("每户执法人员（名）", default=2)
    note = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "计划检查事项"
        verbose_name_plural = "计划检查事项"
        ordering = ["plan", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "item"], name="inspection_planentry_item_once"),
            models.CheckConstraint(condition=Q(officers_per_entity__gte=2), name="inspection_planentry_two"),
        ]

    def __str__(self):
        return f"{self.plan}：{self.item.item}"

    def shares(self) -> dict[str, str]:
        """Percent per risk class, as decimal strings (the draw's parameters)."""
        return {
            "A": f"{self.share_a:.2f}",
            "B": f"{self.share_b:.2f}",
            "C": f"{self.share_c:.2f}",
            "D": f"{self.share_d:.2f}",
        }

    def save(self, *args, **kwargs):
        # An approved plan is frozen: a change is a new version (the plan's history must stay true).
        if (
            self.plan_id
            and InspectionPlan.objects.filter(pk=self.plan_id, approved_on__isnull=False).exists()
        ):
            raise Refused(f"计划已于{cn_date(self.plan.approved_on)}批准，不能再修改；请制定新版本。")
        super().save(*args, **kwargs)
