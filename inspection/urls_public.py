"""Public pages of 行政检查 (under /inspection/): anyone may read them; the 检查码 page takes a rating and
complaints (POST, CSRF-protected like every form)."""

from django.urls import path

from . import views_public

app_name = "inspection_public"

urlpatterns = [
    path("", views_public.index, name="index"),
    path("subjects/", views_public.subjects, name="subjects"),
    path("items/", views_public.items, name="items"),
    path("plans/", views_public.plans, name="plans"),
    path("plans/<int:pk>/", views_public.plan_detail, name="plan"),
    path("draws/", views_public.draw_list, name="draws"),
    path("draws/<int:pk>/", views_public.draw_detail, name="draw"),
    path("draws/<int:pk>/bundle.json", views_public.draw_bundle, name="draw_bundle"),
    path("verify_draw.py", views_public.verify_script, name="verify_script"),
    path("results/", views_public.results, name="results"),
    path("results/<int:pk>/", views_public.result_detail, name="result"),
    path("c/", views_public.code_lookup, name="code_lookup"),
    path("c/<str:token>/", views_public.code, name="code"),
    path("c/<str:token>/rate/", views_public.code_rate, name="code_rate"),
    path("c/<str:token>/complain/", views_public.code_complain, name="code_complain"),
]
