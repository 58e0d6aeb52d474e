"""记录统计's materialised facts: per case (RecordFact, RecordKey) and summed per month (RecordRollup), so that
the statistics right after a change read a few thousand rollup lines whatever the number of cases.

Design (issue 16):
- What is stored: the facts that do not depend on the day they are read — a case's registration, its stage
  spans (the first entry into each stage, probed once here instead of per request), its clocks met after
  their due date — computed by records_facts.materialised_facts(), the same SQL as the computed facts over
  all time; and the case's group keys (records_facts.KEY_SQL: unit, matter categories, officers, 办案类别).
- What stays live (records_facts._live_sources): what `today` changes without a write — the clocks still
  open past their due date (the open ones: few, on the deadline table's partial index) — the facts whose
  case is not surely alive in the fact's month (RecordFact.sure: the period decides), and the review rounds,
  publications and audio-video acts of the period, read from their own rows on their date indexes.
- Kept current by the deadline table's hooks (cases/deadline_sync.py): every save that marks a case stale
  (and the group keys' saves the statistics add: officers, matters, a matter's category) leads the next
  reader's refresh_stale() to rewrite the case's deadline rows and then, in the same transaction, its facts
  here (sync(): one statement). Refreshers of one case are serialised by a transaction-scoped advisory lock
  per case (taken in refresh_stale's locking read), so that a delta is always taken against the facts the
  rollup holds.
- The rollup is changed by deltas (the old facts out, the new in) in that statement; `manage.py
  rebuild_record_facts [--check]` recomputes everything and compares (run after bulk imports and nightly,
  with rebuild_deadlines first).
"""

from django.db import connection, transaction

from . import records_facts
from .models import RecordFact, RecordKey, RecordRollup

FACT_COLUMNS = "case_id, day, kind, sub, num, flag, sure"
KEY_COLUMNS = "case_id, dim, gkey"
CELL = "dim, month, pkind, gkey, kind, sub"
CELL_ORDER = "d.dim, d.month, d.pkind, d.gkey NULLS FIRST, d.kind, d.sub"
CHUNK = 2000


def _tables():
    return RecordFact._meta.db_table, RecordKey._meta.db_table, RecordRollup._meta.db_table


def _contributions(facts: str, keys: str, sign: str) -> str:
    """The rollup lines of facts × keys (two relations with FACT_COLUMNS and KEY_COLUMNS): each sure fact
    once per group key of its case, under the case's 办案类别."""
    return (
        f"SELECT {sign} AS sign, f.day, f.kind, f.sub, f.num, f.flag, k.dim, k.gkey, p.gkey AS pkind"  # noqa: S608
        f" FROM {facts} f JOIN {keys} k ON k.case_id = f.case_id"
        f" JOIN {keys} p ON p.case_id = f.case_id AND p.dim = '{records_facts.PROCEDURE_DIM}' WHERE f.sure"
    )


def _summed(lines: str) -> str:
    return (
        "SELECT k.dim, date_trunc('month', k.day)::date AS month, k.pkind, k.gkey, k.kind, k.sub,"  # noqa: S608
        " SUM(k.sign) AS count, SUM(k.sign * k.num) AS total, SUM(k.sign * k.flag) AS held"
        f" FROM ({lines}) k GROUP BY 1, 2, 3, 4, 5, 6"
    )


def enabled() -> bool:
    """The materialised facts are kept on PostgreSQL (SQLite, for development, computes every fact)."""
    return connection.vendor == "postgresql"


def sync(case_ids) -> None:
    """Rewrite the facts and keys of these cases and move the rollup by the difference: one statement (the
    old rows deleted and returned, the new inserted and returned, their difference added per cell). Called
    in the transaction that rewrites the cases' deadline rows, under their advisory locks."""
    ids = sorted(set(case_ids))
    if not ids or not enabled():
        return
    fact, key, rollup = _tables()
    facts_sql, facts_params = records_facts.materialised_facts(ids)
    keys_sql, keys_params = records_facts.materialised_keys(ids)
    sql = (
        f"WITH old_f AS (DELETE FROM {fact} WHERE case_id = ANY(%s) RETURNING {FACT_COLUMNS}),"  # noqa: S608
        f" old_k AS (DELETE FROM {key} WHERE case_id = ANY(%s) RETURNING {KEY_COLUMNS}),"
        f" new_f AS (INSERT INTO {fact} ({FACT_COLUMNS}) SELECT * FROM ({facts_sql}) s RETURNING {FACT_COLUMNS}),"
        f" new_k AS (INSERT INTO {key} ({KEY_COLUMNS}) SELECT * FROM ({keys_sql}) s RETURNING {KEY_COLUMNS}),"
        f" delta AS ({_summed(_contributions('old_f', 'old_k', '-1') + ' UNION ALL ' + _contributions('new_f', 'new_k', '1'))})"
        f" INSERT INTO {rollup} ({CELL}, count, total, held) SELECT * FROM delta d"
        " WHERE d.count <> 0 OR d.total <> 0 OR d.held <> 0"
        # Every refresher changes the cells it shares with another in the same order: the second waits for
        # the first to commit instead of each holding a cell the other needs (a deadlock).
        f" ORDER BY {CELL_ORDER}"
        f" ON CONFLICT ON CONSTRAINT supervision_rollup_cell DO UPDATE SET count = {rollup}.count + EXCLUDED.count,"
        f" total = {rollup}.total + EXCLUDED.total, held = {rollup}.held + EXCLUDED.held"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids, ids, *facts_params, *keys_params])


def _all_ids() -> list[int]:
    from wuding_enforcement.cases.models import Case

    return list(Case.objects.order_by("pk").values_list("pk", flat=True))


def _chunks(ids):
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def rebuild() -> dict:
    """Recompute every case's facts and keys and the rollup from them (after bulk imports; the backfill).
    Under an exclusive lock of the three tables: refreshers wait for it."""
    fact, key, rollup = _tables()
    ids = _all_ids()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {fact}, {key}, {rollup} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {fact}; DELETE FROM {key}; DELETE FROM {rollup}")  # noqa: S608
        for chunk in _chunks(ids):
            facts_sql, facts_params = records_facts.materialised_facts(chunk)
            keys_sql, keys_params = records_facts.materialised_keys(chunk)
            cursor.execute(f"INSERT INTO {fact} ({FACT_COLUMNS}) {facts_sql}", facts_params)  # noqa: S608
            cursor.execute(f"INSERT INTO {key} ({KEY_COLUMNS}) {keys_sql}", keys_params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {rollup} ({CELL}, count, total, held) {_summed(_contributions(fact, key, '1'))}"  # noqa: S608
        )
    return {"cases": len(ids), "facts": RecordFact.objects.count(), "lines": RecordRollup.objects.count()}


def backfill_if_missing() -> bool:
    """Fill the store when cases exist and none of them has its keys (every case has at least its 办案类别):
    the first migrate after the tables were added, or a database loaded without signals. Run after every
    migrate (post_migrate: the schema is then the code's); two EXISTS probes when there is nothing to do."""
    from wuding_enforcement.cases.models import Case

    if not enabled() or RecordKey.objects.exists() or not Case.objects.exists():
        return False
    rebuild()
    return True


def check_and_repair() -> dict:
    """The nightly job: check(), and rebuild() when anything differs (writes that bypassed the signals).
    Returns the check's report and whether it rebuilt."""
    if not enabled():
        return {"rebuilt": False}
    report = check()
    differs = any(counts["missing"] or counts["extra"] for counts in report.values())
    if differs:
        rebuild()
    return {**report, "rebuilt": differs}


def check() -> dict:
    """Compare the stored facts, keys and rollup with what they should be (the facts and keys recomputed;
    the rollup summed from the recomputed facts and keys; lines whose sums are all 0 do not count). Returns
    the number of rows missing and extra in each."""
    fact, key, rollup = _tables()
    ids = _all_ids()
    report = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # Temporary tables, dropped at the end (ON COMMIT DROP would wait for an enclosing transaction).
        cursor.execute("DROP TABLE IF EXISTS truth_f, truth_k")
        cursor.execute(f"CREATE TEMPORARY TABLE truth_f AS SELECT * FROM {fact} WHERE false")  # noqa: S608
        cursor.execute(f"CREATE TEMPORARY TABLE truth_k AS SELECT * FROM {key} WHERE false")  # noqa: S608
        for chunk in _chunks(ids):
            facts_sql, facts_params = records_facts.materialised_facts(chunk)
            keys_sql, keys_params = records_facts.materialised_keys(chunk)
            cursor.execute(f"INSERT INTO truth_f ({FACT_COLUMNS}) {facts_sql}", facts_params)
            cursor.execute(f"INSERT INTO truth_k ({KEY_COLUMNS}) {keys_sql}", keys_params)
        stored_rollup = (
            f"SELECT {CELL}, count, total, held FROM {rollup} WHERE count <> 0 OR total <> 0 OR held <> 0"  # noqa: S608
        )
        facts, keys = f"SELECT {FACT_COLUMNS} FROM", f"SELECT {KEY_COLUMNS} FROM"  # noqa: S608
        pairs = {
            "facts": (f"{facts} truth_f", f"{facts} {fact}"),
            "keys": (f"{keys} truth_k", f"{keys} {key}"),
            "rollup": (_summed(_contributions("truth_f", "truth_k", "1")), stored_rollup),
        }
        for name, (truth, stored) in pairs.items():
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM ({truth} EXCEPT ALL {stored}) a),"  # noqa: S608
                f" (SELECT COUNT(*) FROM ({stored} EXCEPT ALL {truth}) b)"
            )
            missing, extra = cursor.fetchone()
            report[name] = {"missing": missing, "extra": extra}
        cursor.execute("DROP TABLE truth_f, truth_k")
    return report


def connect() -> None:
    """Keep the facts with the deadline rows (on_rewrite), and mark a case stale when one of its group keys
    changes without a clock changing: its officers (watched), its matters (the many-to-many table: no save
    signal), a matter's category (every case of the matter)."""
    from django.db.models.signals import m2m_changed, post_save

    from wuding_enforcement.cases import deadline_sync
    from wuding_enforcement.cases.models import Case, CaseOfficer, PowerItem

    deadline_sync.on_rewrite(sync)
    deadline_sync.watch(CaseOfficer)
    m2m_changed.connect(
        _matters_changed, sender=Case.matters.through, dispatch_uid="supervision.records.matters"
    )
    post_save.connect(_matter_saved, sender=PowerItem, dispatch_uid="supervision.records.power_item")


def _matters_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    from wuding_enforcement.cases.deadline_sync import mark_stale
    from wuding_enforcement.cases.models import Case

    if not reverse and action in ("post_add", "post_remove", "post_clear"):
        mark_stale([instance.pk], using=using)
    elif reverse and action in ("post_add", "post_remove") and pk_set:
        mark_stale(sorted(pk_set), using=using)
    elif reverse and action == "pre_clear":  # a matter cleared of its cases: named before they are gone
        mark_stale(
            list(Case.objects.using(using).filter(matters=instance).values_list("pk", flat=True)), using=using
        )


def _matter_saved(sender, instance, created=False, raw=False, using=None, **kwargs):
    from wuding_enforcement.cases.deadline_sync import mark_stale

    if created or raw:
        return
    cases = list(instance.cases.values_list("pk", flat=True)) if hasattr(instance, "cases") else []
    if cases:
        mark_stale(cases, using=using)
