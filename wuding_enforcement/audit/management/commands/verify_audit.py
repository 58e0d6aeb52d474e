from django.core.management.base import BaseCommand, CommandError

from wuding_enforcement.audit.chain import verify_chain


class Command(BaseCommand):
    help = (
        "逐条核对审计日志的哈希链和全部锚点（数据库、锚点文件、锚点镜像、见证副本）；发现被篡改、删除、乱序插入，"
        "或数据库被回滚而没有记录恢复重建时，以非零状态退出并指出第一条。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--witness",
            action="append",
            default=[],
            metavar="FILE",
            help="另行保存的锚点副本：公示网站 /audit/anchor/ 的 JSON，或锚点文件（可多次指定）",
        )

    def handle(self, *args, **options):
        report = verify_chain(witnesses=options["witness"])
        if not report.ok:
            raise CommandError(f"审计链校验失败：{report.message}")
        self.stdout.write(self.style.SUCCESS(report.message))
        for note in report.notes:
            self.stdout.write(note)
