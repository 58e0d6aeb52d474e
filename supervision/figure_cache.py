"""Cached supervision figures: the dashboard's panels (other than the deadlines) and the statistics report,
kept in the shared cache (Redis in production) under one version that every change of what they read renews.

What they read: the rows of the systems the supervisors watch — cases (and their transitions, officers,
matters, pauses, the holiday table), recording's documents and audio-video, legal review, disclosure,
inspection, the roster (people, roles, units, certificates, training) and supervision's own notices. A save or
delete of any model of those apps, or a change of one of their many-to-many relations (a document's officers,
a person's roles, a case's matters), renews the version — now and again when the transaction commits, so a
figure built in between from the not-yet-committed state is not kept (the rule of shared/pagecache.py).
Receivers are connected per model (connect_signals, from AppConfig.ready) so that models outside these apps,
the deadline table and its stale marks keep Django's fast deletes.

Besides the version, every entry's key carries:
- today's date: the figures turn with the calendar (a deadline passes at midnight) without any save;
- what the caller adds (`extra`): the statistics add the deadline table's last write, since a rebuild after
  a change of the holiday table rewrites it in a task, without signals;
and an entry may end at a moment (`until`): the statistics' late clocks in hours turn late at their moment.

The figures are the same for every supervisor (the dashboard and the statistics are bureau-wide; access is
checked by the views before anything is read, and the drill-down lists, which mask per viewer, are not
cached), so entries are shared between supervisors; the variant (the filters) is in the key.

Writes made without signals (QuerySet.update(), raw SQL) do not renew the version: the codebase's few
QuerySet.update() calls on watched models (a pause's end, an evidence job's bookkeeping) run inside actions
that also save a watched row (the case's transition, the document). An entry expires after SECONDS anyway.

Fail open (DESIGN: "the cache fails open"): a cache error is logged and the figures are computed from the
database; a renewal that fails is logged and the action goes on (its figures may be stale for SECONDS).
"""

import datetime
import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

logger = logging.getLogger("wuding.supervision")

T = TypeVar("T")

VERSION_KEY = "supervision:figures:version"
ENTRY_KEY = "supervision:figures:{name}:{day}:{digest}"
SECONDS = 60 * 60
# The apps whose rows the figures read.
WATCHED_APPS = frozenset(
    {"cases", "recording", "legal_review", "disclosure", "inspection", "roster", "supervision"}
)
# Models of those apps no figure reads, changed often: their saves do not renew the figures. The deadline
# table and its marks are written in bulk (no signals) and must keep fast deletes; the figures built from the
# table bring it up to date first, and every mark comes from a watched save.
IGNORED = frozenset(
    {"supervision.notification", "cases.casedeadline", "cases.deadlinestale", "recording.upload"}
)


def renew() -> None:
    """A new version now and again when the current transaction commits."""
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.error(
            "cache unavailable: supervision figures not renewed (stale for up to %s s)",
            SECONDS,
            exc_info=True,
        )


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add(): two first readers agree on one version.
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def entry_key(name: str, variant: Any, extra: Any = None) -> str:
    digest = hashlib.sha256(repr((variant, extra)).encode()).hexdigest()[:32]
    return ENTRY_KEY.format(name=name, day=timezone.localdate().isoformat(), digest=digest)


def cached(
    name: str,
    variant: Any,
    build: Callable[[], T],
    *,
    extra: Any = None,
    until: datetime.datetime | None = None,
) -> T:
    """`build()`'s result for `variant` (a repr()-stable value: the filters), from the cache when it was built
    today under the current version (and `extra`) and its moment `until` (if any) has not come; else built
    and stored."""
    key = entry_key(name, variant, extra)
    try:
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or _version()
    except Exception:
        logger.warning("cache unavailable, computing supervision figures %s uncached", name, exc_info=True)
        return build()
    entry = found.get(key)
    if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == version:
        ends = entry[1]
        if ends is None or timezone.now() < ends:
            return entry[2]
    value = build()
    try:
        cache.set(key, (version, until, value), SECONDS)
    except Exception:
        logger.warning("cache unavailable, supervision figures %s not stored", name, exc_info=True)
    return value


def _changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loaddata
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return  # m2m_changed: once, after the change
    renew()


def watched(model) -> bool:
    meta = model._meta
    return meta.app_label in WATCHED_APPS and meta.label_lower not in IGNORED


def connect_signals() -> None:
    """Per model of the watched apps, their many-to-many tables included (all loaded when ready() runs):
    saves and deletes of rows, and changes through a relation's manager (m2m_changed, sent with the
    relation's table as its sender: a person's roles, a document's officers, a case's matters)."""
    from django.apps import apps

    for model in apps.get_models(include_auto_created=True):
        if not watched(model):
            continue
        uid = f"supervision.figure_cache.{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
        m2m_changed.connect(_changed, sender=model, dispatch_uid=f"{uid}.m2m")
