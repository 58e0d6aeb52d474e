"""Load the discretion benchmarks (裁量基准) from fixtures/benchmarks.json into the catalogue."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from legal_review.benchmarks import BENCHMARKS_FILE, load_benchmarks


class Command(BaseCommand):
    help = "载入行政处罚裁量基准（按权责清单事项编码对应；已有的按编码更新）。"

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(BENCHMARKS_FILE), help="裁量基准 JSON 文件")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"找不到文件：{path}")
        loaded, skipped = load_benchmarks(path)
        self.stdout.write(self.style.SUCCESS(f"已载入裁量基准 {loaded} 项。"))
        if skipped:
            self.stdout.write(self.style.WARNING("权责清单中没有以下事项，已跳过：" + "、".join(skipped)))
