"""The one page cache of the public site (docs/architecture.md; DESIGN: "the cache fails open").

A public page (or the part of it that is the same for every visitor) is cached whole in its *section*: the
kind of data it shows ("publications", "personnel", "benchmarks" ...). Each section has a version in the cache;
saving data the section shows gives it a new version, so the next visitor gets a fresh page and nobody deletes
keys. A section is renewed

- by any save or delete of a model it `watches` (its label, e.g. "roster.certificate"): the receivers below
  are connected once, for every section declared anywhere;
- by `section.renew()` where an action changes what it shows without a save of a watched model (publishing a
  decision).

Finer versions: a page about one object (a decision's page, its print view) is cached with `obj=` naming the
object ("publication:12"); it is valid while that object's version and the section's *generation* are
unchanged. `section.renew(obj=...)` renews the section's own pages (lists, feeds, counts: they show the
object) and that object's pages only, so one publication does not empty the pages of the 100,000 others;
`section.renew()` (and a save of a watched model) renews everything, the object pages included.

A renewal gives the section a new version now and again when the transaction commits: a page rebuilt in between
from the not-yet-committed state would otherwise stay cached under the new version.

A hit costs one cache round trip: the section's version and the page are read together (get_many), each entry
stored with the version it was built under; an entry of an older version is rebuilt. Each process also keeps
the pages it served last (`_local`, a bounded LRU of LOCAL_PAGES entries) with their versions: when it holds
the page, only the versions are read (a few bytes instead of the page), and the page is served only if its
version is still the current one — the same check, without moving tens of kilobytes per hit. With
`settings.PAGECACHE_VERSION_SECONDS` > 0 (off by default) a process also trusts the versions it read for that
long: a hit then needs no round trip at all, and a renewal made by another process is seen up to that many
seconds later (in its own process at once). Keys also carry today's
date, so a page whose content turns with the calendar (a certificate that expires at midnight, a publication
period that ends) is rebuilt the next day without any save; entries expire after `seconds` in any case. Versions
live in the same cache as the pages (Redis in production), so every process sees a renewal at once.

Fail open: the cache only saves work. A cache error (Redis down, a timeout) is logged and counts as a miss: the
page is built from the database and served, never a 500; a renewal that fails is logged and the action that
caused it goes on (its pages may then be stale for at most `seconds`).

Staff pages (their body below the header, per user): a section declared with `watch_all=True` is renewed by a
save, delete or many-to-many change of *any* model but those it `ignores` (sessions, the audit trail, history
copies ...) — a staff page shows so much (cases, people, roles, permissions, documents, approvals) that
listing what it shows is the riskier way; writes that bypass signals (bulk writes, QuerySet.update) renew it
where they are made (cases/deadline_sync.py). Such a section is `exact`: PAGECACHE_VERSION_SECONDS never
applies (an officer who just changed a case must see it on the next page, whichever process serves it); and
`committed_only`: inside a transaction (atomic block) its pages are built and never stored or served from
the cache, since the block may see its own uncommitted rows and a rollback renews nothing. A page whose
content turns at a moment other than midnight passes `valid`: an entry it rejects is rebuilt.

Computed values beside pages: `section.value(variant, build, until=...)` keeps a value (the figures a staff page
shows beside its live rows: supervision/figure_cache.py) under the same version, date and fail-open rules, read
exactly (never a trusted version) and dropped at the moment `until` (a clock in hours turning late). A section
may watch whole apps (`watch_apps`, less what it `ignores`) instead of listing their models.

A shared service: it imports no domain model; the systems declare their sections (disclosure/sections.py).
"""

import datetime
import hashlib
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

logger = logging.getLogger("wuding.pagecache")

T = TypeVar("T")

DEFAULT_SECONDS = 10 * 60
_VERSION_KEY = "pagecache:{section}:version"
_GENERATION_KEY = "pagecache:{section}:generation"
_OBJECT_KEY = "pagecache:{section}:obj:{obj}:version"
_PAGE_KEY = "pagecache:{section}:{day}:{digest}"

# Pages kept in each process, most recently served last: page key -> (version, body).
LOCAL_PAGES = 256
_local: "OrderedDict[str, tuple[str, str]]" = OrderedDict()
# Versions trusted for PAGECACHE_VERSION_SECONDS in this process: version key -> (read at, version).
_versions: dict[str, tuple[float, str]] = {}


def _keep(key: str, version: str, body: str) -> None:
    _local[key] = (version, body)
    _local.move_to_end(key)
    while len(_local) > LOCAL_PAGES:
        _local.popitem(last=False)


def _trusted(keys: list[str]) -> list[str] | None:
    """The versions read less than PAGECACHE_VERSION_SECONDS ago, or None when any is older or unknown."""
    seconds = getattr(settings, "PAGECACHE_VERSION_SECONDS", 0)
    if not seconds:
        return None
    now = time.monotonic()
    found = [_versions.get(key) for key in keys]
    if any(entry is None or now - entry[0] >= seconds for entry in found):
        return None
    return [entry[1] for entry in found]  # type: ignore[index]


def read_version(key: str) -> str:
    """The version stored at `key` in the shared cache, made when there is none (two first readers agree on
    one: cache.add). Raises on a cache error: the caller fails open (reads its data from the database)."""
    return cache.get(key) or _agreed_version(key)


def _agreed_version(key: str) -> str:
    version = uuid.uuid4().hex
    # add(): two first visitors agree on one version (the second reads the first one's).
    if not cache.add(key, version, timeout=None):
        version = cache.get(key) or version
    return version


def renew_versions(keys: list[str], what: str) -> None:
    """New versions at `keys` now and again when the current transaction commits (a copy built in between from
    the not-yet-committed state would otherwise stay valid). A cache error is logged and the action that caused
    the renewal goes on: `what` names what may then be stale."""

    def bump():
        try:
            cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)
        except Exception:
            logger.error("cache unavailable: %s not renewed", what, exc_info=True)

    if keys:
        bump()
        transaction.on_commit(bump)


# Declared sections by name, and the sections watching each model label (declarations made at import time,
# the same in every process: no state shared between requests lives here).
_sections: dict[str, "Section"] = {}
_watchers: dict[str, list["Section"]] = {}
_watching_all: list["Section"] = []
_watching_apps: list["Section"] = []


class Section:
    """A kind of public content whose pages are cached and renewed together."""

    def __init__(
        self,
        name: str,
        *,
        watches: Iterable[str] = (),
        seconds: int = DEFAULT_SECONDS,
        watch_all: bool = False,
        ignores: Iterable[str] = (),
        exact: bool = False,
        committed_only: bool = False,
        watch_apps: Iterable[str] = (),
    ):
        if name in _sections:
            raise ValueError(f"page cache section {name!r} is declared twice")
        self.name = name
        self.watches = frozenset(label.lower() for label in watches)
        # Model labels ("sessions.session") or whole apps ("axes") a watch_all section is not renewed by.
        self.ignores = frozenset(label.lower() for label in ignores)
        self.seconds = seconds
        self.exact = exact
        self.committed_only = committed_only
        _sections[name] = self
        for label in self.watches:
            _watchers.setdefault(label, []).append(self)
        if watch_all:
            _watching_all.append(self)
        # Whole apps ("cases", "recording"): every model of theirs, the many-to-many tables included.
        self.watch_apps = frozenset(watch_apps)
        if self.watch_apps:
            _watching_apps.append(self)

    def ignored(self, model) -> bool:
        meta = model._meta
        return (
            meta.label_lower in self.ignores
            or meta.app_label in self.ignores
            or meta.model_name.startswith("historical")  # simple-history's copies: the live row renewed
        )

    def __repr__(self):
        return f"<Section {self.name}: {sorted(self.watches)}>"

    @property
    def version_key(self) -> str:
        return _VERSION_KEY.format(section=self.name)

    @property
    def generation_key(self) -> str:
        return _GENERATION_KEY.format(section=self.name)

    def object_key(self, obj: str) -> str:
        return _OBJECT_KEY.format(section=self.name, obj=obj)

    def page_key(self, variant: str) -> str:
        digest = hashlib.sha256(variant.encode()).hexdigest()[:24]
        return _PAGE_KEY.format(section=self.name, day=timezone.localdate().isoformat(), digest=digest)

    def page(
        self,
        variant: str,
        build: Callable[[], str],
        *,
        obj: str | None = None,
        valid: Callable[[str], bool] | None = None,
    ) -> str:
        """The page `variant` (the view and its parameters) of this section: from the cache when it was built
        under the current version today (and `valid(page)` says it still holds), else built by `build()` and
        stored. A page about one object names it (`obj`): its version is the object's and the section's
        generation, not the section's own."""
        if self.committed_only and connection.in_atomic_block:
            return build()
        if valid is not None:
            return self._page_checked(variant, build, obj, valid)
        key = self.page_key(variant if obj is None else f"{obj}|{variant}")
        version_keys = [self.version_key] if obj is None else [self.generation_key, self.object_key(obj)]
        local = _local.get(key)
        trusted = None if self.exact else _trusted(version_keys)
        if local is not None and trusted is not None and local[0] == "|".join(trusted):
            _local.move_to_end(key)
            return local[1]
        try:
            # The page itself only when this process does not hold it.
            found = cache.get_many(version_keys if local is not None else [*version_keys, key])
            versions = [found.get(k) or self._first_version(k) for k in version_keys]
        except Exception:
            logger.warning(
                "page cache unavailable, building %s %r uncached", self.name, variant, exc_info=True
            )
            return build()
        now = time.monotonic()
        _versions.update({k: (now, v) for k, v in zip(version_keys, versions, strict=True)})
        version = "|".join(versions)
        if local is not None and local[0] == version:
            _local.move_to_end(key)
            return local[1]
        entry = found.get(key) if local is None else None
        if local is not None and entry is None:
            entry = self._shared_entry(key)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
            _keep(key, version, entry[1])
            return entry[1]
        body = build()
        _keep(key, version, body)
        try:
            cache.set(key, (version, body), self.seconds)
        except Exception:
            logger.warning("page cache unavailable, %s %r not stored", self.name, variant, exc_info=True)
        return body

    def value(self, variant: str, build: Callable[[], T], *, until: datetime.datetime | None = None) -> T:
        """`build()`'s value for `variant` (a value, not a page: figures shown beside live rows), from the cache
        when it was built today under the section's current version and its moment `until` (if any) has not
        come; else built and stored. Always read exactly (PAGECACHE_VERSION_SECONDS does not apply), never
        kept in the process."""
        if self.committed_only and connection.in_atomic_block:
            return build()
        key = self.page_key(f"value|{variant}")
        try:
            found = cache.get_many([self.version_key, key])
            version = found.get(self.version_key) or self._first_version()
        except Exception:
            logger.warning("cache unavailable, computing %s %r uncached", self.name, variant, exc_info=True)
            return build()
        entry: Any = found.get(key)
        if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == version:
            ends = entry[1]
            if ends is None or timezone.now() < ends:
                return entry[2]
        value = build()
        try:
            cache.set(key, (version, until, value), self.seconds)
        except Exception:
            logger.warning("cache unavailable, %s %r not stored", self.name, variant, exc_info=True)
        return value

    def _page_checked(self, variant, build, obj, valid) -> str:
        """page() for a page with a validity check: an entry `valid` rejects is dropped and rebuilt."""
        key = self.page_key(variant if obj is None else f"{obj}|{variant}")
        built = []

        def build_once():
            built.append(True)
            return build()

        body = self.page(variant, build_once, obj=obj)
        if built or valid(body):
            return body
        _local.pop(key, None)
        try:
            cache.delete(key)
        except Exception:
            logger.warning("page cache unavailable, %s %r not dropped", self.name, variant, exc_info=True)
        return self.page(variant, build, obj=obj)

    def _shared_entry(self, key: str):
        """The page as the shared cache holds it (another process may have built the current version)."""
        try:
            return cache.get(key)
        except Exception:
            logger.warning("page cache unavailable, building %s page uncached", self.name, exc_info=True)
            return None

    def _first_version(self, key: str | None = None) -> str:
        return _agreed_version(key or self.version_key)

    def renew(self, obj: str | None = None) -> None:
        """A new version now and again when the current transaction commits: of the section's own pages and
        of `obj`'s pages when an object is named, of every page of the section otherwise."""
        keys = [self.version_key] + ([self.object_key(obj)] if obj is not None else [self.generation_key])
        self._bump(keys)
        transaction.on_commit(lambda: self._bump(keys))

    def _bump(self, keys: list[str] | None = None) -> None:
        keys = keys or [self.version_key, self.generation_key]
        for key in keys:  # this process sees its own renewal at once
            _versions.pop(key, None)
        try:
            cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)
        except Exception:
            logger.error(
                "page cache unavailable: section %s not renewed (stale for up to %s s)",
                self.name,
                self.seconds,
                exc_info=True,
            )


def values(wanted: list[tuple[Section, str, Callable[[], Any]]]) -> list[Any]:
    """Section.value() for several (section, variant, build) at once — a page showing the values of many
    sections (the supervision dashboard's panels) — in one cache round trip for all their versions and
    entries, and one more to store those built. The same rules as value() (today's date in the key, read
    exactly, committed_only, fail open); no `until`."""
    results: list[Any] = [None] * len(wanted)
    todo = []
    for n, (sec, variant, build) in enumerate(wanted):
        if sec.committed_only and connection.in_atomic_block:
            results[n] = build()
        else:
            todo.append((n, sec, sec.page_key(f"value|{variant}"), build))
    if not todo:
        return results
    keys = {k for _, sec, key, _ in todo for k in (sec.version_key, key)}
    try:
        found = cache.get_many(list(keys))
        versions = {sec.name: found.get(sec.version_key) or sec._first_version() for _, sec, _, _ in todo}
    except Exception:
        logger.warning("cache unavailable, computing %d values uncached", len(todo), exc_info=True)
        for n, _, _, build in todo:
            results[n] = build()
        return results
    stored: dict[int, dict[str, tuple]] = {}
    for n, sec, key, build in todo:
        entry: Any = found.get(key)
        version = versions[sec.name]
        if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == version and entry[1] is None:
            results[n] = entry[2]
            continue
        results[n] = build()
        stored.setdefault(sec.seconds, {})[key] = (version, None, results[n])
    try:
        for seconds, entries in stored.items():
            cache.set_many(entries, seconds)
    except Exception:
        logger.warning(
            "cache unavailable, %d values not stored", sum(map(len, stored.values())), exc_info=True
        )
    return results


def section(name: str) -> Section:
    return _sections[name]


def sections_watching(label: str) -> list[Section]:
    return list(_watchers.get(label.lower(), ()))


def _renew_watching(sender, **kwargs) -> None:
    for watching in _watchers.get(sender._meta.label_lower, ()):
        watching.renew()
    for watching in _watching_all:
        if not watching.ignored(sender):
            watching.renew()
    for watching in _watching_apps:
        if sender._meta.app_label in watching.watch_apps and not watching.ignored(sender):
            watching.renew()


def _renew_watching_m2m(sender, action, **kwargs) -> None:
    """A many-to-many change (a staff member's roles, a document's officers): `sender` is the through model."""
    if action in ("post_add", "post_remove", "post_clear"):
        _renew_watching(sender)


post_save.connect(_renew_watching, dispatch_uid="wuding.pagecache.post_save", weak=False)
post_delete.connect(_renew_watching, dispatch_uid="wuding.pagecache.post_delete", weak=False)
m2m_changed.connect(_renew_watching_m2m, dispatch_uid="wuding.pagecache.m2m_changed", weak=False)
