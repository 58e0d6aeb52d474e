from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .access import get_case_for_user
from .models import Case


@login_required
def case_list(request):
    cases = Case.objects.visible_to(request.user).select_related("handling_unit")[:50]
    return render(request, "cases/case_list.html", {"cases": cases})


@login_required
def case_detail(request, pk):
    case = get_case_for_user(request, pk)
    return render(request, "cases/case_detail.html", {"case": case})
