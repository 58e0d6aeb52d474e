"""Print the demo accounts, their password and the unused two-factor backup codes (demo mode only)."""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_static.models import StaticToken

from demo import data
from demo.seeding import DemoModeOff, require_demo_mode
from wuding_enforcement.roster.models import Staff
from wuding_enforcement.roster.otp import DEMO_DEVICE_NAME, otp_required


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    return (
        ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [header]]
        + [line]
        + ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    )


class Command(BaseCommand):
    help = "列出演示账号（角色、用户名、密码、单位）和两步验证备用码（仅演示模式；生产环境拒绝）。"

    def handle(self, *args, **options):
        try:
            require_demo_mode()
        except DemoModeOff as exc:
            raise CommandError(str(exc)) from exc
        usernames = [u for _, u in data.DEMO_ACCOUNTS]
        users = {u.username: u for u in Staff.objects.filter(username__in=usernames).select_related("unit")}
        if not users:
            raise CommandError("还没有演示账号，请先运行 python manage.py seed_demo。")
        posts = {s.username: s.title for s in data.STAFF}
        rows = []
        for role, username in data.DEMO_ACCOUNTS:
            user = users.get(username)
            if user is None:
                continue
            rows.append(
                [
                    role.label,
                    username,
                    data.DEMO_PASSWORD,
                    user.real_name,
                    str(user.unit or ""),
                    posts.get(username, ""),
                    "需要" if otp_required(user) else "—",
                ]
            )
        out = self.stdout
        out.write("武定县市场监督管理局 行政执法“三项制度”门户 · 演示账号（人员均为虚构）")
        out.write("")
        for line in table(["角色", "用户名", "密码", "姓名", "单位", "职务", "两步验证"], rows):
            out.write(line)
        out.write("")
        out.write(
            f"其他演示人员（各所所长、执法人员）的密码同为 {data.DEMO_PASSWORD}，用户名见管理后台“工作人员”。"
        )
        out.write("演示账号无须在首次登录时修改密码；管理员新建或重置密码的账号登录后须先修改密码。")
        out.write("")
        out.write("两步验证：管理员和法制审核人员登录后须输入动态验证码。演示环境可输入下列备用码之一，")
        out.write(
            "每个备用码只能使用一次；用完后运行 python manage.py demo_otp_codes <用户名> 生成新的一组。"
        )
        for username in data.OTP_DEMO_USERNAMES:
            user = users.get(username)
            if user is None:
                continue
            codes = list(
                StaticToken.objects.filter(
                    device__user=user, device__name=DEMO_DEVICE_NAME, device__confirmed=True
                )
                .order_by("token")
                .values_list("token", flat=True)
            )
            out.write(
                f"  {user.real_name}（{username}）："
                + (
                    "  ".join(codes)
                    if codes
                    else f"备用码已用完，请运行 python manage.py demo_otp_codes {username}"
                )
            )
        out.write("")
        base_url = settings.PUBLIC_BASE_URL.rstrip("/")
        out.write("访问地址：")
        out.write(f"  公众公示网站：{base_url}/")
        out.write(f"  工作人员入口：{base_url}/staff/")
        out.write(f"  管理后台：    {base_url}/admin/")
