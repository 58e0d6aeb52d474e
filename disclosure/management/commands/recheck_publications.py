"""Re-check every published decision under today's publication and redaction rules (disclosure/recheck.py)."""

from django.core.management.base import BaseCommand

from disclosure.recheck import recheck_all


class Command(BaseCommand):
    help = "按现行公示规则复核已公示的行政处罚决定：依法不应公示的撤回，新识别出的个人信息补充隐去，逐条记录并报告。"

    def handle(self, *args, **options):
        outcomes = recheck_all()
        labels = {"withdrawn": "已撤回", "corrected": "已更正"}
        for outcome in outcomes:
            self.stdout.write(
                f"{outcome.number}（公示编号 {outcome.publication}）{labels[outcome.action]}：{outcome.detail}"
            )
        withdrawn = sum(o.action == "withdrawn" for o in outcomes)
        self.stdout.write(f"复核完毕：撤回 {withdrawn} 件，更正 {len(outcomes) - withdrawn} 件，其余未变。")
