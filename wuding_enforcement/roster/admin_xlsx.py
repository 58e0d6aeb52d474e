"""Excel 导出 and 导入 on an admin change list (staff, certificates, training records): the views, the upload
form and the page. The rows' rules are the roster's (roster/xlsx.py, roster/training.py)."""

import logging

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header

from wuding_enforcement.audit.files import private

from . import xlsx

logger = logging.getLogger("wuding.roster")


class XlsxUploadForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件（.xlsx）", help_text="不超过 5 MB；第1行为表头，格式与导出文件相同。"
    )


class XlsxAdminMixin(admin.ModelAdmin):
    """Adds 导出 (GET, download) and 导入 (upload form) to a change list. Both are wrapped in
    admin_view, so only users who may use the admin site reach them; each checks its own permission."""

    xlsx_noun = ""
    xlsx_filename = ""

    def xlsx_export(self, actor) -> bytes:
        raise NotImplementedError

    def xlsx_import(self, file, actor):
        raise NotImplementedError

    def xlsx_headers(self) -> list[str]:
        raise NotImplementedError

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name=f"{prefix}_export"),
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{prefix}_import"),
        ] + super().get_urls()

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
            "has_export_permission": self.has_view_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        data = self.xlsx_export(request.user)
        response = HttpResponse(data, content_type=xlsx.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, f"{self.xlsx_filename}-{xlsx.today_stamp()}.xlsx"
        )
        # A roster of people: never kept by a shared cache (like every file with personal data).
        return private(response)

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        errors = []
        if request.method == "POST":
            form = XlsxUploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    result = self.xlsx_import(form.cleaned_data["file"], request.user)
                except xlsx.ImportErrors as exc:
                    logger.info("%s import refused: %d problems", self.opts.model_name, len(exc.errors))
                    errors = [xlsx.format_error(row, message) for row, message in exc.errors]
                else:
                    self.message_user(request, result.summary(self.xlsx_noun), messages.SUCCESS)
                    return HttpResponseRedirect(
                        reverse(
                            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist"
                        )
                    )
        else:
            form = XlsxUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "title": f"导入{self.opts.verbose_name_plural}",
            "opts": self.opts,
            "form": form,
            "import_errors": errors,
            "headers": self.xlsx_headers(),
            "export_url": reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_export"
            ),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/roster/xlsx_import.html", context)
