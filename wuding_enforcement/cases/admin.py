"""The admin for the shared case domain: the powers list and the working-day calendar are maintained here;
cases and approvals are only LOOKED AT here.

Case and Approval are fully view-only in the admin (no add, change or delete, no revert from history):
every field of a case belongs either to the workflow (stage, numbers, dates: only Case.advance() writes
them) or to the officers who handle it on the case pages, where access checks and the audit log apply.
An admin who could correct a title here would be editing a case file outside its record. Party ID numbers
are shown masked, addresses and phone numbers not at all: the admin needs to find a case, not read it.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from wuding_enforcement.roster.admin import DomainHistoryAdmin, ReadOnlyInline

from .models import (
    Approval,
    ApprovalOpinion,
    CalendarDay,
    Case,
    CaseOfficer,
    CaseTransition,
    Party,
    PowerItem,
    RuleSettings,
)


@admin.register(PowerItem)
class PowerItemAdmin(DomainHistoryAdmin):
    list_display = ("code", "name", "kind", "field", "responsible_unit", "is_active", "updated_at")
    list_filter = ("kind", "field", "is_active", "responsible_unit")
    search_fields = ("code", "name", "legal_basis", "violation_basis", "penalty_basis", "field")
    list_select_related = ("responsible_unit",)


@admin.register(CalendarDay)
class CalendarDayAdmin(DomainHistoryAdmin):
    list_display = ("date", "name", "is_working_day")
    list_filter = ("is_working_day",)
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(RuleSettings)
class RuleSettingsAdmin(DomainHistoryAdmin):
    """One row of rule parameters; the change list opens it directly."""

    def has_add_permission(self, request):
        return not RuleSettings.objects.exists() and super().has_add_permission(request)

    def changelist_view(self, request, extra_context=None):
        from django.shortcuts import redirect

        obj = RuleSettings.current()
        return redirect(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", obj.pk)


class ViewOnlyAdmin(DomainHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CaseInline(ReadOnlyInline):
    """An inline of a case page: visible to whoever may view the case in the admin."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("cases.view_case")


class PartyInline(CaseInline):
    model = Party
    fields = ("kind", "name", "masked_id", "credit_code", "legal_representative", "operator", "is_minor")
    readonly_fields = fields

    @admin.display(description="证件号码")
    def masked_id(self, obj):
        return obj.masked_id_number


class CaseOfficerInline(CaseInline):
    model = CaseOfficer
    fields = ("officer", "is_lead", "assigned_at")
    readonly_fields = fields


class CaseTransitionInline(CaseInline):
    model = CaseTransition
    fields = ("from_stage", "to_stage", "on", "actor", "at", "reason")
    readonly_fields = fields


class ApprovalInline(CaseInline):
    model = Approval
    fields = ("kind", "status", "requested_by", "requested_at", "decided_at")
    readonly_fields = fields
    show_change_link = True

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("cases.view_approval")


@admin.register(Case)
class CaseAdmin(ViewOnlyAdmin):
    list_display = (
        "number",
        "title",
        "handling_unit",
        "procedure",
        "stage",
        "lead_date",
        "filed_on",
        "closed_on",
    )
    list_filter = ("stage", "procedure", "handling_unit")
    search_fields = ("lead_number", "case_number", "title")
    list_select_related = ("handling_unit",)
    show_full_result_count = False
    fieldsets = (
        ("编号与阶段", {"fields": ("lead_number", "case_number", "procedure", "stage", "suspended_from")}),
        (
            "案件",
            {"fields": ("title", "lead_source", "lead_date", "lead_summary", "handling_unit", "matters")},
        ),
        ("日期", {"fields": ("filed_on", "decided_on", "served_on", "closed_on", "archived_on")}),
        ("登记", {"fields": ("created_by", "created_at", "updated_at")}),
    )
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]
    inlines = [PartyInline, CaseOfficerInline, CaseTransitionInline, ApprovalInline]

    @admin.display(description="编号", ordering="lead_seq")
    def number(self, obj):
        return obj.number


class ApprovalOpinionInline(ReadOnlyInline):
    model = ApprovalOpinion
    fields = ("step", "by", "agree", "opinion", "at")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("cases.view_approval")


@admin.register(Approval)
class ApprovalAdmin(ViewOnlyAdmin):
    list_display = ("__str__", "case_link", "kind", "status", "requested_by", "requested_at", "decided_at")
    list_filter = ("status", "kind")
    search_fields = ("case__lead_number", "case__case_number", "case__title")
    list_select_related = ("case", "requested_by")
    fields = ("case", "kind", "status", "reason", "days", "requested_by", "requested_at", "decided_at")
    readonly_fields = fields
    inlines = [ApprovalOpinionInline]

    @admin.display(description="案件")
    def case_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:cases_case_change", args=[obj.case_id]), obj.case.number
        )
