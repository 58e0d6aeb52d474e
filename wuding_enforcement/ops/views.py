"""The admin-only 运行状态 page and its two retry buttons."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from wuding_enforcement.audit.api import record
from wuding_enforcement.outbox import leases
from wuding_enforcement.outbox.api import retry_failed
from wuding_enforcement.outbox.models import Job, MessageState, OutboxMessage
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.models import Role

from .status import snapshot


@require_GET
@login_required
@role_required(Role.ADMIN)
def status(request):
    return render(request, "ops/status.html", snapshot())


@require_POST
@login_required
@role_required(Role.ADMIN)
def retry_job(request, pk):
    job = get_object_or_404(Job, pk=pk)
    if leases.retry(job, by=request.user):
        messages.success(request, f"已重新排队：{job.name}。")
    else:
        messages.warning(request, "该任务不是失败状态，无需重试。")
    return redirect("ops:status")


@require_POST
@login_required
@role_required(Role.ADMIN)
def retry_message(request, pk):
    message = get_object_or_404(OutboxMessage, pk=pk, state=MessageState.FAILED)
    retry_failed(message)
    record("ops.outbox.retried", obj=message, detail={"task": message.task, "last_error": message.last_error})
    messages.success(request, f"已重新发送：{message.task}。")
    return redirect("ops:status")
