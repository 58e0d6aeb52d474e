from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    """Shadows django-simple-history's command of the same name (the ops app is listed first)."""

    help = "已停用：变更历史是执法记录的一部分，不得删除（电子签名法 第十四条：改动须可发现；档案法 第三十七条）。"

    def add_arguments(self, parser):
        # Accept whatever the original took, so that a scheduled call fails with this message, not a usage error.
        parser.add_argument("args", nargs="*")
        parser.add_argument("--days", type=int)
        parser.add_argument("--auto", action="store_true")

    def handle(self, *args, **options):
        raise CommandError(
            "拒绝执行：变更历史是执法记录的一部分，不得按时间清除。历史数据随数据库一起备份（manage.py backup）。"
        )
