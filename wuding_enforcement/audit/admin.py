from django.contrib import admin

from .models import AuditAnchor, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "occurred_at", "actor_name", "unit_name", "ip", "action", "object_repr", "outcome")
    list_filter = ("outcome", "action")
    search_fields = ("actor_name", "action", "object_repr", "object_id")
    list_select_related = ()
    show_full_result_count = False


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAdmin):
    list_display = ("seq", "hash", "created_at", "epoch", "period")
