"""Audit-log appends per second through audit.api.record(), against a plain insert of a similar row.

Runs on the configured database engine (SQLite by default; PostgreSQL when DATABASE_URL says so), always in a
throwaway database created and dropped here: the bench never writes to the developer's var/db.sqlite3 or to
the database DATABASE_URL names (its audit chain would carry thousands of bench events for ever).

    .venv/bin/python bench/audit_append.py [--rows 2000] [--rounds 5]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare_environment(tmp: Path) -> None:
    """Point every path the settings read at the temporary directory, before Django reads them."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wuding_enforcement.settings"
    # Without DATABASE_URL the settings would name var/db.sqlite3: name a file of our own instead.
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'unused.sqlite3'}")
    # verify_chain() reads the anchor file: the developer's anchors describe another database.
    os.environ["AUDIT_ANCHOR_DIR"] = str(tmp / "audit-anchors")
    os.environ["MEDIA_ROOT"] = str(tmp / "media")


def plain_model():
    """A table shaped like AuditEvent with none of its rules: no chain, no lock, no hash to compute."""
    from django.db import models

    class PlainEvent(models.Model):
        seq = models.PositiveBigIntegerField()
        occurred_at = models.DateTimeField()
        actor_name = models.CharField(max_length=150, blank=True)
        unit_name = models.CharField(max_length=100, blank=True)
        ip = models.GenericIPAddressField(null=True, blank=True)
        action = models.CharField(max_length=100)
        object_type = models.CharField(max_length=100, blank=True)
        object_id = models.CharField(max_length=64, blank=True)
        object_repr = models.CharField(max_length=200, blank=True)
        outcome = models.CharField(max_length=10)
        detail = models.JSONField(default=dict, blank=True)
        prev_hash = models.CharField(max_length=64)
        hash = models.CharField(max_length=64)

        class Meta:
            app_label = "bench"
            db_table = "bench_plain_event"

        def __str__(self):
            return f"#{self.seq} {self.action}"

    return PlainEvent


def measure(rows: int, rounds: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from wuding_enforcement.audit.api import record
    from wuding_enforcement.audit.chain import verify_chain
    from wuding_enforcement.audit.models import Outcome

    PlainEvent = plain_model()
    with connection.schema_editor() as editor:
        editor.create_model(PlainEvent)

    def audit_append(i):
        record("bench.append", object_repr=f"压测事件{i}", detail={"i": i, "说明": "审计日志追加基准"})

    def plain_insert(i):
        # record() appends inside its own transaction; so does the baseline.
        with transaction.atomic():
            PlainEvent.objects.create(
                seq=i,
                occurred_at=timezone.now(),
                action="bench.append",
                object_repr=f"压测事件{i}",
                outcome=Outcome.SUCCESS,
                detail={"i": i, "说明": "审计日志追加基准"},
                prev_hash="0" * 64,
                hash="f" * 64,
            )

    def timed(fn, start, count):
        began = time.perf_counter()
        for i in range(start, start + count):
            fn(i)
        return time.perf_counter() - began

    # Warm up both paths (connections, statement caches), then alternate them round by round so that drift
    # in the machine's load falls on both alike.
    timed(audit_append, 0, 20)
    timed(plain_insert, 0, 20)
    per_round = max(1, rows // rounds)
    spent = {"audit": 0.0, "plain": 0.0}
    for r in range(rounds):
        start = 1000 + r * per_round
        order = [("audit", audit_append), ("plain", plain_insert)]
        for name, fn in order if r % 2 == 0 else reversed(order):
            spent[name] += timed(fn, start, per_round)
    done = per_round * rounds
    report = verify_chain()
    return {
        "vendor": connection.vendor,
        "rows": done,
        "audit_per_s": done / spent["audit"],
        "plain_per_s": done / spent["plain"],
        "chain_ok": report.ok,
        "chain_rows": report.rows,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="rows appended by each path (default 2000)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="wuding-bench-"))
    try:
        prepare_environment(tmp)
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        # DEBUG keeps every query in memory and slows both paths: measure as production runs.
        settings.DEBUG = False
        if connection.vendor == "sqlite":
            connection.settings_dict["TEST"]["NAME"] = str(tmp / "bench.sqlite3")
        else:
            connection.settings_dict["TEST"]["NAME"] = f"bench_wuding_{os.getpid()}"
        original_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            figures = measure(args.rows, args.rounds)
        finally:
            connection.creation.destroy_test_db(original_name, verbosity=0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ratio = figures["audit_per_s"] / figures["plain_per_s"]
    print(
        f"audit append: {figures['audit_per_s']:.0f} /s; plain insert: {figures['plain_per_s']:.0f} /s; "
        f"ratio {ratio:.2f}  ({figures['vendor']}, {figures['rows']} rows each)"
    )
    print(
        f"audit chain after the run: {'intact' if figures['chain_ok'] else 'BROKEN'} ({figures['chain_rows']} rows)"
    )
    return 0 if figures["chain_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
