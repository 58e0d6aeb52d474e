from django.core.management.base import BaseCommand

from supervision.reminders import scan


class Command(BaseCommand):
    help = "扫描临近届满和已逾期的法定期限、30日内到期的执法证件，向责任人发送提醒（每个阈值只提醒一次）。"

    def handle(self, *args, **options):
        result = scan()
        self.stdout.write(
            f"检查案件 {result.cases} 件，新发提醒 {result.created} 条，其中邮件 {result.emailed} 封。"
        )
