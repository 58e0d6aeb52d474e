from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from wuding_enforcement.shared.chinese import cn_date
from wuding_enforcement.shared.refusals import Refused, show_refusal

from .models import NEXT_STATUS, RulesDocument, RulesVersion, VersionStatus


class VersionInline(admin.TabularInline):
    model = RulesVersion
    extra = 0
    fields = (
        "number",
        "status",
        "approved_on",
        "filed_on",
        "filing_number",
        "effective_on",
        "repealed_on",
        "step_link",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="下一步")
    def step_link(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        target = NEXT_STATUS.get(obj.status)
        if not target:
            return "—"
        url = reverse("admin:rulebook_rulesversion_step", args=[obj.pk])
        return format_html('<a href="{}">办理“{}”</a>', url, VersionStatus(target).label)


@admin.register(RulesDocument)
class RulesDocumentAdmin(SimpleHistoryAdmin):
    list_display = ("title", "category", "drafting_unit", "is_public", "current_status", "review_due")
    list_filter = ("category", "is_public")
    search_fields = ("title",)
    inlines = [VersionInline]

    @admin.display(description="现行版本")
    def current_status(self, obj):
        version = obj.effective_version()
        flag = "（已过复审日期）" if obj.is_past_review_on(timezone.localdate()) else ""
        return (
            f"第{version.number}版，{cn_date(version.effective_on)}生效" if version else "无现行版本"
        ) + flag

    def has_delete_permission(self, request, obj=None):
        return False


class StepForm(forms.Form):
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    authority = forms.CharField(label="审定/备案机关", required=False, max_length=100)
    number = forms.CharField(label="备案号", required=False, max_length=60)
    reason = forms.CharField(label="废止理由", required=False, max_length=300)


@admin.register(RulesVersion)
class RulesVersionAdmin(SimpleHistoryAdmin):
    list_display = ("document", "number", "status", "effective_on")
    list_filter = ("status",)
    readonly_fields = (
        "status",
        "approved_on",
        "approved_by_body",
        "filed_on",
        "filing_number",
        "filed_with",
        "effective_on",
        "repealed_on",
        "repeal_reason",
        "file_sha256",
        "created_by",
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return ("document", "number", "text", "file", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/step/",
                self.admin_site.admin_view(self.step_view),
                name="rulebook_rulesversion_step",
            )
        ] + super().get_urls()

    def step_view(self, request, pk):
        version = get_object_or_404(RulesVersion, pk=pk)
        if not self.has_change_permission(request, version):
            raise PermissionDenied
        target = NEXT_STATUS.get(version.status)
        form = StepForm(request.POST or None, initial={"on": timezone.localdate()})
        if request.method == "POST" and form.is_valid() and target:
            try:
                version.advance(target, by=request.user, **form.cleaned_data)
            except Refused as exc:
                show_refusal(request, exc)
            else:
                self.message_user(request, f"已办理“{VersionStatus(target).label}”。", messages.SUCCESS)
                return redirect("admin:rulebook_rulesdocument_change", version.document_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "version": version,
            "target": VersionStatus(target).label if target else "",
            "title": f"{version}：办理“{VersionStatus(target).label if target else ''}”",
        }
        return TemplateResponse(request, "admin/rulebook/step.html", context)
