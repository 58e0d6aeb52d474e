from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.models import Role


@login_required
@role_required(Role.OFFICER, Role.UNIT_HEAD, Role.BUREAU_HEAD, Role.RECORDS_KEEPER)
def index(request):
    return render(request, "recording/index.html")
