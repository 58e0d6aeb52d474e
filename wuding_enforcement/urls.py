"""The root URLconf (the top floor, like supervision): public site at /, staff pages under /staff/."""

from django.contrib import admin
from django.urls import include, path

from legal_review import public as legal_review_public

from . import views
from .ops import health
from .roster.admin_site import secure_admin_site

# Only active admins (管理员) or superusers who passed two-factor; is_staff is not consulted (see admin_site.py).
secure_admin_site(admin.site)
admin.site.site_header = "武定县市场监督管理局 行政执法管理后台"
admin.site.site_title = "行政执法管理后台"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("accounts/", include("wuding_enforcement.roster.urls")),
    path("admin/", admin.site.urls),
    path("staff/", views.home, name="home"),
    path("staff/cases/", include("wuding_enforcement.cases.urls")),
    path("staff/recording/", include("recording.urls")),
    path("staff/review/", include("legal_review.urls")),
    path("staff/supervision/", include("supervision.urls")),
    path("staff/ops/", include("wuding_enforcement.ops.urls")),
    path("audit/", include("wuding_enforcement.audit.urls")),
    path("staff/inspection/", include("inspection.urls")),
    path("inspection/", include("inspection.urls_public")),
    path("healthz", health.healthz, name="healthz"),
    # 裁量基准 (行政处罚法 第三十四条) is legal_review's data and page, shown on the public site beside disclosure's.
    path("benchmarks/", legal_review_public.benchmarks, name="public_benchmarks"),
    path("", include("disclosure.urls")),
]

handler403 = "wuding_enforcement.views.permission_denied"
handler404 = "wuding_enforcement.views.page_not_found"
# Chinese 500 / 503 (database down) / 507 (disk full) pages with the request id as reference number.
handler500 = "wuding_enforcement.ops.errors.server_error"
