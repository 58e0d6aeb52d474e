"""Recompute every case's statutory clocks, compare them with the deadline table and correct it.

    manage.py rebuild_deadlines            # correct the table, report what differed
    manage.py rebuild_deadlines --check    # report only; exit status 1 when the table differs

Run nightly (the paused clocks' due dates move with each day of an open pause) and after imports that bypass
the save signals (bulk inserts, the bench generators)."""

from django.core.management.base import BaseCommand, CommandError

from wuding_enforcement.cases.deadline_sync import rebuild


class Command(BaseCommand):
    help = "重算全部案件的办案期限，并与期限表核对（--check 只核对不改写）。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只核对，不改写期限表")

    def handle(self, *args, check=False, **options):
        report = rebuild(write_rows=not check)
        differences = report["missing"] + report["extra"] + report["changed"]
        self.stdout.write(
            f"案件 {report['cases']} 件，期限 {report['rows']} 项；缺少 {report['missing']}，多余 {report['extra']}，"
            f"不一致 {report['changed']}{'（已改正）' if differences and not check else ''}。"
        )
        for case_id, key, what in report["examples"]:
            self.stdout.write(f"  案件 {case_id} {key}：{what}")
        if check and differences:
            raise CommandError("期限表与计算结果不一致。")
