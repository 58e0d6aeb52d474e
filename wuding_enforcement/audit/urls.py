from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("anchor/", views.anchors, name="anchor"),
]
