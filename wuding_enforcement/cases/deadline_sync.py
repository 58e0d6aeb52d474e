"""Keeping the deadline table (deadline_rows.CaseDeadline) equal to the computed clocks (deadlines.case_deadlines).

The hooks that change a clock are the saves of what the clocks read: the case itself and the rows the clock
providers read through the case's relations — the relations they declare for prefetching (approvals, pauses,
transitions, recording's documents, legal_review's rounds, disclosure's publications) and the case's
one-to-one companions (inspection's inspection): no second list to keep in step with the providers. A save
or delete of one of them marks its case stale: one insert into DeadlineStale, in the transaction of the
change (it commits with it or not at all). A clock that reads something else is caught by the nightly check
(rebuild_deadlines) and named there.

The writer recomputes what it marked once its transaction commits (at most AT_COMMIT marks, failures logged),
so the next reader usually finds nothing stale; and readers (dashboard, overdue lists, reminders, statistics,
the overdue count) call refresh_stale() first, for what is left (a bulk change, a failed refresh): it
recomputes the stale cases with the same prefetches a list page uses (a fixed number of queries, whatever the
number of stale cases) and removes exactly the marks it read, so a change marked meanwhile stays marked. A
refresh writes only the rows that differ (most saves move no clock), and what is kept from the table's rows
(DEADLINES) is renewed only then.
Refreshers of one case are serialised by a transaction-scoped advisory lock per case (taken in case order
with the marks), so that what follows a rewrite (on_rewrite) always starts from the previous rewrite.

Other tables kept per case with the deadline rows register on_rewrite(): called with the case ids in the
transaction that rewrites their rows (the statistics' facts, supervision/records_store.py). Models whose
saves those tables read but the clocks do not (the statistics' group keys: officers) are named by watch().

A change of the holiday table (CalendarDay) moves due dates of many cases: it enqueues a full rebuild through
the outbox (after commit, idempotent).
"""

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from wuding_enforcement.shared.pagecache import Section

from .staff_cache import STAFF_PAGES

logger = logging.getLogger("wuding.cases")

CHUNK = 500

# What is computed from the table's open clocks joined to their cases (stage, unit, procedure, number, title),
# their officers and the people's and units' names (the supervision dashboard's overdue / due-soon counts and
# the rows of their lists): renewed when a refresh writes rows (_store), and by a save of a case, of its
# officers, of a person or of a unit, which change the join without moving a clock. Never kept from inside a
# transaction (committed_only): a refresh that rolls back renews nothing at commit.
DEADLINES = Section(
    "cases-deadlines",
    watches=["cases.case", "cases.caseofficer", "roster.staff", "roster.unit"],
    seconds=60 * 60,
    committed_only=True,
)
# sender -> the attribute holding the case id ("" when the model does not point to a case)
_watch: dict[type, str] = {}


def _case_attname(sender: type[Model]) -> str:
    if sender in _watch:
        return _watch[sender]
    from .deadline_rows import CaseDeadline, DeadlineStale
    from .models import Case, CaseGroupObjectPermission, CaseUserObjectPermission

    attname = ""
    skip = (CaseDeadline, DeadlineStale, CaseUserObjectPermission, CaseGroupObjectPermission)
    # simple-history's copies carry the same foreign keys; the live row's own save already marked the case.
    if sender is Case:
        attname = "pk"
    elif sender not in skip and not hasattr(sender, "instance_type"):
        for f in sender._meta.concrete_fields:
            if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is Case:
                attname = f.attname
                break
    _watch[sender] = attname
    return attname


_read: set[type] = set()
# Models that mark their case stale though no clock reads them (watch()), and what follows a rewrite.
_watched: set[type] = set()
_followers: list = []
# The advisory-lock class of a case being rewritten (the two-integer form: apart from single-key locks).
LOCK_CLASS = 7316


def _case_lock(column: str) -> str:
    """SQL taking the advisory lock of the case whose id is `column`, until the transaction ends."""
    return f"pg_advisory_xact_lock({LOCK_CLASS}, mod({column}, 2147483647)::integer)"


# The stale marks one refresh transaction takes (and so the advisory locks it holds) at most.
MARKS_PER_TRANSACTION = 1000


def watch(model: type[Model]) -> None:
    """Mark a model's case stale on its saves and deletes though no clock reads it (a table kept by
    on_rewrite reads it). The model must point to the case (connect_signals connected it)."""
    _watched.add(model)


def on_rewrite(follower) -> None:
    """Call follower(case_ids) in the transaction that rewrites these cases' deadline rows (after them)."""
    if follower not in _followers:
        _followers.append(follower)


def _read_by_clocks() -> set[type]:
    """The case, the models the clocks read through the relations deadline_prefetch() names (nested ones
    too: a publication's document and its correction), and the case's one-to-one companions (inspection's
    inspection). Worked out at the first save, when every provider has registered."""
    if not _read:
        from .deadlines import deadline_prefetch
        from .models import Case

        found: set[type] = {Case}
        for path in deadline_prefetch():
            model: Any = Case
            for part in path.split("__"):
                model = model._meta.get_field(part).related_model
                found.add(model)
        found.update(rel.related_model for rel in Case._meta.related_objects if rel.one_to_one)
        _read.update(found)
    return _read


def _changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return  # loaddata: the command that loads checks afterwards
    attname = _case_attname(sender)
    if not attname or (sender not in _read_by_clocks() and sender not in _watched):
        return
    case_id = getattr(instance, attname, None)
    if case_id is not None:
        mark_stale([case_id], using=kwargs.get("using"))


def _calendar_changed(sender, **kwargs):
    from wuding_enforcement.outbox.api import enqueue

    enqueue("wuding_enforcement.cases.tasks.rebuild_deadlines", dedupe_key="cases:rebuild_deadlines")


def connect_signals():
    """Connect the case and every model pointing to it (all models are loaded when ready() runs). Connected
    per sender, so that other models keep Django's fast deletes."""
    from django.apps import apps

    from .models import CalendarDay

    for model in apps.get_models():
        if _case_attname(model):
            uid = f"cases.deadline_sync.{model._meta.label_lower}"
            post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
    post_save.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="cases.deadline_sync.calendar")
    post_delete.connect(
        _calendar_changed, sender=CalendarDay, dispatch_uid="cases.deadline_sync.calendar_del"
    )


def mark_stale(case_ids: Iterable[int], using: str | None = None) -> None:
    from .deadline_rows import DeadlineStale

    DeadlineStale.objects.using(using or "default").bulk_create([DeadlineStale(case_id=c) for c in case_ids])
    STAFF_PAGES.renew()  # a bulk write: no signal renews the staff pages that show these cases' clocks
    # The writer refreshes what it marked once its transaction commits, so that the next reader (a list, the
    # dashboard) finds the table current instead of recomputing the case while its user waits. Bounded (a
    # matter's change marking thousands of cases leaves the rest to the readers); a failure there is logged
    # and the marks stay for the next reader (robust: the change itself has committed).
    # Once per transaction: a transaction saving many rows of many cases marks each, and one refresh takes
    # them all (up to AT_COMMIT).
    conn = transaction.get_connection(using)
    if not (conn.in_atomic_block and any(hook is _refresh_after_commit for _, hook, _ in conn.run_on_commit)):
        transaction.on_commit(_refresh_after_commit, using=using, robust=True)


# The stale marks a writer refreshes after its commit at most (the rest: the next reader's refresh_stale()).
AT_COMMIT = 50


def _refresh_after_commit() -> None:
    refresh_stale(limit=AT_COMMIT)


def computed_rows(cases: Iterable[Model], today: datetime.date) -> list:
    """The rows the clocks of these cases (fetched with deadline_prefetch()) stand for today."""
    from .deadline_rows import CaseDeadline

    rows = []
    for case in cases:
        seen = set()
        for d in case.deadlines(today):  # type: ignore[attr-defined]
            if d.key not in seen:  # one row per clock (keys are unique per case)
                seen.add(d.key)
                rows.append(CaseDeadline.from_deadline(case.pk, d))
    return rows


def _cases(ids):
    from .deadlines import deadline_prefetch
    from .models import Case

    return Case.objects.filter(pk__in=ids).prefetch_related(*deadline_prefetch()).order_by("pk")


def write(case_ids: Iterable[int], today: datetime.date | None = None) -> int:
    """Recompute the rows of these cases: upsert what the clocks say, delete the rows of clocks that are gone.
    Queries: the cases and one per prefetched relation, the upsert, the delete."""
    from . import calendar

    ids = sorted(set(case_ids))
    if not ids:
        return 0
    today = today or timezone.localdate()
    with calendar.cached():
        rows = computed_rows(_cases(ids), today)
    return _store(ids, rows)


def _store(ids: list[int], rows: list) -> int:
    """Make the table's rows of these cases `rows` (computed_rows of them), writing only what differs: the
    rows missing or changed are upserted, the rows of clocks that are gone deleted. Most saves move no clock
    (a document's draft): their refresh then writes nothing, and what is keyed on the table (DEADLINES, the
    rows' computed_at) stays valid. Queries: the stored rows, the upsert and the delete when there is
    something to write."""
    from .deadline_rows import CaseDeadline

    have = {(r.case_id, r.key): r for r in CaseDeadline.objects.filter(case_id__in=ids)}
    changed = [r for r in rows if not ((old := have.get((r.case_id, r.key))) and old.same_as(r))]
    keep = {(r.case_id, r.key) for r in rows}
    gone = [r.pk for key, r in have.items() if key not in keep]
    fields = [f.name for f in CaseDeadline._meta.concrete_fields if f.name not in ("id", "case", "key")]
    with transaction.atomic():
        if changed:
            CaseDeadline.objects.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=["case", "key"],
                update_fields=fields,
                batch_size=CHUNK,
            )
        if gone:
            CaseDeadline.objects.filter(pk__in=gone).delete()
        for follower in _followers:
            follower(ids)
        if changed or gone:
            # Bulk writes: no signal renews what shows or counts these rows.
            STAFF_PAGES.renew()
            DEADLINES.renew()
    return len(rows)


def refresh_stale(limit: int | None = None) -> int:
    """Recompute the cases marked stale; the number of cases (a case whose marks fell in two transactions
    counts twice). Marks locked by a concurrent refresher are skipped (it is writing them); marks made
    meanwhile stay for the next reader. On PostgreSQL in transactions of MARKS_PER_TRANSACTION marks; with
    `limit`, one transaction of at most that many marks (the rest stay for the next reader)."""
    from .deadline_rows import DeadlineStale

    # Nothing stale (every list page's case): one unlocked read instead of BEGIN, the locking SELECT and
    # COMMIT. It sees exactly the marks the locking read would (committed ones; an uncommitted mark is
    # invisible to both), so a page never shows a row older than a committed change.
    if not DeadlineStale.objects.exists():
        return 0
    if connection.vendor != "postgresql":  # SQLite (development): one writer at a time anyway
        with transaction.atomic():
            marks = list(DeadlineStale.objects.values_list("pk", "case_id")[:limit])
            for chunk in _chunks(sorted({case_id for _, case_id in marks})):
                write(chunk)
            DeadlineStale.objects.filter(pk__in=[pk for pk, _ in marks]).delete()
        return len({case_id for _, case_id in marks})
    table = DeadlineStale._meta.db_table
    refreshed = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            # The marks not locked by another refresher, and each case's advisory lock in case order (waiting
            # for a refresher of the same case to commit: the rewrite then starts from its result). At most
            # MARKS_PER_TRANSACTION marks a transaction: each lock holds a slot of the server's shared lock
            # table (max_locks_per_transaction x connections), which a matter's change marking thousands of
            # cases would otherwise exhaust ("out of shared memory"), failing every reader until fixed.
            cursor.execute(
                f"SELECT s.id, s.case_id, {_case_lock('s.case_id')}"  # noqa: S608
                f" FROM (SELECT id, case_id FROM {table} ORDER BY case_id, id LIMIT %s FOR UPDATE SKIP LOCKED) s",
                [min(limit or MARKS_PER_TRANSACTION, MARKS_PER_TRANSACTION)],
            )
            marks = [(pk, case_id) for pk, case_id, _ in cursor.fetchall()]
            if not marks:
                return refreshed
            case_ids = {case_id for _, case_id in marks}
            for chunk in _chunks(sorted(case_ids)):
                write(chunk)
            cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [[pk for pk, _ in marks]])  # noqa: S608
        refreshed += len(case_ids)
        if limit is not None or len(marks) < MARKS_PER_TRANSACTION:
            return refreshed


def _lock(case_ids: list[int]) -> None:
    """The advisory locks of these cases (refresh_stale's), in case order, until the transaction ends."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_case_lock('c')}"  # noqa: S608
            " FROM unnest(%s) c ORDER BY c",
            [sorted(case_ids)],
        )


def _chunks(ids: list[int]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def rebuild(*, today: datetime.date | None = None, write_rows: bool = True) -> dict:
    """Recompute every case's clocks and compare them with the table. Returns counts and the first
    differences (case id, key, what differs); with write_rows the table is corrected."""
    from . import calendar
    from .deadline_rows import CaseDeadline
    from .models import Case

    today = today or timezone.localdate()
    report: dict = {"cases": 0, "rows": 0, "missing": 0, "extra": 0, "changed": 0, "examples": []}
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids):
        with calendar.cached():
            truth = {(r.case_id, r.key): r for r in computed_rows(_cases(chunk), today)}
        stored = {(r.case_id, r.key): r for r in CaseDeadline.objects.filter(case_id__in=chunk)}
        report["cases"] += len(chunk)
        report["rows"] += len(truth)
        before = report["missing"] + report["changed"] + report["extra"]
        for key, row in truth.items():
            have = stored.get(key)
            if have is None:
                report["missing"] += 1
                _example(report, key, "缺少")
            elif not have.same_as(row):
                report["changed"] += 1
                _example(report, key, f"届满日 {have.due} → {row.due}，完成 {have.met_on} → {row.met_on}")
        for key in stored.keys() - truth.keys():
            report["extra"] += 1
            _example(report, key, "多余")
        if write_rows and report["missing"] + report["changed"] + report["extra"] > before:
            with transaction.atomic():
                _lock(chunk)
                # The rows just computed (not a second computation), compared with the rows as they are once
                # the cases are locked (a refresher may have written them since they were read above).
                _store(chunk, list(truth.values()))
    return report


def _example(report, key, what):
    if len(report["examples"]) < 20:
        report["examples"].append((key[0], key[1], what))
