"""Staff pages of 行政检查 (under /staff/inspection/): one URL per action, changes POST only."""

from django.urls import path

from . import views, views_feedback, views_plans

app_name = "inspection"

urlpatterns = [
    path("", views.index, name="index"),
    path("tasks/new/", views.register, name="register"),
    path("tasks/approve/", views.approve_many, name="approve_many"),
    path("tasks/<int:pk>/", views.detail, name="detail"),
    path("tasks/<int:pk>/approve/", views.approve, name="approve"),
    path("tasks/<int:pk>/reject/", views.reject, name="reject"),
    path("tasks/<int:pk>/advance/", views.advance, name="advance"),
    path("tasks/<int:pk>/result/", views.result, name="result"),
    path("tasks/<int:pk>/test-report/", views.test_report, name="test_report"),
    path("tasks/<int:pk>/publish/preview/", views.publish_preview, name="publish_preview"),
    path("tasks/<int:pk>/publish/", views.publish, name="publish"),
    path("tasks/<int:pk>/publication/correct/preview/", views.correct_preview, name="correct_preview"),
    path("tasks/<int:pk>/publication/correct/", views.correct, name="correct"),
    path("tasks/<int:pk>/publication/withdraw/", views.withdraw, name="withdraw"),
    path("tasks/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("tasks/<int:pk>/close/", views.close, name="close"),
    path("tasks/<int:pk>/cancel/", views.cancel, name="cancel"),
    # The 政策法规股's pages: plans, the 名录库, draws.
    path("plans/", views_plans.plans, name="plans"),
    path("plans/<int:pk>/", views_plans.plan, name="plan"),
    path("plans/<int:pk>/approve/", views_plans.plan_approve, name="plan_approve"),
    path("plans/<int:pk>/file/", views_plans.plan_file, name="plan_file"),
    path("plans/<int:pk>/publish/", views_plans.plan_publish, name="plan_publish"),
    path("plans/<int:pk>/revise/", views_plans.plan_revise, name="plan_revise"),
    path("entities/", views_plans.entities, name="entities"),
    path("entities/import/", views_plans.entities_import, name="entities_import"),
    path("entities/<int:pk>/", views_plans.entity, name="entity"),
    path("draws/", views_plans.draws, name="draws"),
    path("draws/<int:pk>/", views_plans.draw, name="draw"),
    path("draws/<int:pk>/run/", views_plans.draw_run, name="draw_run"),
    path("draws/<int:pk>/replace/<int:pick_pk>/", views_plans.draw_replace, name="draw_replace"),
    path("draws/<int:pk>/reveal/", views_plans.draw_reveal, name="draw_reveal"),
    # Supervision's: complaints and 回避 requests from the 检查码 page (404 to everyone else).
    path("complaints/", views_feedback.complaints, name="complaints"),
    path("complaints/<int:pk>/", views_feedback.complaint, name="complaint"),
    path("complaints/<int:pk>/handle/", views_feedback.complaint_handle, name="complaint_handle"),
]
