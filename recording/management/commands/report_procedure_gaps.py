"""Report the cases already under way that the statutory order (docs/domain.md §6) would strand, and open a
recorded remedy (cases.ProcedureRemedy) for each missing step: the supervision dashboard lists them until each
is resolved by 补正 or by a 局负责人-approved note of why the step was lawfully not needed."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from recording.order import procedure_gaps
from wuding_enforcement.cases.models import Case, ProcedureRemedy
from wuding_enforcement.cases.workflow import Procedure, Stage


class Command(BaseCommand):
    help = "列出按法定程序顺序缺少步骤的在办案件，并为每个缺少的步骤登记程序补救（监督首页列示，直至处理）。"

    def handle(self, *args, **options):
        today = timezone.localdate()
        opened = found = 0
        cases = Case.objects.filter(procedure=Procedure.ORDINARY).exclude(stage=Stage.ARCHIVED).order_by("pk")
        for case in cases:
            for step in procedure_gaps(case):
                found += 1
                _, created = ProcedureRemedy.objects.get_or_create(
                    case=case,
                    step=step.key,
                    defaults={
                        "step_title": step.title,
                        "article": step.article,
                        "stage": case.stage,
                        "found_on": today,
                    },
                )
                opened += created
                self.stdout.write(
                    f"{case.number}（{case.get_stage_display()}）缺少“{step.title}”（{step.article}）"
                )
        self.stdout.write(f"共发现{found}处缺少的步骤，新登记程序补救{opened}项。")
