from django.core.management.base import BaseCommand

from wuding_enforcement.audit.chain import anchor_head


class Command(BaseCommand):
    help = "把审计链当前的最新一条（序号与哈希）锚定到数据库之外的锚点文件及其镜像（Celery beat 每小时、每日执行）。"

    def add_arguments(self, parser):
        parser.add_argument("--period", default="manual", help="锚定方式，记入锚点（默认 manual）")

    def handle(self, *args, **options):
        anchor = anchor_head(period=options["period"])
        if anchor is None:
            self.stdout.write("审计日志为空，无需锚定。")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"已锚定第 {anchor.seq} 条（第 {anchor.epoch} 期）：{anchor.hash}")
            )
