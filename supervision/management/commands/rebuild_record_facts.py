"""Recompute the statistics' materialised facts (supervision/records_store.py) and compare or correct them.

    manage.py rebuild_record_facts            # recompute every case's facts and the monthly rollup
    manage.py rebuild_record_facts --check    # compare only; exit status 1 when they differ

Run after rebuild_deadlines (the facts read the deadline table): nightly, after imports that bypass the save
signals (bulk inserts, the bench generators), and once after the migration that adds the tables (backfill)."""

import time

from django.core.management.base import BaseCommand, CommandError

from supervision import records_store

NAMES = {"facts": "统计事实", "keys": "统计分组", "rollup": "月汇总"}


class Command(BaseCommand):
    help = "重算记录统计的事实与月汇总（--check 只核对不改写）。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只核对，不改写")

    def handle(self, *args, check=False, **options):
        if not records_store.enabled():
            raise CommandError("记录统计的事实只在 PostgreSQL 上保存。")
        started = time.monotonic()
        if not check:
            done = records_store.rebuild()
            self.stdout.write(
                f"案件 {done['cases']} 件，统计事实 {done['facts']} 项，月汇总 {done['lines']} 行，"
                f"用时 {time.monotonic() - started:.1f} 秒。"
            )
            return
        report = records_store.check()
        differ = False
        for name, counts in report.items():
            self.stdout.write(f"{NAMES[name]}：缺少 {counts['missing']}，多余 {counts['extra']}。")
            differ = differ or bool(counts["missing"] or counts["extra"])
        self.stdout.write(f"用时 {time.monotonic() - started:.1f} 秒。")
        if differ:
            raise CommandError("记录统计的事实与计算结果不一致。")
