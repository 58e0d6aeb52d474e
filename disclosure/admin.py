"""The admin of the public site's content. Every change is kept in history (simple-history, "动态调整");
nothing is deleted: an item leaves the public site when "公开" is unticked."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from wuding_enforcement.roster.admin import DomainHistoryAdmin
from wuding_enforcement.shared.chinese import cn_date
from wuding_enforcement.shared.refusals import Refused, show_refusal

from . import statistics
from .models import (
    AnnualReport,
    Channel,
    CreditExport,
    CreditExportLine,
    EnforcementSubject,
    ErrorReport,
    Procedure,
    ProcedureStep,
    Publication,
    Redaction,
    ServiceGuide,
)

# --- 事前公开 (pre-enforcement) ---


class PublicPageLinkMixin:
    public_url_name = ""

    @admin.display(description="公开页面")
    def public_page(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">查看</a>', reverse(self.public_url_name)
        )


@admin.register(EnforcementSubject)
class EnforcementSubjectAdmin(PublicPageLinkMixin, DomainHistoryAdmin):
    public_url_name = "disclosure:subjects"
    list_display = ("name", "nature", "unit", "order", "is_public", "updated_at", "public_page")
    list_filter = ("is_public", "nature")
    search_fields = ("name", "legal_basis", "duties")
    list_select_related = ("unit",)


class ProcedureStepInline(admin.TabularInline):
    """Steps are edited in place; a step is taken out of the flowchart by unticking "在用" (kept in history)."""

    model = ProcedureStep
    extra = 1
    can_delete = False
    fields = ("order", "name", "actor", "time_limit", "basis", "is_active")


@admin.register(Procedure)
class ProcedureAdmin(DomainHistoryAdmin):
    list_display = ("title", "category", "order", "is_public", "updated_at", "public_page")
    list_filter = ("is_public", "category")
    search_fields = ("title", "summary", "basis")
    inlines = [ProcedureStepInline]

    @admin.display(description="流程图")
    def public_page(self, obj):
        url = reverse("disclosure:procedure_detail", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">查看</a>', url)


@admin.register(ServiceGuide)
class ServiceGuideAdmin(PublicPageLinkMixin, DomainHistoryAdmin):
    public_url_name = "disclosure:guides"
    list_display = ("name", "accepting_body", "time_limit", "is_public", "updated_at", "public_page")
    list_filter = ("is_public", "accepting_body")
    search_fields = ("name", "conditions", "materials", "basis")


@admin.register(Channel)
class ChannelAdmin(PublicPageLinkMixin, DomainHistoryAdmin):
    public_url_name = "disclosure:channels"
    list_display = ("name", "kind", "phone", "order", "is_public", "updated_at", "public_page")
    list_filter = ("kind", "is_public")
    search_fields = ("name", "description", "address")


# --- 年度统计 (statistics) ---


@admin.register(AnnualReport)
class AnnualReportAdmin(DomainHistoryAdmin):
    """Admins enter the figures the portal does not hold; publishing freezes the whole report."""

    list_display = ("year", "licensing", "expropriation", "requisition", "inspections_outside_cases", "state")
    readonly_fields = ("published_on", "published_by")
    actions = ["publish_reports"]

    def changelist_view(self, request, extra_context=None):
        due = statistics.due_state()
        if due.flagged:
            level = messages.ERROR if due.state == "overdue" else messages.WARNING
            self.message_user(request, due.message, level=level)
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            # A published report is frozen: its figures are what the public saw.
            return [f.name for f in obj._meta.concrete_fields if f.name != "id"]
        return self.readonly_fields

    @admin.display(description="状态")
    def state(self, obj):
        if obj.is_published:
            return f"已于{cn_date(obj.published_on)}发布"
        due = statistics.due_state()
        return "未发布（已逾期）" if due.year == obj.year and due.state == "overdue" else "未发布"

    @admin.action(description="发布所选年度统计（发布后数据冻结）", permissions=["publish"])
    def publish_reports(self, request, queryset):
        for report in queryset.order_by("year"):
            try:
                report.publish(by=request.user)
            except Refused as refused:
                show_refusal(request, refused)
            else:
                self.message_user(request, f"{report.year}年度行政执法统计已发布。", level=messages.SUCCESS)

    def has_publish_permission(self, request):
        return request.user.has_perm("disclosure.publish_annualreport")


# --- 事后公开 (publication) ---
# Read-only here: publications change only through their review actions (disclosure/models/publication.py,
# called from the staff pages), which audit every change; the admin shows them, with the redaction log.


class RedactionInline(admin.TabularInline):
    model = Redaction
    fields = [
        "start",
        "end",
        "kind",
        "original",
        "replacement",
        "source",
        "created_by",
        "removed_at",
        "removal_reason",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = [
        "document_number",
        "party_name",
        "violation_type",
        "status",
        "decided_on",
        "published_on",
        "ends_on",
    ]
    list_filter = ["status", "unit"]
    search_fields = ["document_number", "party_name"]
    exclude = ["original_text", "search_grams"]
    inlines = [RedactionInline]


@admin.register(ErrorReport)
class ErrorReportAdmin(ReadOnlyAdmin):
    list_display = ["code", "publication", "status", "created_at", "replied_at"]
    list_filter = ["status"]
    exclude = ["ip_hash"]


# --- 报送信用信息公示系统 (credit-system export) ---
# Read-only: exports are made on the staff page (disclosure/views/credit.py), audited, never changed.


class CreditExportLineInline(admin.TabularInline):
    model = CreditExportLine
    fields = ["position", "kind", "publication", "sequence", "changed_on", "note", "snapshot_hash"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CreditExport)
class CreditExportAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "created_at",
        "created_by",
        "period_from",
        "period_to",
        "scope",
        "new_count",
        "corrected_count",
        "withdrawn_count",
        "stopped_count",
    ]
    list_select_related = ["created_by"]
    inlines = [CreditExportLineInline]
