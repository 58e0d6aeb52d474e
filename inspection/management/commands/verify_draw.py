"""Re-run a 双随机 draw from its committed inputs and compare with what was drawn (the same check as the public
script, wuding_enforcement/shared/draws.py, on the draw as stored)."""

from django.core.management.base import BaseCommand, CommandError

from inspection.models import Draw, DrawState
from wuding_enforcement.shared import draws


class Command(BaseCommand):
    help = "核验双随机抽取：用承诺的输入重新抽取，核对承诺值、种子和抽取结果。"

    def add_arguments(self, parser):
        parser.add_argument("draw", type=int, help="抽取的编号（ID）")

    def handle(self, *args, **options):
        draw = Draw.objects.filter(pk=options["draw"]).first()
        if draw is None:
            raise CommandError("没有该抽取。")
        if draw.state == DrawState.COMMITTED:
            raise CommandError("该抽取尚未进行（只有承诺）。")
        problems, result = draws.verify(draw.bundle())
        for pick in result.picks if result else []:
            self.stdout.write(f"{pick.code} {pick.risk}  {'、'.join(pick.officers)}")
        if problems:
            for problem in problems:
                self.stderr.write(f"不一致：{problem}")
            raise CommandError("核验未通过。")
        self.stdout.write(
            self.style.SUCCESS(f"核验通过：承诺 {draw.commitment}，共 {len(result.picks)} 户。")
        )
