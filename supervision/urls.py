from django.urls import path

from . import remedies, views, views_dashboard, views_notices, views_stats

app_name = "supervision"

urlpatterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("remedies/<int:pk>/resolve/", remedies.resolve, name="remedy_resolve"),
    path("dashboard/<slug:figure>/", views_dashboard.dashboard_list, name="dashboard_list"),
    path("statistics/", views_stats.statistics, name="statistics"),
    path("statistics/export.xlsx", views_stats.export_xlsx, name="statistics_xlsx"),
    path("statistics/export.csv", views_stats.export_csv, name="statistics_csv"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("notifications/read-all/", views.mark_all_read, name="mark_all_read"),
    path("evaluation/", views_notices.rounds, name="rounds"),
    path("evaluation/start/", views_notices.round_start, name="round_start"),
    path("evaluation/<int:pk>/", views_notices.round_detail, name="round"),
    path("evaluation/items/<int:pk>/", views_notices.evaluate, name="evaluate"),
    path("notices/", views_notices.notice_list, name="notices"),
    path("notices/new/", views_notices.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views_notices.notice_detail, name="notice"),
    path("notices/<int:pk>/items/", views_notices.notice_add_item, name="notice_add_item"),
    path("notices/<int:pk>/issue/", views_notices.notice_issue, name="notice_issue"),
    path("notices/<int:pk>/pdf/", views_notices.notice_pdf, name="notice_pdf"),
    path("notice-items/<int:pk>/answer/", views_notices.item_answer, name="item_answer"),
    path("notice-items/<int:pk>/close/", views_notices.item_close, name="item_close"),
    path("notice-items/<int:pk>/escalate/", views_notices.item_escalate, name="item_escalate"),
]
