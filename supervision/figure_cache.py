"""Cached supervision figures: the dashboard's panels (other than the deadlines) and the statistics report,
kept in the shared cache (Redis in production) under one version that every change of what they read renews.

What they read: the rows of the systems the supervisors watch — cases (and their transitions, officers,
matters, pauses, the holiday table), recording's documents and audio-video, legal review, disclosure,
inspection, the roster (people, roles, units, certificates, training) and supervision's own notices. A save or
delete of any model of those apps, or a change of one of their many-to-many relations (a document's officers,
a person's roles, a case's matters), renews the version — now and again when the transaction commits, so a
figure built in between from the not-yet-committed state is not kept (the rule of shared/pagecache.py).
The version is a section of the one page cache (wuding_enforcement/shared/pagecache.py, `FIGURES`, watching
these apps less the tables below): its receivers renew it, and its `value()` keeps the figures.

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
from collections.abc import Callable
from typing import Any, TypeVar

from wuding_enforcement.shared.pagecache import Section, values

T = TypeVar("T")

SECONDS = 60 * 60
# The apps whose rows the figures read.
WATCHED_APPS = frozenset(
    {"cases", "recording", "legal_review", "disclosure", "inspection", "roster", "supervision"}
)
# Models of those apps no figure reads, changed often: their saves do not renew the figures. The deadline
# table and its marks are written in bulk (no signals); the figures built from the table bring it up to date
# first, and every mark comes from a watched save.
IGNORED = frozenset(
    {"supervision.notification", "cases.casedeadline", "cases.deadlinestale", "recording.upload"}
)

FIGURES = Section("supervision-figures", watch_apps=WATCHED_APPS, ignores=IGNORED, seconds=SECONDS)

# The dashboard's panels or parts of them (dashboard.PARTS; but the deadlines, kept in the deadline table's own
# section: cases/deadline_sync.py DEADLINES) and its inspection summary, each in a section of its own
# watching only what it reads: whole apps and, of the cases app (the busiest writes: approvals, parties,
# pauses ...), the models it reads — the cases and their officers for the parts about cases, the working-day
# calendar for all (a part may count working days; it is read through the process's copy, without a query to
# show it). The parts' queries read nothing else (tests/demo/test_seed_demo.py checks each part's queries on
# the demo bureau against its section). So the commonest save, a document's draft, renews the audio-video
# panel and the publication panel's late withdrawals only; a case's save every part about cases; neither
# renews the training and notices panels. Sign-ins save a person (last_login) and a login session: the first
# renews the parts that show people, the second none.
CASES = ("cases.case", "cases.caseofficer", "cases.case_matters")
PANEL_WATCHES: dict[str, tuple[set[str], tuple[str, ...]]] = {
    # part: (apps, models of the cases app)
    "av": ({"recording", "roster"}, CASES),
    "publication": ({"disclosure", "roster"}, (*CASES, "cases.rulesettings")),
    "withdrawal": ({"disclosure", "recording", "roster"}, (*CASES, "cases.rulesettings")),
    "inspection": ({"inspection", "roster"}, CASES),
    "review": ({"legal_review", "roster"}, CASES),
    "certificates": ({"roster"}, CASES),
    "training": ({"roster", "auth"}, ()),
    "notices": ({"supervision", "roster"}, ()),
    "inspection-summary": ({"inspection", "roster"}, CASES),
}
PANELS = {
    panel: Section(
        f"supervision-panel-{panel}",
        watches=(*case_models, "cases.calendarday"),
        watch_apps=apps,
        ignores=IGNORED | {"roster.loginsession"},
        seconds=SECONDS,
    )
    for panel, (apps, case_models) in PANEL_WATCHES.items()
}


# The units and people the supervision pages' filters and breakdowns list (views_dashboard._filters): renewed
# by a save of a person or a unit; never kept from inside a transaction.
PEOPLE = Section(
    "supervision-people", watches=["roster.staff", "roster.unit"], seconds=SECONDS, committed_only=True
)


def panel_watches(name: str, model) -> bool:
    """Whether a save of `model` renews the panel `name` (what the receivers of shared/pagecache.py do)."""
    section = PANELS[name]
    meta = model._meta
    return meta.label_lower in section.watches or (
        meta.app_label in section.watch_apps and not section.ignored(model)
    )


def renew() -> None:
    """A new version now and again when the current transaction commits."""
    FIGURES.renew()


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
    return FIGURES.value(repr((name, variant, extra)), build, until=until)


def panel(name: str, variant: Any, build: Callable[[], T]) -> T:
    """`build()`'s result for one dashboard panel (PANELS) and `variant` (the filters), from the panel's
    section while nothing it reads has changed today."""
    return panels({name: (variant, build)})[name]


def panels(wanted: dict[str, tuple[Any, Callable[[], Any]]]) -> dict[str, Any]:
    """panel() for several panels at once ({name: (variant, build)}), in one cache round trip."""
    names = list(wanted)
    found = values([(PANELS[name], repr((name, wanted[name][0])), wanted[name][1]) for name in names])
    return dict(zip(names, found, strict=True))


def watched(model) -> bool:
    """Whether a save, delete or many-to-many change of `model` renews the figures (history copies: their live
    row's save does)."""
    return model._meta.app_label in WATCHED_APPS and not FIGURES.ignored(model)
