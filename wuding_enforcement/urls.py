"""The root URLconf (the top floor, like supervision): public site at /, staff pages under /staff/."""

from django.contrib import admin
from django.urls import include, path

from . import views
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
    path("staff/inspection/", include("inspection.urls")),
    path("inspection/", include("inspection.urls_public")),
    path("healthz", views.healthz, name="healthz"),
    path("", include("disclosure.urls")),
]

handler403 = "wuding_enforcement.views.permission_denied"
handler404 = "wuding_enforcement.views.page_not_found"
