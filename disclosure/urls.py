"""The public site's URLs (mounted at /). Every URL here is anonymous except those under staff/disclosure/,
which are for signed-in staff. Sections: 事前公开, 事中公示 (verification), 事后公开 (publication),
statistics. (/benchmarks/, 裁量基准, is legal_review's page: routed from the root URLconf.)"""

from django.urls import path
from django.views.generic import RedirectView

from .views import (
    cards,
    catalogue,
    credit,
    embed,
    exemptions,
    feeds,
    preferences,
    publications,
    staff,
    statistics,
    verify,
)

app_name = "disclosure"

urlpatterns = [
    path("", catalogue.index, name="index"),
    # --- 事前公开 (pre-enforcement) ---
    path("subjects/", catalogue.subjects, name="subjects"),
    path("personnel/", catalogue.personnel, name="personnel"),
    path("powers/", catalogue.powers, name="powers"),
    path("inspections/", catalogue.inspections, name="inspections"),
    path("procedures/", catalogue.procedures, name="procedures"),
    path("procedures/<int:pk>/", catalogue.procedure_detail, name="procedure_detail"),
    path("guides/", catalogue.guides, name="guides"),
    path("guides/<int:pk>/", catalogue.guide_detail, name="guide_detail"),
    path("supervision/", catalogue.channels, name="channels"),
    path("rules/", catalogue.rules, name="rules"),
    path("rules/<int:pk>/", catalogue.rules_detail, name="rules_detail"),
    # --- 阅读设置 (elder mode, font size: a cookie, issue 14 §6) ---
    path("view/", preferences.view_settings, name="view_settings"),
    # --- 事中公示 (verification) ---
    path("verify/certificate/", verify.certificate_lookup, name="certificate_lookup"),
    path("verify/certificate/<str:number>/", verify.verify_certificate, name="verify_certificate"),
    path("verify/certificate/<str:number>/photo/", verify.certificate_photo, name="certificate_photo"),
    path("verify/document/", verify.document_lookup, name="document_lookup"),
    path("verify/document/<str:code>/", verify.verify_document, name="verify_document"),
    # --- 事后公开 (publication) ---
    path("publications/", publications.publication_list, name="publication_list"),
    path("publications/feed/", feeds.publication_feed, name="publication_feed"),
    path("publications/open-data.csv", feeds.open_data_csv, name="publication_open_csv"),
    path("publications/open-data.json", feeds.open_data_json, name="publication_open_json"),
    path("publications/inspection-results.csv", feeds.inspection_open_data_csv, name="inspection_open_csv"),
    path(
        "publications/inspection-results.json", feeds.inspection_open_data_json, name="inspection_open_json"
    ),
    path("publications/<int:pk>/", publications.publication_detail, name="publication_detail"),
    path("publications/<int:pk>/print/", publications.publication_print, name="publication_print"),
    path("publications/<int:pk>/report/", publications.publication_report, name="publication_report"),
    path(
        "publications/reports/<str:code>/",
        publications.publication_report_status,
        name="publication_report_status",
    ),
    # --- Embeddable views: the county government's portal frames them (EMBED_ALLOWED_ORIGINS) ---
    path("embed/publications/", embed.publication_embed, name="publication_embed"),
    # The embed's first address: portals that framed it keep working (permanent, the query string kept).
    path(
        "publications/embed/",
        RedirectView.as_view(pattern_name="disclosure:publication_embed", permanent=True, query_string=True),
        name="publication_embed_first_address",
    ),
    path("embed/publications/<int:pk>/", embed.publication_embed_detail, name="publication_embed_detail"),
    path("embed/inspection-results/", embed.inspection_results_embed, name="inspection_results_embed"),
    # --- 年度统计 (statistics) ---
    path("statistics/", statistics.statistics_index, name="statistics"),
    path("statistics/live/", statistics.statistics_live, name="statistics_live"),
    path("statistics/<int:year>/", statistics.statistics_year, name="statistics_year"),
    path("statistics/<int:year>/csv/", statistics.statistics_csv, name="statistics_csv"),
    path("statistics/<int:year>/pdf/", statistics.statistics_pdf, name="statistics_pdf"),
    # --- Staff (signed in) ---
    path(
        "staff/disclosure/publications/",
        staff.staff_publication_list,
        name="staff_publication_list",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/",
        staff.staff_publication_detail,
        name="staff_publication_detail",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/redactions/add/",
        staff.staff_redaction_add,
        name="staff_redaction_add",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/redactions/add-text/",
        staff.staff_redaction_add_text,
        name="staff_redaction_add_text",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/redactions/<int:redaction_pk>/remove/",
        staff.staff_redaction_remove,
        name="staff_redaction_remove",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/publish/",
        staff.staff_publication_publish,
        name="staff_publication_publish",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/withdraw/",
        staff.staff_publication_withdraw,
        name="staff_publication_withdraw",
    ),
    path("staff/disclosure/exemptions/", exemptions.exemption_list, name="exemption_list"),
    path(
        "staff/disclosure/exemptions/<int:pk>/decide/", exemptions.exemption_decide, name="exemption_decide"
    ),
    path(
        "staff/disclosure/publications/<int:pk>/change/",
        staff.staff_publication_change,
        name="staff_publication_change",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/end-early/",
        staff.staff_publication_end_early,
        name="staff_publication_end_early",
    ),
    path(
        "staff/disclosure/publications/<int:pk>/close/",
        staff.staff_publication_close,
        name="staff_publication_close",
    ),
    path("staff/disclosure/error-reports/", staff.staff_report_list, name="staff_report_list"),
    path(
        "staff/disclosure/error-reports/<int:report_pk>/reply/",
        staff.staff_report_reply,
        name="staff_report_reply",
    ),
    path(
        "staff/disclosure/certificates/<str:number>/qr.<str:fmt>",
        staff.certificate_qr,
        name="certificate_qr",
    ),
    path(
        "staff/disclosure/certificates/<str:number>/card/",
        cards.certificate_card,
        name="certificate_card",
    ),
    path(
        "staff/disclosure/certificates/<str:number>/card.pdf",
        cards.certificate_card_pdf,
        name="certificate_card_pdf",
    ),
    path("staff/disclosure/statistics/", staff.statistics_staff, name="statistics_staff"),
    path(
        "staff/disclosure/statistics/<int:year>/publish/", staff.statistics_publish, name="statistics_publish"
    ),
    path("staff/disclosure/credit/", credit.staff_credit_export, name="staff_credit_export"),
    path(
        "staff/disclosure/credit/export/",
        credit.staff_credit_export_create,
        name="staff_credit_export_create",
    ),
    path(
        "staff/disclosure/credit/<int:pk>/download.<str:fmt>",
        credit.staff_credit_download,
        name="staff_credit_download",
    ),
]
