"""Print fresh one-time backup codes for a demo account (demo mode only; production refuses)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from wuding_enforcement.roster.models import Staff
from wuding_enforcement.roster.otp import DEMO_DEVICE_NAME, issue_demo_backup_codes


class Command(BaseCommand):
    help = "为演示账号生成新的一次性备用码（仅演示模式；生产环境拒绝）。旧的演示备用码随即作废。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="演示账号的用户名")
        parser.add_argument("--count", type=int, default=10, help="生成几个备用码（默认 10 个）")

    def handle(self, *args, username, count, **options):
        if not getattr(settings, "DEMO_MODE", False):
            # Refuse before touching the database: production never hands out backup codes from the console.
            raise CommandError(
                "演示备用码只能在演示模式下生成（DEMO_MODE 关闭，即 DEBUG=False 的生产环境拒绝此操作）。"
            )
        try:
            user = Staff.objects.get(username=username)
        except Staff.DoesNotExist:
            raise CommandError(f"没有用户名为 {username} 的账号。") from None
        if count < 1:
            raise CommandError("--count 至少为 1。")
        try:
            codes = issue_demo_backup_codes(user, count=count)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{user.display_name}（{user.username}）的{DEMO_DEVICE_NAME}，每个只能使用一次：")
        for code in codes:
            self.stdout.write(f"  {code}")
