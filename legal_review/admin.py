"""Admin: the catalogue of major decisions and the discretion benchmarks are maintained here; review rounds,
flags, coordinations and 集体讨论 are only LOOKED AT here (their life runs through the domain methods, with
their checks and the audit log — an admin who could set a round to 同意 would bypass the review)."""

from django.contrib import admin

from wuding_enforcement.cases.admin import ViewOnlyAdmin
from wuding_enforcement.roster.admin import DomainHistoryAdmin, ReadOnlyInline

from .models import (
    AdviserOpinion,
    BenchmarkRange,
    ChecklistItem,
    CollectiveDiscussion,
    Coordination,
    DiscretionBenchmark,
    MajorCriterion,
    MajorFlag,
    Objection,
    ReviewRound,
)


@admin.register(MajorCriterion)
class MajorCriterionAdmin(DomainHistoryAdmin):
    list_display = ("order", "code", "name", "rule", "requires_collective", "is_active")
    list_display_links = ("code", "name")
    list_filter = ("is_active", "requires_collective", "rule")
    search_fields = ("code", "name", "description")


class BenchmarkRangeInline(admin.TabularInline):
    model = BenchmarkRange
    extra = 0
    can_delete = False


@admin.register(DiscretionBenchmark)
class DiscretionBenchmarkAdmin(DomainHistoryAdmin):
    list_display = ("power_item", "violation", "is_active", "updated_at")
    list_filter = ("is_active", "power_item__field")
    search_fields = ("power_item__code", "power_item__name", "violation", "legal_basis")
    list_select_related = ("power_item",)
    autocomplete_fields = ("power_item",)
    inlines = [BenchmarkRangeInline]


class ChecklistInline(ReadOnlyInline):
    model = ChecklistItem
    fields = ("point", "result", "comment")
    readonly_fields = fields


class AdviserInline(ReadOnlyInline):
    model = AdviserOpinion
    fields = ("kind", "adviser", "question", "opinion", "received_on")
    readonly_fields = fields


@admin.register(ReviewRound)
class ReviewRoundAdmin(ViewOnlyAdmin):
    list_display = ("case", "number", "kind", "status", "reviewer", "submitted_on", "due_on", "decided_on")
    list_filter = ("status", "kind")
    search_fields = ("case__case_number", "case__title")
    list_select_related = ("case", "reviewer")
    inlines = [ChecklistInline, AdviserInline]


@admin.register(MajorFlag)
class MajorFlagAdmin(ViewOnlyAdmin):
    list_display = ("case", "criterion", "flagged_by", "flagged_at", "removed_at")
    list_select_related = ("case", "criterion", "flagged_by")


admin.site.register(Objection, ViewOnlyAdmin)
admin.site.register(Coordination, ViewOnlyAdmin)
admin.site.register(CollectiveDiscussion, ViewOnlyAdmin)
