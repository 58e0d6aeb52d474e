import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wuding_enforcement.ops.dbroles import grant_app_role


class Command(BaseCommand):
    help = (
        "以数据库所有者身份运行（migrate 之后）：授予应用角色读写业务表的权限，"
        "对审计日志、锚点和全部变更历史表只授予查询和追加。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "role", nargs="?", help="应用连接数据库所用的角色（默认：DATABASE_URL 中的用户名）"
        )

    def handle(self, *args, **options):
        role = options["role"] or (
            dj_database_url.parse(settings.DATABASE_URL).get("USER") if settings.DATABASE_URL else ""
        )
        if not role:
            raise CommandError("请指定应用角色，或设置 DATABASE_URL。")
        if role == self._connected_user():
            raise CommandError(
                f"应用角色 {role} 与当前连接的所有者角色相同：应用必须使用另一个不拥有任何表的角色。"
            )
        options["role"] = role
        try:
            statements = grant_app_role(role)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        for sql in statements:
            self.stdout.write(sql)
        self.stdout.write(
            self.style.SUCCESS(f"已为角色 {options['role']} 设置权限（共 {len(statements)} 条语句）。")
        )

    @staticmethod
    def _connected_user() -> str:
        from django.db import connection

        return str(connection.settings_dict.get("USER") or "")
