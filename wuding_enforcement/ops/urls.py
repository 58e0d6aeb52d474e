from django.urls import path

from . import views

app_name = "ops"

urlpatterns = [
    path("", views.status, name="status"),
    path("jobs/<int:pk>/retry/", views.retry_job, name="retry_job"),
    path("outbox/<int:pk>/retry/", views.retry_message, name="retry_message"),
]
