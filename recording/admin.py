"""recording's one admin page: the case file's filing order (卷内文书排列顺序, recording.models.filing), edited by
admins like the other rule parameters. Documents, evidence and case files are never edited here: they belong to
the case pages, their access checks and the audit log."""

from django.contrib import admin
from django.shortcuts import redirect

from wuding_enforcement.audit.api import record
from wuding_enforcement.roster.admin import DomainHistoryAdmin

from .models.filing import FilingOrder


@admin.register(FilingOrder)
class FilingOrderAdmin(DomainHistoryAdmin):
    """One row; the change list opens it directly. Each change is checked (FilingOrder.clean names every
    unknown line), kept in history and written to the audit log with the old and the new order."""

    fields = ("main_order", "sub_order", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return not FilingOrder.objects.exists() and super().has_add_permission(request)

    def changelist_view(self, request, extra_context=None):
        obj = FilingOrder.current()
        return redirect(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", obj.pk)

    def save_model(self, request, obj, form, change):
        before = FilingOrder.objects.filter(pk=obj.pk).values("main_order", "sub_order").first() or {}
        obj._change_reason = "recording.filing_order.changed"
        super().save_model(request, obj, form, change)
        record(
            "recording.filing_order.changed",
            obj=obj,
            actor=request.user,
            request=request,
            detail={
                "before": before,
                "after": {"main_order": obj.main_order, "sub_order": obj.sub_order},
            },
        )
