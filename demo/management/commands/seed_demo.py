"""Load the demo bureau once (demo mode only; production refuses)."""

from django.core.management.base import BaseCommand, CommandError

from demo.seeding import DemoModeOff, existing_demo_marker, require_demo_mode, seed
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.roster.models import CertificateStatus


class Command(BaseCommand):
    help = "载入演示数据（虚构的单位、人员、执法证件、权责清单和案件）。只在演示模式下运行，重复运行不做任何改动。"

    def handle(self, *args, **options):
        try:
            require_demo_mode()
        except DemoModeOff as exc:
            raise CommandError(str(exc)) from exc
        marker = existing_demo_marker()
        if marker:
            self.stdout.write(f"演示数据已经存在（发现{marker}），本次未做任何改动。")
            return
        summary = seed()
        out = self.stdout
        out.write(self.style.SUCCESS("演示数据已载入。"))
        out.write(
            f"  单位：{summary.units} 个；工作人员：{summary.staff} 人；权责清单事项：{summary.power_items} 项"
        )
        certs = summary.certificates
        out.write(
            "  执法证件："
            + "，".join(f"{CertificateStatus(s).label} {certs[s]}" for s in CertificateStatus)
            + f"（其中 30 日内到期 {certs['expiring']}）"
        )
        out.write(f"  案件：{sum(summary.cases.values())} 件；待审批事项：{summary.pending_approvals} 件")
        for stage in Stage:
            if summary.cases[stage]:
                out.write(f"    {stage.label}：{summary.cases[stage]}")
        if summary.recording:
            out.write(f"  {summary.recording}")
        for line in summary.publications:
            out.write(f"  处罚决定公示 {line}")
        for line in summary.supervision:
            out.write(f"  监督检查：{line}")
        for warning in summary.warnings:
            out.write(self.style.WARNING(f"  注意：{warning}"))
        out.write("运行 python manage.py demo_accounts 查看演示账号、密码和两步验证备用码。")
