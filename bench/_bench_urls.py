"""The project's URLs plus the baselines of the benches (same gunicorn, same middleware):
/bench/trivial/ (HttpResponse("ok")) and /bench/trivial-staff/ (the same behind login_required, so the
session, the user and the staff middleware are paid as on every staff page)."""

import os

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok")


def static_file(request):
    """The open-data baseline: the same bytes as a plain file (BENCH_STATIC_FILE), no view logic."""
    return FileResponse(open(os.environ["BENCH_STATIC_FILE"], "rb"), content_type="text/csv; charset=utf-8")  # noqa: SIM115


@login_required
def trivial_staff(request):
    return HttpResponse(f"ok {request.user.pk}")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/trivial-staff/", trivial_staff),
    path("bench/static-file/", static_file),
    path("", include("wuding_enforcement.urls")),
]
