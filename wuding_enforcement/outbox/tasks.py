import os
import socket

from celery import shared_task
from django.utils import timezone

from . import api, leases
from .models import Heartbeat


@shared_task(acks_late=True, reject_on_worker_lost=True)
def drain_outbox():
    """Every minute: hand waiting messages to the broker (idempotent: a row is claimed before it is sent)."""
    return api.drain()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_leases():
    """Every five minutes: jobs running past their lease become failed (with the reason), retryable."""
    return leases.sweep()


@shared_task
def heartbeat():
    """Every minute: the worker that runs this proves the broker, beat and a worker all work (/readyz)."""
    Heartbeat.objects.update_or_create(
        name="worker",
        defaults={"at": timezone.now(), "detail": {"host": socket.gethostname(), "pid": os.getpid()}},
    )
