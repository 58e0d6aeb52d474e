"""The roster: units (股室队所), staff (the user model), roles, enforcement certificates, legal qualifications."""

import datetime
import logging
from decimal import Decimal
from functools import cached_property
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.shared.chinese import cn_date
from wuding_enforcement.shared.refusals import Refused

from .certification import entitlement_on
from .validators import validate_certificate_photo

logger = logging.getLogger("wuding.roster")

# 行政处罚法（2021）施行日. A reviewer who began legal-review work after this date must hold 法律职业资格.
LEGAL_REVIEW_QUALIFICATION_CUTOFF = datetime.date(2021, 7, 15)


class Role(models.TextChoices):
    """Roles are Django groups with exactly these names; one person may hold several."""

    OFFICER = "执法人员", "执法人员"
    UNIT_HEAD = "负责人", "负责人（股室队所）"
    LEGAL_REVIEWER = "法制审核人员", "法制审核人员"
    BUREAU_HEAD = "局负责人", "局负责人"
    RECORDS_KEEPER = "档案管理员", "档案管理员"
    ADMIN = "管理员", "管理员"


class UnitKind(models.TextChoices):
    OFFICE = "office", "股室"
    BRIGADE = "brigade", "执法大队"
    STATION = "station", "市场监管所"


class Unit(models.Model):
    name = models.CharField("单位名称", max_length=100, unique=True)
    kind = models.CharField("类别", max_length=10, choices=UnitKind.choices)
    head = models.ForeignKey(
        "roster.Staff",
        verbose_name="负责人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="headed_units",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=40, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("在用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位（股室队所）"
        verbose_name_plural = "单位（股室队所）"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class StaffQuerySet(models.QuerySet):
    def with_role(self, role: str):
        return self.filter(groups__name=role, is_active=True)

    def with_training_hours(self, year: int):
        """Annotate `training_hours`: the hours of the year's training attended (attendance hours, or the
        session's when none were entered), 0 when none."""
        from django.db.models import DecimalField, Sum, Value
        from django.db.models.functions import Coalesce

        in_year = Q(attendance__session__date__year=year)
        return self.annotate(
            training_hours=Coalesce(
                Sum(Coalesce("attendance__hours", "attendance__session__hours"), filter=in_year),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=6, decimal_places=1),
            )
        )


# The user manager (create_user, create_superuser) with the QuerySet's methods. Django needs a named subclass
# to serialise the manager into migrations; mypy cannot type a base computed by a call, hence the ignore.
class StaffManager(UserManager.from_queryset(StaffQuerySet)):  # type: ignore[misc]
    pass


class Staff(AbstractUser):
    """A member of the bureau's staff. Citizens never have accounts."""

    real_name = models.CharField("姓名", max_length=50)
    unit = models.ForeignKey(
        Unit, verbose_name="所在单位", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    phone = models.CharField("联系电话", max_length=40, blank=True)
    must_change_password = models.BooleanField(
        "首次登录须修改密码", default=False, help_text="由管理员创建或重置密码的账号，登录后须先修改密码。"
    )
    legal_review_started_on = models.DateField(
        "开始从事法制审核工作日期",
        null=True,
        blank=True,
        help_text="2021年7月15日之后开始从事法制审核的人员须取得法律职业资格（行政处罚法 第五十八条）。",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    # Read by simple-history when the row is saved: the namespaced verb (deactivate() and the imports set it).
    _change_reason: str

    objects: ClassVar[StaffManager] = StaffManager()

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        ordering = ["unit__order", "username"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        if not self.is_active or not self.pk:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    def deactivation_refusal(self, by) -> str:
        """Why `by` may not deactivate this account ("" when they may): nobody stops their own account (the
        last admin would lock everyone out of the admin)."""
        if by is not None and by.pk == self.pk:
            return "不能停用自己的账号。"
        return ""

    def deactivate(self, *, by) -> bool:
        """Stop the account — staff are never deleted. The receivers end every session and audit it
        (roster/receivers.py). False when it was already inactive."""
        refusal = self.deactivation_refusal(by)
        if refusal:
            logger.warning("refused: %s tried to deactivate their own account", self.username)
            raise Refused(refusal)
        if not self.is_active:
            return False
        self.is_active = False
        self._change_reason = "roster.staff.deactivated"
        self.save(update_fields=["is_active"])
        return True

    def is_head_of(self, unit) -> bool:
        return unit is not None and unit.head_id == self.pk and self.has_role(Role.UNIT_HEAD)

    def valid_certificate_on(self, date: datetime.date) -> "Certificate | None":
        """The certificate that entitles this person to enforce on `date`, or None: the one rule of
        roster/certification.py (it reads `certificates.all()`, so a prefetch makes it free)."""
        return entitlement_on(self, date).certificate

    def review_eligibility_on(self, date: datetime.date) -> tuple[bool, str]:
        """行政处罚法 第五十八条: a reviewer who began after 2021-07-15 must hold 法律职业资格."""
        if not self.has_role(Role.LEGAL_REVIEWER):
            return False, f"{self.display_name} 不是法制审核人员。"
        started = self.legal_review_started_on
        if started is not None and started <= LEGAL_REVIEW_QUALIFICATION_CUTOFF:
            return True, ""
        if self.legal_qualifications.filter(granted_on__lte=date).exists():
            return True, ""
        return False, (
            f"{self.display_name} 于2021年7月15日之后开始（或尚未开始）从事法制审核工作，"
            "须取得国家法律职业资格方可审核（行政处罚法 第五十八条）。"
        )


class CertificateKind(models.TextChoices):
    ENFORCEMENT = "enforcement", "行政执法证"
    ENTRUSTED = "entrusted", "行政委托执法证"


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "暂扣"
    REVOKED = "revoked", "吊销"
    CANCELLED = "cancelled", "注销"
    # Never stored: a certificate past its expiry date reads as 过期 by itself (status_on).
    EXPIRED = "expired", "过期"


STORED_STATUSES = [c for c in CertificateStatus if c != CertificateStatus.EXPIRED]


class CertificateQuerySet(models.QuerySet):
    def valid_on(self, date: datetime.date):
        """Certificates that entitle their holder to enforce on `date` (行政处罚法 第四十二条)."""
        return self.filter(issued_on__lte=date, expires_on__gte=date).filter(
            Q(status=CertificateStatus.VALID) | Q(status_since__gt=date)
        )

    def with_status_on(self, status: str, date: datetime.date | None = None):
        """Certificates whose status_on(date) is `status` (the same rule in SQL, for list filters)."""
        date = date or timezone.localdate()
        not_yet_changed = Q(status=CertificateStatus.VALID) | Q(status_since__gt=date)
        if status == CertificateStatus.EXPIRED:
            return self.filter(not_yet_changed, expires_on__lt=date)
        if status == CertificateStatus.VALID:
            return self.filter(not_yet_changed, expires_on__gte=date)
        return self.filter(status=status, status_since__lte=date)

    def printable_by(self, user):
        """Certificates whose signed QR code and printed 核验卡 `user` may have: their own, or any for an
        admin (who keeps the roster). Everyone else: none (the views answer 404)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.has_role(Role.ADMIN):
            return self.all()
        return self.filter(holder=user)

    def expiring_within(self, days: int, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(
            status=CertificateStatus.VALID,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=days),
        )


class Certificate(models.Model):
    kind = models.CharField(
        "证件类型", max_length=12, choices=CertificateKind.choices, default=CertificateKind.ENFORCEMENT
    )
    number = models.CharField("证件编号", max_length=40, unique=True)
    holder = models.ForeignKey(
        Staff, verbose_name="持证人", on_delete=models.PROTECT, related_name="certificates"
    )
    photo = models.ImageField(
        "照片",
        upload_to="certificates/photos/",
        blank=True,
        validators=[validate_certificate_photo],
        help_text="JPEG 或 PNG，不超过 2 MB，每边 120–2000 像素；在证件核验页和核验卡上公开显示",
    )
    unit = models.ForeignKey(
        Unit, verbose_name="执法单位", on_delete=models.PROTECT, related_name="certificates"
    )
    fields = models.CharField(
        "执法类别", max_length=200, help_text="多个类别用“、”分隔，如：食品安全、产品质量"
    )
    issuing_authority = models.CharField("发证机关", max_length=100, default="云南省人民政府")
    issued_on = models.DateField("发证日期")
    expires_on = models.DateField("有效期至")
    status = models.CharField(
        "状态",
        max_length=10,
        choices=[(c.value, c.label) for c in STORED_STATUSES],
        default=CertificateStatus.VALID,
    )
    status_since = models.DateField(
        "状态变更日期",
        null=True,
        blank=True,
        help_text="暂扣、吊销、注销的生效日期；此前的执法活动仍按有效核对。",
    )
    status_reason = models.CharField("状态变更原因", max_length=200, blank=True)
    exam_passed_on = models.DateField("执法资格考试合格日期", null=True, blank=True)
    exam_score = models.DecimalField("考试成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    exam_note = models.CharField("考试记录", max_length=200, blank=True)
    history = HistoricalRecords()
    # Read by simple-history when the row is saved: the namespaced verb (the imports set it).
    _change_reason: str

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "执法证件"
        verbose_name_plural = "执法证件"
        ordering = ["unit__order", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("issued_on")),
                name="roster_certificate_expiry_after_issue",
            ),
            models.CheckConstraint(
                condition=~Q(status=CertificateStatus.EXPIRED), name="roster_certificate_expired_not_stored"
            ),
            models.CheckConstraint(
                condition=Q(status=CertificateStatus.VALID) | Q(status_since__isnull=False),
                name="roster_certificate_status_change_dated",
            ),
        ]
        indexes = [
            # Serves valid_on(date) when checking the officers of an act, and the expiring-soon list.
            models.Index(fields=["holder", "expires_on"], name="roster_cert_holder_exp_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}（{self.holder.display_name}）"

    def clean(self):
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": "有效期至必须晚于发证日期。"})
        if self.status != CertificateStatus.VALID and not self.status_since:
            raise ValidationError({"status_since": "暂扣、吊销、注销须填写状态变更日期。"})
        if self.status == CertificateStatus.VALID:
            self.status_since = None

    def status_on(self, date: datetime.date | None = None) -> str:
        """The status as of `date`: stored status, or 过期 once the expiry date has passed."""
        date = date or timezone.localdate()
        if self.status != CertificateStatus.VALID and self.status_since and date >= self.status_since:
            return self.status
        if date > self.expires_on:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    def status_label_on(self, date: datetime.date | None = None) -> str:
        return CertificateStatus(self.status_on(date)).label

    def is_valid_on(self, date: datetime.date) -> bool:
        return self.issued_on <= date and self.status_on(date) == CertificateStatus.VALID

    def invalid_reason_on(self, date: datetime.date) -> str:
        if date < self.issued_on:
            return f"证件 {self.number} 于{cn_date(self.issued_on)}才发证"
        status = self.status_on(date)
        if status == CertificateStatus.EXPIRED:
            return f"证件 {self.number} 已于{cn_date(self.expires_on)}过期"
        if status != CertificateStatus.VALID:
            return f"证件 {self.number} 已{CertificateStatus(status).label}（{cn_date(self.status_since)}起）"
        return ""

    @property
    def field_list(self) -> list[str]:
        return [
            f.strip() for f in self.fields.replace(",", "、").replace("，", "、").split("、") if f.strip()
        ]


class QualificationKind(models.TextChoices):
    A = "A", "A类"
    B = "B", "B类"
    C = "C", "C类"


class LegalQualification(models.Model):
    """国家统一法律职业资格证书 (or the earlier 律师/司法考试 certificate)."""

    holder = models.ForeignKey(
        Staff, verbose_name="持有人", on_delete=models.PROTECT, related_name="legal_qualifications"
    )
    number = models.CharField("证书编号", max_length=40, unique=True)
    kind = models.CharField(
        "类别", max_length=2, choices=QualificationKind.choices, default=QualificationKind.A
    )
    granted_on = models.DateField("取得日期")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "法律职业资格"
        verbose_name_plural = "法律职业资格"
        ordering = ["holder", "granted_on"]

    def __str__(self):
        return f"法律职业资格 {self.number}（{self.holder.display_name}）"


class LoginSession(models.Model):
    """Which session keys belong to whom, so that deactivating a user ends all their sessions."""

    user = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"

    def __str__(self):
        return f"{self.user_id}@{self.created_at:%Y-%m-%d %H:%M}"


# --- Training (定期培训) ---------------------------------------------------------------------------------


class TrainingKind(models.TextChoices):
    LAW = "law", "法律知识"
    BUSINESS = "business", "业务知识"
    SKILLS = "skills", "执法技能"
    EXAM = "exam", "执法资格考试辅导"
    REVIEW = "review", "法制审核业务"
    OTHER = "other", "其他"


class TrainingRequirement(models.Model):
    """Yearly minimum training hours (admin-editable, one row). The plan requires regular training of legal
    reviewers, and officers keep their certificates through it."""

    officer_min_hours = models.DecimalField(
        "执法人员每年最低学时", max_digits=5, decimal_places=1, default=Decimal("60.0")
    )
    reviewer_min_hours = models.DecimalField(
        "法制审核人员每年最低学时", max_digits=5, decimal_places=1, default=Decimal("60.0")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训学时要求"
        verbose_name_plural = "培训学时要求"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="roster_trainingrequirement_single_row")
        ]

    def __str__(self):
        return "培训学时要求"

    @classmethod
    def current(cls) -> "TrainingRequirement":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    def minimum_for_roles(self, role_names, *, has_certificate: bool) -> Decimal | None:
        """The stricter minimum of a person's roles (a certificate holder counts as an officer), or None."""
        minimums = []
        if Role.LEGAL_REVIEWER in role_names:
            minimums.append(self.reviewer_min_hours)
        if Role.OFFICER in role_names or has_certificate:
            minimums.append(self.officer_min_hours)
        return max(minimums) if minimums else None


class TrainingSession(models.Model):
    date = models.DateField("培训日期")
    topic = models.CharField("培训主题", max_length=200)
    kind = models.CharField("类别", max_length=10, choices=TrainingKind.choices)
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    trainer = models.CharField("授课人", max_length=100, blank=True)
    organiser = models.ForeignKey(
        Unit, verbose_name="组织单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField("地点", max_length=200, blank=True)
    attendees = models.ManyToManyField(
        Staff, through="TrainingAttendance", related_name="training_sessions", verbose_name="参训人员"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训"
        verbose_name_plural = "培训"
        ordering = ["-date", "topic"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=40), name="roster_training_hours_range"
            ),
            models.UniqueConstraint(fields=["date", "topic"], name="roster_training_unique_date_topic"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.topic}"


class TrainingAttendance(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="attendance")
    staff = models.ForeignKey(
        Staff, verbose_name="参训人员", on_delete=models.PROTECT, related_name="attendance"
    )
    hours = models.DecimalField(
        "计入学时",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="留空则按本次培训的学时计；部分参加的填实际学时。",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "参训记录"
        verbose_name_plural = "参训记录"
        constraints = [models.UniqueConstraint(fields=["session", "staff"], name="roster_attendance_once")]
        indexes = [
            # Serves the yearly hours per person (roster list, supervision dashboard).
            models.Index(fields=["staff", "session"], name="roster_attendance_staff_idx"),
        ]

    def __str__(self):
        return f"{self.staff} · {self.session}"

    def clean(self):
        if self.hours is not None and self.session_id and self.hours > self.session.hours:
            raise ValidationError({"hours": "计入学时不能超过本次培训的学时。"})
