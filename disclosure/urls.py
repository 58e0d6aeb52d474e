"""The public site's URLs (mounted at /). Every URL here is anonymous except those under staff/disclosure/,
which are for signed-in staff. Sections: 事前公开, 事中公示 (verification), 事后公开 (publication),
statistics."""

from django.urls import path

from . import views, views_credit, views_publication, views_verify

app_name = "disclosure"

urlpatterns = [
    path("", views.index, name="index"),
    # --- 事前公开 (pre-enforcement) ---
    path("subjects/", views.subjects, name="subjects"),
    path("personnel/", views.personnel, name="personnel"),
    path("powers/", views.powers, name="powers"),
    path("benchmarks/", views.benchmarks, name="benchmarks"),
    path("inspections/", views.inspections, name="inspections"),
    path("procedures/", views.procedures, name="procedures"),
    path("procedures/<int:pk>/", views.procedure_detail, name="procedure_detail"),
    path("guides/", views.guides, name="guides"),
    path("guides/<int:pk>/", views.guide_detail, name="guide_detail"),
    path("supervision/", views.channels, name="channels"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rules_detail, name="rules_detail"),
    # --- 事中公示 (verification) ---
    path("verify/certificate/", views_verify.certificate_lookup, name="certificate_lookup"),
    path("verify/certificate/<str:number>/", views_verify.verify_certificate, name="verify_certificate"),
    path("verify/certificate/<str:number>/photo/", views_verify.certificate_photo, name="certificate_photo"),
    path("verify/document/", views_verify.document_lookup, name="document_lookup"),
    path("verify/document/<str:code>/", views_verify.verify_document, name="verify_document"),
    # --- 事后公开 (publication) ---
    path("publications/", views_publication.publication_list, name="publication_list"),
    path("publications/feed/", views_publication.publication_feed, name="publication_feed"),
    path("publications/embed/", views_publication.publication_embed, name="publication_embed"),
    path("publications/open-data.csv", views_publication.open_data_csv, name="publication_open_csv"),
    path("publications/open-data.json", views_publication.open_data_json, name="publication_open_json"),
    path("publications/<int:pk>/", views_publication.publication_detail, name="publication_detail"),
    path("publications/<int:pk>/print/", views_publication.publication_print, name="publication_print"),
    path("publications/<int:pk>/report/", views_publication.publication_report, name="publication_report"),
    path(
        "publications/reports/<str:code>/",
        views_publication.publication_report_status,
        name="publication_report_status",
    ),
    # --- 年度统计 (statistics) ---
    path("statistics/", views.statistics_index, name="statistics"),
    path("statistics/live/", views.statistics_live, name="statistics_live"),
    path("statistics/<int:year>/", views.statistics_year, name="statistics_year"),
    path("statistics/<int:year>/csv/", views.statistics_csv, name="statistics_csv"),
    path("statistics/<int:year>/pdf/", views.statistics_pdf, name="statistics_pdf"),
    # --- Staff (signed in) ---
    path(
        "staff/disclosure/publications/",
        views_publication.staff_publication_list,
        name="staff_publication_list",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/",
        views_publication.staff_publication_detail,
        name="staff_publication_detail",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/redactions/add/",
        views_publication.staff_redaction_add,
        name="staff_redaction_add",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/redactions/add-text/",
        views_publication.staff_redaction_add_text,
        name="staff_redaction_add_text",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/redactions/<int:redaction_pk>/remove/",
        views_publication.staff_redaction_remove,
        name="staff_redaction_remove",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/publish/",
        views_publication.staff_publication_publish,
        name="staff_publication_publish",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/withdraw/",
        views_publication.staff_publication_withdraw,
        name="staff_publication_withdraw",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/end-early/",
        views_publication.staff_publication_end_early,
        name="staff_publication_end_early",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/close/",
        views_publication.staff_publication_close,
        name="staff_publication_close",
    ),
    path("staff/disclosure/error-reports/", views_publication.staff_report_list, name="staff_report_list"),
    path(
        "staff/disclosure/error-reports/<int:report_pk>/reply/",
        views_publication.staff_report_reply,
        name="staff_report_reply",
    ),
    path(
        "staff/disclosure/certificates/<str:number>/qr.<str:fmt>",
        views_verify.certificate_qr,
        name="certificate_qr",
    ),
    path("staff/disclosure/statistics/", views.statistics_staff, name="statistics_staff"),
    path(
        "staff/disclosure/statistics/<int:year>/publish/", views.statistics_publish, name="statistics_publish"
    ),
    path("staff/disclosure/credit/", views_credit.staff_credit_export, name="staff_credit_export"),
    path(
        "staff/disclosure/credit/export/",
        views_credit.staff_credit_export_create,
        name="staff_credit_export_create",
    ),
    path(
        "staff/disclosure/credit/<int:pk>/download.<str:fmt>",
        views_credit.staff_credit_download,
        name="staff_credit_download",
    ),
]
