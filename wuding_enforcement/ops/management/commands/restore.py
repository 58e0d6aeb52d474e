from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wuding_enforcement.ops.backup import BackupError, restore
from wuding_enforcement.ops.crypto import BackupCorrupt


class Command(BaseCommand):
    help = (
        "把一份备份恢复到空的数据库和空的媒体目录（锚点目录为空时一并恢复，否则保留现有锚点），"
        "然后在审计日志中记录恢复重建（备份编号与缺口）并开始新一期锚点。先校验清单和全部哈希。"
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="备份文件夹（含 manifest.json）")

    def handle(self, *args, **options):
        try:
            summary = restore(Path(options["backup"]))
        except (BackupError, BackupCorrupt) as exc:
            raise CommandError(f"恢复失败：{exc}") from exc
        gap = summary["gap"] or {}
        self.stdout.write(f"已从备份 {summary['id']} 恢复（{summary['seconds']} 秒）。")
        if gap.get("last_anchor_seq"):
            self.stdout.write(
                f"缺口：备份之后写入的审计记录未能恢复——从第 {gap['lost_from_seq']} 条起，锚点至少记到第 "
                f"{gap['last_anchor_seq']} 条（最后锚定于 {gap['last_anchor_at']}）；"
                f"恢复重建已记入第 {summary['rebaseline_seq']} 条审计记录。"
            )
        else:
            self.stdout.write(
                f"没有锚点超出恢复的记录；恢复重建已记入第 {summary['rebaseline_seq']} 条审计记录。"
            )
        if not summary["verify_ok"]:
            raise CommandError(f"恢复后审计链校验失败：{summary['verify_message']}")
        self.stdout.write(self.style.SUCCESS(summary["verify_message"]))
