"""The admin of 行政检查's published lists, the 名录库 and its rule parameters (管理员 / 政策法规股). Every change is
kept in history; nothing is deleted (an item leaves the public pages when "公开" is unticked, a line of a 检查表单
when "在用" is unticked). Plans, draws and inspections have their own pages (their lives are rules, not forms)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from wuding_enforcement.roster.admin import DomainHistoryAdmin

from .models import (
    ChecklistEntry,
    Conflict,
    EntityCategory,
    FrequencyCap,
    InspectionItem,
    InspectionSettings,
    InspectionSubject,
    MarketEntity,
)


class ChecklistInline(admin.TabularInline):
    model = ChecklistEntry
    extra = 1
    can_delete = False
    fields = ("order", "text", "standard", "is_active")


class CapInline(admin.TabularInline):
    model = FrequencyCap
    extra = 0
    can_delete = False
    fields = ("risk_class", "per_year")


@admin.register(InspectionItem)
class InspectionItemAdmin(DomainHistoryAdmin):
    list_display = (
        "code",
        "item",
        "field",
        "mode",
        "power_item",
        "unit",
        "is_public",
        "updated_at",
        "public_page",
    )
    list_filter = ("is_public", "mode", "field", "unit")
    search_fields = ("code", "item", "target", "basis")
    list_select_related = ("unit", "power_item")
    inlines = [ChecklistInline, CapInline]

    @admin.display(description="公开页面")
    def public_page(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">查看</a>', reverse("inspection_public:items")
        )


@admin.register(InspectionSubject)
class InspectionSubjectAdmin(DomainHistoryAdmin):
    list_display = ("name", "nature", "unit", "order", "is_public", "updated_at")
    list_filter = ("is_public",)
    search_fields = ("name", "legal_basis")
    list_select_related = ("unit",)


@admin.register(EntityCategory)
class EntityCategoryAdmin(DomainHistoryAdmin):
    list_display = ("name", "order")
    search_fields = ("name",)


@admin.register(MarketEntity)
class MarketEntityAdmin(DomainHistoryAdmin):
    list_display = ("name", "credit_code", "kind", "risk_class", "credit_class", "unit", "deregistered_on")
    list_filter = ("risk_class", "credit_class", "kind", "categories", "unit")
    search_fields = ("name", "credit_code")
    list_select_related = ("unit",)
    filter_horizontal = ("categories",)


@admin.register(Conflict)
class ConflictAdmin(DomainHistoryAdmin):
    list_display = ("officer", "entity", "reason", "declared_on", "ended_on")
    search_fields = ("officer__real_name", "entity__name", "entity__credit_code")
    list_select_related = ("officer", "entity")
    raw_id_fields = ("entity",)
    readonly_fields = ("declared_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.declared_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(InspectionSettings)
class InspectionSettingsAdmin(DomainHistoryAdmin):
    list_display = ("__str__", "plan_publish_month", "plan_publish_day", "result_working_days", "updated_at")

    def has_add_permission(self, request):
        return not InspectionSettings.objects.exists()
