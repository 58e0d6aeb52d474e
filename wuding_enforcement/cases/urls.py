from django.urls import path

from . import views, views_procedure

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    # One URL per action, POST only.
    path("<int:pk>/approvals/", views.request_approval, name="request_approval"),
    path("<int:pk>/officer-change/", views.request_officer_change, name="request_officer_change"),
    path("<int:pk>/approvals/<int:approval_pk>/opinion/", views.give_opinion, name="give_opinion"),
    path("<int:pk>/advance/", views.advance, name="advance"),
    path("<int:pk>/responses/", views_procedure.responses, name="responses"),
    path("<int:pk>/responses/new/", views_procedure.record_response, name="record_response"),
    path(
        "<int:pk>/responses/<int:response_pk>/answer/",
        views_procedure.answer_response,
        name="answer_response",
    ),
]
