from django.core.management.base import BaseCommand

from wuding_enforcement.outbox import api


class Command(BaseCommand):
    help = "把到期的待发送任务交给任务队列（无队列时在本进程内执行）；失败的按退避时间稍后重试。beat 每分钟执行一次。"

    def handle(self, *args, **options):
        result = api.drain()
        self.stdout.write(
            f"已发送 {result['sent']} 条，发送失败待重试 {result['failed']} 条，"
            f"清理已发送旧记录 {result['removed']} 条，仍在等待 {result['waiting']} 条。"
        )
