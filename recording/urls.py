from django.urls import path

from . import views, views_approvals, views_archive, views_evidence

app_name = "recording"

# One URL per action; changes are POST only. Evidence, clocks and the archive add their patterns below.
urlpatterns = [
    path("", views.index, name="index"),
    path("leads/new/", views.lead_new, name="lead_new"),
    path("cases/<int:pk>/", views.workspace, name="workspace"),
    path("cases/<int:pk>/documents/new/<slug:doc_type>/", views.document_new, name="document_new"),
    path("cases/<int:pk>/documents/<int:doc_pk>/", views.document_detail, name="document_detail"),
    path("cases/<int:pk>/documents/<int:doc_pk>/edit/", views.document_edit, name="document_edit"),
    path("cases/<int:pk>/documents/<int:doc_pk>/issue/", views.document_issue, name="document_issue"),
    path("cases/<int:pk>/documents/<int:doc_pk>/correct/", views.document_correct, name="document_correct"),
    path(
        "cases/<int:pk>/documents/<int:doc_pk>/signature/",
        views.document_signature,
        name="document_signature",
    ),
    path("cases/<int:pk>/documents/<int:doc_pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("cases/<int:pk>/documents/<int:doc_pk>/signed-scan/", views.document_scan, name="document_scan"),
    # Audio-video evidence (views_evidence.py): the resumable upload protocol is described there.
    path("cases/<int:case_pk>/evidence/", views_evidence.evidence_list, name="evidence_list"),
    path("cases/<int:case_pk>/evidence/new/", views_evidence.upload_page, name="evidence_upload"),
    path("cases/<int:case_pk>/uploads/", views_evidence.upload_start, name="upload_start"),
    path("uploads/<uuid:upload_id>/", views_evidence.upload_resource, name="upload"),
    path("cases/<int:case_pk>/evidence/<int:pk>/", views_evidence.evidence_detail, name="evidence_detail"),
    path(
        "cases/<int:case_pk>/evidence/<int:pk>/stream/",
        views_evidence.evidence_stream,
        name="evidence_stream",
    ),
    path(
        "cases/<int:case_pk>/evidence/<int:pk>/download/",
        views_evidence.evidence_download,
        name="evidence_download",
    ),
    path(
        "cases/<int:case_pk>/evidence/<int:pk>/thumbnail/",
        views_evidence.evidence_thumbnail,
        name="evidence_thumbnail",
    ),
    path("cases/<int:case_pk>/evidence/<int:pk>/void/", views_evidence.evidence_void, name="evidence_void"),
    path(
        "cases/<int:case_pk>/evidence/<int:pk>/metadata/retry/",
        views_evidence.evidence_metadata_retry,
        name="evidence_metadata_retry",
    ),
    path("cases/<int:case_pk>/evidence/<int:pk>/link/", views_evidence.evidence_link, name="evidence_link"),
    path(
        "cases/<int:case_pk>/evidence/<int:pk>/unlink/",
        views_evidence.evidence_unlink,
        name="evidence_unlink",
    ),
    # The archive (案卷): start (records keeper, POST), progress (JSON or fragment), download (?volume=main|sub).
    path("cases/<int:pk>/casefile/start/", views_archive.casefile_start, name="casefile_start"),
    path("cases/<int:pk>/casefile/progress/", views_archive.casefile_progress, name="casefile_progress"),
    path("cases/<int:pk>/casefile/download/", views_archive.casefile_download, name="casefile_download"),
    # The bureau head's approvals of 先行登记保存, 查封扣押 and its extension (recording/approvals.py).
    path(
        "cases/<int:pk>/coercion-approval/",
        views_approvals.coercion_approval_request,
        name="coercion_approval_request",
    ),
]
