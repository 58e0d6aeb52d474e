from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.models import Role


@login_required
@role_required(Role.LEGAL_REVIEWER, Role.BUREAU_HEAD)
def index(request):
    return render(request, "legal_review/index.html")
