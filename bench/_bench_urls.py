"""The project's URLs plus the baselines of the benches (same gunicorn, same middleware):
/bench/trivial/ (HttpResponse("ok")) and /bench/trivial-staff/ (the same behind login_required, so the
session, the user and the staff middleware are paid as on every staff page)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok")


@login_required
def trivial_staff(request):
    return HttpResponse(f"ok {request.user.pk}")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/trivial-staff/", trivial_staff),
    path("", include("wuding_enforcement.urls")),
]
