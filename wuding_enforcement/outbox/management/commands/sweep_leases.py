from django.core.management.base import BaseCommand

from wuding_enforcement.outbox import leases


class Command(BaseCommand):
    help = "把运行超过租期仍未结束的后台任务标记为失败（写明原因，可重试）。beat 每五分钟执行一次。"

    def handle(self, *args, **options):
        moved = leases.sweep()
        for line in moved:
            self.stdout.write(line)
        self.stdout.write(f"共 {len(moved)} 个任务超过租期，已标记为失败。")
