from django.contrib import admin

from .models import EvaluationCriterion, EvaluationRound, SupervisionNotice


@admin.register(EvaluationCriterion)
class EvaluationCriterionAdmin(admin.ModelAdmin):
    list_display = ("group", "text", "points", "order", "is_active")
    list_filter = ("group", "is_active")
    list_editable = ("order", "is_active")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvaluationRound, SupervisionNotice)
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
