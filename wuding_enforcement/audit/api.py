"""The one way to write the audit log: `record(...)`.

Appends are serialised so that two concurrent requests cannot fork the chain: on PostgreSQL by a
transaction-scoped advisory lock, on SQLite by its IMMEDIATE transactions (one writer at a time).
"""

import contextvars
import re
import sys

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from wuding_enforcement.shared.refusals import mark_audited

from .masking import mask_id_number
from .models import GENESIS_HASH, AuditEvent, Outcome

_current_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)

# Any advisory-lock key will do as long as it is only used here.
_ADVISORY_LOCK_KEY = 0x57554449  # "WUDI"

_SECRET_KEYS = re.compile(r"pass(word)?|secret|token|session|otp|key", re.I)

__all__ = ["client_ip", "current_request", "mask_id_number", "record"]


def _clean(value):
    if isinstance(value, dict):
        return {str(k): ("[已隐藏]" if _SECRET_KEYS.search(str(k)) else _clean(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return mask_id_number(value)
    if value is None or isinstance(value, bool | int):
        return value
    return mask_id_number(str(value))


def client_ip(request) -> str | None:
    if request is None:
        return None
    from django.conf import settings

    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0)
    if proxies:
        # Trust only the entries our own proxies appended (the rightmost ones); a client can forge the rest.
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies] or None
    return request.META.get("REMOTE_ADDR") or None


def set_current_request(request):
    return _current_request.set(request)


def reset_current_request(token):
    _current_request.reset(token)


def current_request():
    return _current_request.get()


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def record(
    action: str,
    *,
    obj=None,
    actor=None,
    outcome: str = Outcome.SUCCESS,
    detail: dict | None = None,
    request=None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Append one event. `actor` defaults to the request's user; IP comes from the request."""
    request = request or current_request()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    unit = getattr(actor, "unit", None) if actor is not None else None
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        event = AuditEvent(
            seq=(last.seq + 1) if last else 1,
            occurred_at=timezone.now(),
            actor=actor,
            actor_name=(getattr(actor, "display_name", "") or getattr(actor, "username", ""))[:150]
            if actor
            else "",
            unit_name=str(unit)[:100] if unit else "",
            ip=client_ip(request),
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_repr=mask_id_number(
                object_repr if object_repr is not None else (str(obj) if obj is not None else "")
            )[:200],
            outcome=str(outcome),
            detail=_clean(detail or {}),
            prev_hash=last.hash if last else GENESIS_HASH,
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
    if outcome != Outcome.SUCCESS:
        # Written while a refusal is being handled (`except Refused: record(...); raise`): that refusal is on
        # record, so the handler that shows it (shared.refusals.show_refusal) writes no second row.
        handled = sys.exc_info()[1]
        if isinstance(handled, ValidationError):
            mark_audited(handled)
    return event
