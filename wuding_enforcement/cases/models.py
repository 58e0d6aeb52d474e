"""The ONE case model shared by the three systems, its parties, the powers catalogue, gapless numbers,
approvals, pauses and the working-day calendar table.

Over 500 lines on purpose: these are the tables of the one shared case and most of them are fields and
constraints; its behaviour lives in lifecycle.py (the stage change, approvals) and beside it (calendar.py,
deadlines.py, gates.py), so this module is the case's schema read in one place."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import mask_id_number
from wuding_enforcement.roster.models import Role, Staff, Unit

from .lifecycle import ApprovalLifecycle, CaseLifecycle, StageWriteError
from .workflow import INITIAL_STAGE, Procedure, Stage

# --- Powers catalogue ---------------------------------------------------------------------------------------


class PowerKind(models.TextChoices):
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    INSPECTION = "inspection", "行政检查"
    LICENSING = "licensing", "行政许可"
    OTHER = "other", "其他"


class PowerItem(models.Model):
    """One item of the 权责清单: a power, its legal basis to the article, and the responsible unit."""

    code = models.CharField("编码", max_length=30, unique=True)
    kind = models.CharField("权力类型", max_length=12, choices=PowerKind.choices)
    field = models.CharField("领域", max_length=30, help_text="如：食品安全、产品质量、价格、广告、特种设备")
    name = models.CharField("事项名称", max_length=200)
    legal_basis = models.TextField("实施依据")
    # A 行政处罚 item keeps apart the article the act violates and the article that penalises it: the 告知书
    # and 决定书 print them as 违反的法律规定 and 处罚依据 (行政处罚法 第四十四条、第五十九条; docs/domain.md §6).
    violation_basis = models.TextField(
        "违法依据",
        blank=True,
        help_text="行政处罚事项：违法行为违反的条款，如《中华人民共和国食品安全法》第三十四条第（十）项",
    )
    penalty_basis = models.TextField(
        "处罚依据",
        blank=True,
        help_text="行政处罚事项：给予处罚的条款（罚则），如《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
    )
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="power_items",
    )
    is_active = models.BooleanField("在用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "权责清单事项"
        verbose_name_plural = "权责清单事项"
        ordering = ["kind", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"


# --- Gapless numbers --------------------------------------------------------------------------------------


class NumberSequence(models.Model):
    """One gapless counter per kind of number per year, allocated under a row lock in the caller's transaction."""

    kind = models.CharField(max_length=30)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="cases_numbersequence_kind_year_unique")
        ]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last}"

    @classmethod
    def allocate(cls, kind: str, year: int) -> int:
        """Next number for (kind, year). Must run inside the transaction that stores the number, so a
        rollback gives the number back and the sequence has no gaps."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("NumberSequence.allocate must run inside transaction.atomic()")
        try:
            seq = cls.objects.select_for_update().get(kind=kind, year=year)
        except cls.DoesNotExist:
            try:
                with transaction.atomic():
                    cls.objects.create(kind=kind, year=year, last=0)
            except IntegrityError:
                pass  # another transaction created it first; lock theirs
            seq = cls.objects.select_for_update().get(kind=kind, year=year)
        seq.last += 1
        seq.save(update_fields=["last"])
        return seq.last


def format_number(word: str, year: int, seq: int) -> str:
    """武市监立〔2026〕12号 — the bureau's short name, the kind word, the year in 〔〕, the number."""
    return f"{settings.BUREAU_SHORT}{word}〔{year}〕{seq}号"


# --- The case -----------------------------------------------------------------------------------------------


class LeadSource(models.TextChoices):
    INSPECTION = "inspection", "监督检查发现"
    COMPLAINT = "complaint", "投诉举报"
    REFERRAL = "referral", "其他部门移送"
    ASSIGNED = "assigned", "上级机关交办"
    REPORTED = "reported", "下级机关报请"
    MONITORING = "monitoring", "抽检监测/网络监测"
    MEDIA = "media", "媒体曝光"
    OTHER = "other", "其他"


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Cases this user may open: bureau heads all; a unit head the unit's; records keepers the unit's
        finished cases; everyone else what django-guardian grants on the case (assigned officers, reviewers)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_role(Role.BUREAU_HEAD):
            return self
        q = Q(
            pk__in=CaseUserObjectPermission.objects.filter(
                user=user, permission__codename="view_case"
            ).values("content_object_id")
        )
        if user.has_role(Role.UNIT_HEAD):
            q |= Q(handling_unit__head=user)
        if user.has_role(Role.RECORDS_KEEPER) and user.unit_id:
            q |= Q(
                handling_unit_id=user.unit_id,
                stage__in=[Stage.CLOSED, Stage.ARCHIVED, Stage.NOT_FILED, Stage.REPORTED],
            )
        return self.filter(q)

    def editable_by(self, user):
        """Cases this user may work on: the assigned officers (guardian change_case) and the unit's head."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        q = Q(
            pk__in=CaseUserObjectPermission.objects.filter(
                user=user, permission__codename="change_case"
            ).values("content_object_id")
        )
        if user.has_role(Role.UNIT_HEAD):
            q |= Q(handling_unit__head=user)
        return self.filter(q).exclude(stage=Stage.ARCHIVED)

    def for_rows(self):
        """What a case row on a list page needs: unit, party names, officers, and what case.deadlines()
        reads (approvals, pauses, transitions, and what the systems' deadline providers declare, e.g.
        recording's documents). One query each, whatever the number of cases."""
        from .deadlines import deadline_prefetch

        return self.select_related("handling_unit").prefetch_related(
            "parties",
            models.Prefetch("assignments", queryset=CaseOfficer.objects.select_related("officer")),
            *deadline_prefetch(),
        )

    def active(self):
        from .workflow import FINISHED_STAGES

        return self.exclude(stage__in=FINISHED_STAGES)

    def update(self, **kwargs):
        if "stage" in kwargs:
            raise StageWriteError("案件阶段只能通过 Case.advance() 变更。")
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "stage" in fields:
            raise StageWriteError("案件阶段只能通过 Case.advance() 变更。")
        return super().bulk_update(objs, fields, *args, **kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        for obj in objs:
            if obj.stage != INITIAL_STAGE[obj.procedure]:
                raise StageWriteError("新案件只能从初始阶段开始。")
        return super().bulk_create(objs, *args, **kwargs)


class Case(CaseLifecycle, models.Model):
    lead_number = models.CharField("案源登记号", max_length=40, unique=True, editable=False)
    lead_year = models.PositiveSmallIntegerField(editable=False)
    lead_seq = models.PositiveIntegerField(editable=False)
    case_number = models.CharField(
        "案件编号", max_length=40, null=True, blank=True, unique=True, editable=False
    )
    case_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    case_seq = models.PositiveIntegerField(null=True, blank=True, editable=False)

    procedure = models.CharField("程序", max_length=10, choices=Procedure.choices, default=Procedure.ORDINARY)
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, editable=False)
    suspended_from = models.CharField(
        "中止前阶段", max_length=20, choices=Stage.choices, blank=True, editable=False
    )
    title = models.CharField("案由", max_length=200)
    lead_source = models.CharField("案件来源", max_length=12, choices=LeadSource.choices)
    lead_date = models.DateField("线索收到日期")
    lead_summary = models.TextField("线索内容", blank=True)
    handling_unit = models.ForeignKey(
        Unit, verbose_name="承办单位", on_delete=models.PROTECT, related_name="cases"
    )
    officers = models.ManyToManyField(
        Staff, verbose_name="承办人员", through="CaseOfficer", related_name="cases"
    )
    matters = models.ManyToManyField(PowerItem, verbose_name="涉及事项", blank=True, related_name="cases")

    filed_on = models.DateField("立案日期", null=True, blank=True, editable=False)
    decided_on = models.DateField("决定日期", null=True, blank=True, editable=False)
    served_on = models.DateField("送达日期", null=True, blank=True, editable=False)
    closed_on = models.DateField("结案日期", null=True, blank=True, editable=False)
    archived_on = models.DateField("归档日期", null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        Staff, verbose_name="登记人", on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        ordering = ["-lead_year", "-lead_seq"]
        permissions = [
            ("advance_case", "推进案件阶段"),
            # Granted per case (guardian) to the reviewers of that case: classified records (recording).
            ("view_classified", "查看本案涉密记录"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lead_year", "lead_seq"], name="cases_case_lead_number_unique_per_year"
            ),
            models.UniqueConstraint(
                fields=["procedure", "case_year", "case_seq"], name="cases_case_number_unique_per_year"
            ),
            models.CheckConstraint(
                condition=Q(case_seq__isnull=True) | Q(case_year__isnull=False),
                name="cases_case_number_has_year",
            ),
        ]
        indexes = [
            # Serves the case list filtered by unit and stage, newest first.
            models.Index(
                fields=["handling_unit", "stage", "-lead_year", "-lead_seq"], name="cases_case_unit_stage_idx"
            ),
            # Serves the stage filter and the supervision counts by stage.
            models.Index(fields=["stage", "procedure"], name="cases_case_stage_idx"),
        ]

    def __str__(self):
        return f"{self.number}（{self.title}）"

    @property
    def number(self) -> str:
        return self.case_number or self.lead_number

    def save(self, *args, **kwargs):
        """Refuse any save that would change the stage outside advance(). The stored stage is read from
        the database (not from this instance's memory), so a reverted history copy or a Case built by
        hand with an existing id cannot write an old stage back either."""
        if not getattr(self, "_stage_write_allowed", False):
            update_fields = kwargs.get("update_fields")
            if update_fields is None or "stage" in update_fields:
                stored = None
                if self.pk is not None:
                    stored = Case.objects.filter(pk=self.pk).values_list("stage", flat=True).first()
                if stored is None:
                    if self.stage and self.stage != INITIAL_STAGE[self.procedure]:
                        raise StageWriteError("新案件只能从初始阶段开始。")
                elif self.stage != stored:
                    raise StageWriteError("案件阶段只能通过 Case.advance() 变更。")
        super().save(*args, **kwargs)
        self._stage_write_allowed = False

    def clean(self):
        if self.lead_date and self.lead_date > timezone.localdate():
            raise ValidationError({"lead_date": "线索收到日期不能晚于今天。"})


class CaseUserObjectPermission(UserObjectPermissionBase):
    """django-guardian per-case permissions with a real foreign key (fast joins in visible_to)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "案件权限（人员）"
        verbose_name_plural = "案件权限（人员）"


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "案件权限（角色）"
        verbose_name_plural = "案件权限（角色）"


class CaseOfficer(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    officer = models.ForeignKey(
        Staff, verbose_name="执法人员", on_delete=models.PROTECT, related_name="assignments"
    )
    is_lead = models.BooleanField("主办人", default=False)
    assigned_at = models.DateTimeField("指派时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "承办人员"
        verbose_name_plural = "承办人员"
        ordering = ["-is_lead", "assigned_at"]
        constraints = [models.UniqueConstraint(fields=["case", "officer"], name="cases_caseofficer_unique")]

    def __str__(self):
        return f"{self.officer}{'（主办）' if self.is_lead else ''}"


class PartyKind(models.TextChoices):
    PERSON = "person", "自然人"
    INDIVIDUAL_BUSINESS = "individual", "个体工商户"
    ORGANISATION = "organisation", "法人或其他组织"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    PASSPORT = "passport", "护照"
    HK_MO_TW = "hmt_permit", "港澳台居民居住证/通行证"
    OTHER = "other", "其他"


class Party(models.Model):
    """当事人. Each party later receives its own decision. The ID number never appears in __str__ or logs."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField("当事人类型", max_length=12, choices=PartyKind.choices)
    name = models.CharField("名称/姓名", max_length=200)
    id_type = models.CharField("证件类型", max_length=12, choices=IdType.choices, blank=True)
    id_number = models.CharField("证件号码", max_length=40, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人（负责人）", max_length=50, blank=True)
    operator = models.CharField("经营者", max_length=50, blank=True, help_text="个体工商户的经营者姓名")
    address = models.CharField("住所（住址）", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    is_minor = models.BooleanField("未成年人", default=False)
    order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        ordering = ["case", "order", "pk"]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number) if self.id_number else ""

    def clean(self):
        errors = {}
        if self.kind == PartyKind.ORGANISATION:
            if not self.credit_code:
                errors["credit_code"] = "法人或其他组织须填写统一社会信用代码。"
            if not self.legal_representative:
                errors["legal_representative"] = "法人或其他组织须填写法定代表人（负责人）。"
        if self.kind == PartyKind.INDIVIDUAL_BUSINESS and not self.operator:
            errors["operator"] = "个体工商户须填写经营者。"
        if self.kind == PartyKind.PERSON and not self.id_number:
            errors["id_number"] = "自然人须填写证件号码。"
        if self.credit_code and len(self.credit_code) != 18:
            errors["credit_code"] = "统一社会信用代码应为18位。"
        if self.is_minor and self.kind != PartyKind.PERSON:
            errors["is_minor"] = "只有自然人可标记为未成年人。"
        if errors:
            raise ValidationError(errors)


class CaseTransition(models.Model):
    """One row per stage change: who, when, why. Written only by Case.advance()."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transitions")
    from_stage = models.CharField("原阶段", max_length=20, choices=Stage.choices)
    to_stage = models.CharField("新阶段", max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(Staff, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    on = models.DateField("日期")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    reason = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "阶段变更"
        verbose_name_plural = "阶段变更"
        ordering = ["case", "at", "pk"]
        indexes = [
            # Serves the case page's history and the supervision stage-duration statistics.
            models.Index(fields=["case", "at"], name="cases_transition_case_at_idx"),
        ]

    def __str__(self):
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"


class PauseKind(models.TextChoices):
    """Periods not counted in the 90-day decision limit (行政处罚法 第六十条; 总局令 第六十四条)."""

    HEARING = "hearing", "听证"
    TESTING = "testing", "检测、检验、检疫、鉴定"
    SUSPENSION = "suspension", "案件中止"
    PUBLIC_NOTICE = "notice", "公告送达"
    OTHER = "other", "其他依法不计入的期间"


class CasePause(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField("类型", max_length=12, choices=PauseKind.choices)
    start = models.DateField("起始日期")
    end = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    # The document whose issuing recorded this period (a 检测期间告知书), so that its correction finds the
    # period to replace by key, never by searching the note. A plain id, not a ForeignKey: the shared case
    # sits below the systems and may not depend on recording's tables or migrations (docs/architecture.md).
    source_document_id = models.PositiveBigIntegerField("来源文书", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "不计入办案期限的期间"
        verbose_name_plural = "不计入办案期限的期间"
        ordering = ["case", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="cases_casepause_end_after_start",
            )
        ]
        indexes = [
            # Serves the correction of a document that recorded a period: the pause it made, by its id.
            models.Index(fields=["case", "source_document_id"], name="cases_pause_source_doc_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start}—{self.end or '至今'}"


# --- Approvals --------------------------------------------------------------------------------------------


class ApprovalKind(models.TextChoices):
    FILING = "filing", "立案审批"
    NOT_FILING = "not_filing", "不予立案审批"
    FILING_EXTENSION = "filing_ext", "延长立案核查期限"
    DECISION_EXTENSION = "decision_ext", "延长办案期限"
    PRESERVATION = "preservation", "先行登记保存审批"
    SEIZURE = "seizure", "查封扣押审批"
    SEIZURE_EXTENSION = "seizure_ext", "延长查封扣押期限"
    CLOSING = "closing", "结案审批"
    OFFICER_CHANGE = "officer_change", "变更承办人员审批"
    OTHER = "other", "有关事项审批"


class ApprovalStatus(models.TextChoices):
    AWAITING_UNIT_HEAD = "unit_head", "待承办单位负责人意见"
    AWAITING_BUREAU_HEAD = "bureau_head", "待局负责人审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


PENDING_APPROVAL = (ApprovalStatus.AWAITING_UNIT_HEAD, ApprovalStatus.AWAITING_BUREAU_HEAD)


class ApprovalQuerySet(models.QuerySet):
    def awaiting(self, user):
        """Approvals waiting for this user's opinion: unit heads their unit's, bureau heads the bureau step."""
        q = Q(pk__in=[])
        if user.has_role(Role.UNIT_HEAD):
            q |= Q(status=ApprovalStatus.AWAITING_UNIT_HEAD, case__handling_unit__head=user)
        if user.has_role(Role.BUREAU_HEAD):
            q |= Q(status=ApprovalStatus.AWAITING_BUREAU_HEAD)
        return self.filter(q)

    def approved(self, kind):
        return self.filter(kind=kind, status=ApprovalStatus.APPROVED)


class Approval(ApprovalLifecycle, models.Model):
    """A request for the unit head's opinion and the bureau head's approval (审批表): a record, not a flag."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="approvals")
    kind = models.CharField("审批事项", max_length=14, choices=ApprovalKind.choices)
    status = models.CharField(
        "状态", max_length=12, choices=ApprovalStatus.choices, default=ApprovalStatus.AWAITING_UNIT_HEAD
    )
    reason = models.TextField("申请理由")
    days = models.PositiveSmallIntegerField("延长天数", null=True, blank=True)
    requested_by = models.ForeignKey(Staff, verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批完成时间", null=True, blank=True)
    history = HistoricalRecords()

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = "审批"
        verbose_name_plural = "审批"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(status__in=PENDING_APPROVAL),
                name="cases_approval_one_pending_per_kind",
            ),
        ]
        indexes = [
            # Serves the "awaiting my approval" lists on the home pages.
            models.Index(fields=["status", "kind"], name="cases_approval_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.get_status_display()}）"


class OfficerChange(models.Model):
    """The officers a 变更承办人员 request proposes (the lead first); applied when the bureau head approves
    (lifecycle._change_officers), with the certificates checked again on that day."""

    approval = models.OneToOneField(
        Approval, verbose_name="审批", on_delete=models.PROTECT, related_name="officer_change"
    )
    lead = models.ForeignKey(Staff, verbose_name="主办人", on_delete=models.PROTECT, related_name="+")
    officers = models.ManyToManyField(Staff, verbose_name="变更后的承办人员", related_name="+")
    applied_on = models.DateField("变更生效日期", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "承办人员变更"
        verbose_name_plural = "承办人员变更"

    def __str__(self):
        return f"{self.approval.case.number} 承办人员变更"


class OpinionStep(models.TextChoices):
    UNIT_HEAD = "unit_head", "承办单位负责人意见"
    BUREAU_HEAD = "bureau_head", "局负责人审批意见"


class ApprovalOpinion(models.Model):
    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="opinions")
    step = models.CharField("环节", max_length=12, choices=OpinionStep.choices)
    by = models.ForeignKey(Staff, verbose_name="签署人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("签署时间", auto_now_add=True)
    agree = models.BooleanField("同意")
    opinion = models.TextField("意见")

    class Meta:
        verbose_name = "审批意见"
        verbose_name_plural = "审批意见"
        ordering = ["approval", "at"]
        constraints = [
            models.UniqueConstraint(fields=["approval", "step"], name="cases_opinion_one_per_step")
        ]

    def __str__(self):
        return f"{self.get_step_display()}：{'同意' if self.agree else '不同意'}"


# --- Working-day calendar ------------------------------------------------------------------------------


class CalendarDay(models.Model):
    """An admin-entered day that overrides the chinesecalendar package (and covers years it does not know):
    a holiday (is_working_day=False) or an adjusted working weekend (调休, is_working_day=True)."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    name = models.CharField("名称", max_length=50, help_text="如：春节、国庆节、国庆节调休上班")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}（{'上班' if self.is_working_day else '放假'}）"


def today() -> datetime.date:
    return timezone.localdate()


# --- Rules that vary by province or may change (admin-editable, docs/domain.md) ----------------------------


class RuleSettings(models.Model):
    """The bureau's editable rule parameters: one row (pk=1), defaults from docs/domain.md. Pages that use a
    value say so; every change is kept in history."""

    remedy_review_body = models.CharField("行政复议机关", max_length=100, default="武定县人民政府")
    remedy_review_days = models.PositiveSmallIntegerField("申请行政复议期限（日）", default=60)
    remedy_court = models.CharField("行政诉讼管辖法院", max_length=100, default="武定县人民法院")
    remedy_litigation_months = models.PositiveSmallIntegerField("提起行政诉讼期限（月）", default=6)
    publication_working_days = models.PositiveSmallIntegerField(
        "处罚决定公示期限（工作日）",
        default=7,
        help_text="国办发〔2018〕118号为7个工作日；总局令第45号为20个工作日。",
    )
    withdrawal_working_days = models.PositiveSmallIntegerField("撤回公示期限（工作日）", default=3)
    publication_short_months = models.PositiveSmallIntegerField("较轻处罚公示期（月）", default=3)
    publication_long_years = models.PositiveSmallIntegerField("其他处罚公示期（年）", default=3)
    publication_low_fine_threshold = models.DecimalField(
        "较轻处罚罚款上限（元）",
        max_digits=12,
        decimal_places=2,
        default=Decimal("10000.00"),
        help_text="通报批评或罚款低于该数额的，公示期为较轻处罚公示期（总局令第45号 第十三条）。",
    )
    mask_person_party_name = models.BooleanField("公示时隐去自然人当事人姓名（张某）", default=False)
    review_working_days = models.PositiveSmallIntegerField("法制审核期限（工作日）", default=10)
    major_fine_person = models.DecimalField(
        "重大执法决定：自然人罚款（元）", max_digits=12, decimal_places=2, default=Decimal("10000.00")
    )
    major_fine_organisation = models.DecimalField(
        "重大执法决定：单位罚款（元）", max_digits=12, decimal_places=2, default=Decimal("100000.00")
    )
    hearing_fine_person = models.DecimalField(
        "听证：自然人较大数额罚款（元）", max_digits=12, decimal_places=2, default=Decimal("10000.00")
    )
    hearing_fine_organisation = models.DecimalField(
        "听证：单位较大数额罚款（元）", max_digits=12, decimal_places=2, default=Decimal("100000.00")
    )
    hearing_confiscation_person = models.DecimalField(
        "听证：自然人没收较大数额（元）", max_digits=12, decimal_places=2, default=Decimal("10000.00")
    )
    hearing_confiscation_organisation = models.DecimalField(
        "听证：单位没收较大数额（元）", max_digits=12, decimal_places=2, default=Decimal("100000.00")
    )
    simple_fine_person = models.DecimalField(
        "简易程序：自然人罚款上限（元）", max_digits=12, decimal_places=2, default=Decimal("200.00")
    )
    simple_fine_organisation = models.DecimalField(
        "简易程序：单位罚款上限（元）", max_digits=12, decimal_places=2, default=Decimal("3000.00")
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "办案规则参数"
        verbose_name_plural = "办案规则参数"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="cases_rulesettings_single_row")]

    def __str__(self):
        return "办案规则参数"

    @classmethod
    def current(cls) -> "RuleSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


# The deadline table (every clock of every case as a row) lives in its own module; imported for the app registry.
# The party's answers to the 告知 and the remedies of cases under way (cases/procedure.py).
from .deadline_rows import CaseDeadline, DeadlineStale  # noqa: E402, F401
from .models_procedure import (  # noqa: E402, F401
    PartyResponse,
    ProcedureRemedy,
    RemedyKind,
    ResponseKind,
)
