from django.core.management.base import BaseCommand

from wuding_enforcement.audit.chain import anchor_head


class Command(BaseCommand):
    help = "把审计链当前的最新一条（序号与哈希）锚定到数据库之外的锚点文件（每日由 Celery beat 执行）。"

    def handle(self, *args, **options):
        anchor = anchor_head()
        if anchor is None:
            self.stdout.write("审计日志为空，无需锚定。")
        else:
            self.stdout.write(self.style.SUCCESS(f"已锚定第 {anchor.seq} 条：{anchor.hash}"))
