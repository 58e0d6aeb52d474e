from django.core.management.base import BaseCommand, CommandError

from wuding_enforcement.ops.dbroles import grant_app_role


class Command(BaseCommand):
    help = (
        "以数据库所有者身份运行（migrate 之后）：授予应用角色读写业务表的权限，"
        "对审计日志、锚点和全部变更历史表只授予查询和追加。"
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="应用连接数据库所用的角色（DATABASE_URL 中的用户名）")

    def handle(self, *args, **options):
        try:
            statements = grant_app_role(options["role"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        for sql in statements:
            self.stdout.write(sql)
        self.stdout.write(self.style.SUCCESS(f"已为角色 {options['role']} 设置权限（共 {len(statements)} 条语句）。"))
