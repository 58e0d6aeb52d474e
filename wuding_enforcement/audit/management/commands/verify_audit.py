from django.core.management.base import BaseCommand, CommandError

from wuding_enforcement.audit.chain import verify_chain


class Command(BaseCommand):
    help = "逐条核对审计日志的哈希链和锚点；发现被篡改、删除或乱序插入的记录时以非零状态退出并指出第一条。"

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"审计链校验失败：{report.message}")
        self.stdout.write(self.style.SUCCESS(report.message))
