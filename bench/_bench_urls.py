"""The project's URLs plus /bench/trivial/: the baseline view of public_pages_bench.py (same middleware)."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("wuding_enforcement.urls")),
]
