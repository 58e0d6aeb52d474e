from django.urls import path

from . import views, views_reviewer

app_name = "legal_review"

urlpatterns = [
    path("", views_reviewer.index, name="index"),
    path("stats/", views_reviewer.stats, name="stats"),
    path("case/<int:pk>/", views.case_review, name="case"),
    # One URL per action, POST only.
    path("case/<int:pk>/flags/", views.flag_add, name="flag_add"),
    path("case/<int:pk>/flags/<int:flag_pk>/remove/", views.flag_remove, name="flag_remove"),
    path("case/<int:pk>/collective/refer/", views.refer_collective, name="refer_collective"),
    path("case/<int:pk>/submit/", views.submit, name="submit"),
    path("case/<int:pk>/rounds/<int:round_pk>/object/", views.object_to, name="object"),
    path("case/<int:pk>/objections/<int:objection_pk>/coordinate/", views.coordinate, name="coordinate"),
    path("case/<int:pk>/collective/", views.collective, name="collective"),
    path("case/<int:pk>/decisions/<int:doc_pk>/issue/", views.issue_decision, name="issue_decision"),
    path("case/<int:pk>/documents/<int:doc_pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("rounds/<int:round_pk>/", views_reviewer.round_review, name="round"),
    path("rounds/<int:round_pk>/decide/", views_reviewer.decide, name="decide"),
    path("rounds/<int:round_pk>/assign/", views_reviewer.assign, name="assign"),
    path("rounds/<int:round_pk>/advisers/", views_reviewer.adviser_ask, name="adviser_ask"),
    path(
        "rounds/<int:round_pk>/advisers/<int:item_pk>/", views_reviewer.adviser_answer, name="adviser_answer"
    ),
]
