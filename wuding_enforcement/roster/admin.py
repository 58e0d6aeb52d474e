"""The admin for units, staff, roles, certificates and legal qualifications (管理员 keeps them here).

Nothing is ever deleted from the domain (staff are deactivated instead), history is visible on every page
that has it, and reverting to an old version from the history page is disabled: every write goes through
the change form, where validation, the audit receivers and the case workflow's own rules apply.
"""

import logging
from typing import cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from wuding_enforcement.audit.api import record
from wuding_enforcement.shared.refusals import Refused, show_refusal

from . import training, xlsx
from .admin_xlsx import XlsxAdminMixin
from .models import (
    Certificate,
    CertificateStatus,
    LegalQualification,
    Role,
    Staff,
    StaffQuerySet,
    TrainingAttendance,
    TrainingRequirement,
    TrainingSession,
    Unit,
)

logger = logging.getLogger("wuding.roster")


class DomainHistoryAdmin(SimpleHistoryAdmin):
    """History visible, nothing deletable, no revert from history (a revert would bypass the checks of
    the change form and, for a case, would write an old stage straight back)."""

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            # Audited and logged as a refusal by the audit middleware.
            raise PermissionDenied("历史版本仅供查看，不能恢复。")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Units -------------------------------------------------------------------------------------------------


@admin.register(Unit)
class UnitAdmin(DomainHistoryAdmin):
    list_display = ("name", "kind", "head", "phone", "order", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    list_select_related = ("head",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        request._unit_being_edited = obj  # read by formfield_for_foreignkey below
        return super().get_form(request, obj, change=change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "head":
            # A unit's head is an active member of staff holding the 负责人 role (Staff.is_head_of checks
            # both); the current head stays selectable so an old record still displays.
            current = getattr(request, "_unit_being_edited", None)
            q = Q(is_active=True, groups__name=Role.UNIT_HEAD)
            if current is not None and current.head_id:
                q |= Q(pk=current.head_id)
            kwargs["queryset"] = Staff.objects.filter(q).distinct().select_related("unit")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Staff -------------------------------------------------------------------------------------------------


class CertificateInline(ReadOnlyInline):
    model = Certificate
    fk_name = "holder"
    fields = ("number", "kind", "unit", "issued_on", "expires_on", "status_today")
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = "执法证件（在“执法证件”中维护）"

    @admin.display(description="当前状态")
    def status_today(self, obj):
        return obj.status_label_on()


class LegalQualificationInline(ReadOnlyInline):
    model = LegalQualification
    fields = ("number", "kind", "granted_on")
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = "法律职业资格（在“法律职业资格”中维护）"


def _role_groups():
    return Group.objects.filter(name__in=[r.value for r in Role]).order_by("name")


class StaffCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = Staff
        fields = ("username", "real_name", "unit", "phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        unit.required = True
        unit.queryset = Unit.objects.filter(is_active=True)


class StaffChangeForm(UserChangeForm):
    # Set per request by StaffAdmin.get_form (the form class is built afresh for each request).
    acting_user: Staff | None = None

    class Meta(UserChangeForm.Meta):
        model = Staff
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.is_active and self.cleaned_data.get("is_active") is False:
            refusal = self.instance.deactivation_refusal(self.acting_user)
            if refusal:
                self.add_error("is_active", refusal)
        return cleaned


class StaffPasswordForm(AdminPasswordChangeForm):
    """A password set by an admin is known to the admin: the owner must replace it at the next login."""

    def save(self, commit=True):
        self.user.must_change_password = True
        user = super().save(commit=commit)
        record("roster.staff.password_set_by_admin", obj=user, detail={"usable": user.has_usable_password()})
        return user


class TrainingBehindFilter(admin.SimpleListFilter):
    title = "本年培训学时"
    parameter_name = "training"

    def lookups(self, request, model_admin):
        return [("behind", "未达到年度最低学时")]

    def queryset(self, request, queryset):
        if self.value() == "behind":
            from django.utils import timezone

            behind = training.behind(timezone.localdate().year)
            return queryset.filter(pk__in=[s.person.pk for s in behind])
        return queryset


@admin.register(Staff)
class StaffAdmin(XlsxAdminMixin, DomainHistoryAdmin, UserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    change_password_form = StaffPasswordForm
    list_display = (
        "username",
        "real_name",
        "unit",
        "roles",
        "phone",
        "is_active",
        "must_change_password",
        "training_hours_this_year",
    )
    list_filter = ("is_active", "unit", "groups", "must_change_password", TrainingBehindFilter)
    search_fields = ("username", "real_name", "phone")
    ordering = ("unit__order", "username")
    list_select_related = ("unit",)
    filter_horizontal = ()
    actions = ["deactivate_selected"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("基本信息", {"fields": ("real_name", "unit", "phone", "email")}),
        (
            "角色与状态",
            {"fields": ("groups", "is_active", "must_change_password", "legal_review_started_on")},
        ),
        # is_staff is left out on purpose: admin_site.py lets in the 管理员 role (with two-factor), not the flag.
        ("超级用户", {"fields": ("is_superuser",)}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "real_name",
                    "unit",
                    "phone",
                    "usable_password",
                    "password1",
                    "password2",
                ),
                "description": "管理员创建的账号，本人首次登录后须修改密码。",
            },
        ),
    )
    inlines = [CertificateInline, LegalQualificationInline]

    xlsx_noun = "人员"
    xlsx_filename = "工作人员名册"

    @admin.display(description="本年培训学时", ordering="training_hours")
    def training_hours_this_year(self, obj):
        return obj.training_hours

    def xlsx_export(self, actor):
        return xlsx.export_staff(actor=actor)

    def xlsx_import(self, file, actor):
        return xlsx.import_staff(file, actor=actor)

    def xlsx_headers(self):
        return xlsx.STAFF_HEADERS

    def get_queryset(self, request):
        from django.utils import timezone

        # The groups for the 角色 column; this year's hours for the 培训学时 column (one query for both).
        staff = cast(StaffQuerySet, super().get_queryset(request))
        return staff.prefetch_related("groups").with_training_hours(timezone.localdate().year)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, StaffChangeForm):
            form.acting_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined"]
        if not request.user.is_superuser:
            # Only a superuser makes a superuser; an admin works through the roles.
            readonly.append("is_superuser")
        return readonly

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = _role_groups()
            kwargs["widget"] = forms.CheckboxSelectMultiple
            field = super().formfield_for_manytomany(db_field, request, **kwargs)
            if field is not None:
                field.label = "角色"
                field.help_text = "可同时担任多个角色。"
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    @admin.display(description="角色")
    def roles(self, obj):
        return "、".join(sorted(g.name for g in obj.groups.all()))

    @admin.action(description="停用所选人员（不删除，停用后立即退出登录）", permissions=["change"])
    def deactivate_selected(self, request, queryset):
        count = 0
        for person in queryset.filter(is_active=True):
            # One save per person (Staff.deactivate): the receivers end the sessions and audit it.
            try:
                count += person.deactivate(by=request.user)
            except Refused as exc:
                show_refusal(request, exc)
        self.message_user(request, f"已停用 {count} 名人员。", messages.SUCCESS)


# --- Certificates --------------------------------------------------------------------------------------------


class CertificateStatusTodayFilter(admin.SimpleListFilter):
    title = "当前状态"
    parameter_name = "status_today"

    def lookups(self, request, model_admin):
        return CertificateStatus.choices

    def queryset(self, request, queryset):
        if self.value() in CertificateStatus.values:
            return queryset.with_status_on(self.value())
        return queryset


@admin.register(Certificate)
class CertificateAdmin(XlsxAdminMixin, DomainHistoryAdmin):
    list_display = ("number", "holder", "unit", "kind", "status_today", "expires_on", "card_link")
    list_filter = (CertificateStatusTodayFilter, "unit", "kind")
    readonly_fields = ("card_link",)
    search_fields = ("number", "holder__real_name", "holder__username")
    list_select_related = ("holder", "unit")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "kind",
                    "number",
                    "holder",
                    "unit",
                    "fields",
                    "issuing_authority",
                    "photo",
                    "card_link",
                )
            },
        ),
        ("有效期与状态", {"fields": ("issued_on", "expires_on", "status", "status_since", "status_reason")}),
        ("执法资格考试", {"fields": ("exam_passed_on", "exam_score", "exam_note")}),
    )

    xlsx_noun = "证件"
    xlsx_filename = "执法证件名册"

    def xlsx_export(self, actor):
        return xlsx.export_certificates(actor=actor)

    def xlsx_import(self, file, actor):
        return xlsx.import_certificates(file, actor=actor)

    def xlsx_headers(self):
        return xlsx.CERTIFICATE_HEADERS

    @admin.display(description="当前状态")
    def status_today(self, obj):
        # 过期 is never stored: it follows from 有效期至 (Certificate.status_on).
        return obj.status_label_on()

    @admin.display(description="核验卡")
    def card_link(self, obj):
        """The printable 核验卡 and the signed QR code (the public site's staff page, disclosure/views/cards.py)."""
        if obj is None or not obj.pk:
            return "保存后可打印核验卡"
        try:
            url = reverse("disclosure:certificate_card", args=[obj.number])
        except NoReverseMatch:  # the public site is not installed
            return "—"
        return format_html('<a href="{}">核验卡与二维码</a>', url)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "holder":
            kwargs["queryset"] = Staff.objects.select_related("unit")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(LegalQualification)
class LegalQualificationAdmin(DomainHistoryAdmin):
    list_display = ("number", "holder", "kind", "granted_on")
    list_filter = ("kind",)
    search_fields = ("number", "holder__real_name", "holder__username")
    list_select_related = ("holder",)


# --- Training (定期培训) ---------------------------------------------------------------------------------


class TrainingAttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    extra = 0
    autocomplete_fields = ("staff",)
    fields = ("staff", "hours")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrainingSession)
class TrainingSessionAdmin(XlsxAdminMixin, DomainHistoryAdmin):
    list_display = ("date", "topic", "kind", "hours", "trainer", "attendee_count")
    list_filter = ("kind", "date")
    search_fields = ("topic", "trainer")
    date_hierarchy = "date"
    inlines = [TrainingAttendanceInline]
    change_list_template = "admin/roster/staff/change_list.html"

    xlsx_noun = "参训记录"
    xlsx_filename = "培训记录"

    @admin.display(description="参训人数")
    def attendee_count(self, obj):
        return obj.attendee_total

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(attendee_total=Count("attendance"))

    def xlsx_export(self, actor):
        from django.utils import timezone

        return training.export_attendance(timezone.localdate().year, actor=actor)

    def xlsx_import(self, file, actor):
        return training.import_attendance(file, actor=actor)

    def xlsx_headers(self):
        return training.ATTENDANCE_HEADERS


@admin.register(TrainingRequirement)
class TrainingRequirementAdmin(DomainHistoryAdmin):
    def has_add_permission(self, request):
        return not TrainingRequirement.objects.exists() and super().has_add_permission(request)

    def changelist_view(self, request, extra_context=None):
        from django.shortcuts import redirect

        return redirect("admin:roster_trainingrequirement_change", TrainingRequirement.current().pk)
