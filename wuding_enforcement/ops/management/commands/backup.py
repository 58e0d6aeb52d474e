from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wuding_enforcement.ops.backup import BackupError, make_backup, prune_backups


class Command(BaseCommand):
    help = (
        "加密备份：先数据库（pg_dump），再媒体文件，最后审计锚点，附 SHA-256 清单；文件权限 0600。"
        "默认写入 BACKUP_DIR，并按 BACKUP_KEEP 删除最旧的备份。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="备份目录（默认 BACKUP_DIR）")
        parser.add_argument(
            "--keep", type=int, default=None, help="保留最近几份（默认 BACKUP_KEEP；0 不删除）"
        )

    def handle(self, *args, **options):
        target = options["output"] or settings.BACKUP_DIR
        if not target:
            raise CommandError("请用 --output 指定备份目录，或设置 BACKUP_DIR。")
        try:
            manifest = make_backup(Path(target))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        keep = settings.BACKUP_KEEP if options["keep"] is None else options["keep"]
        removed = prune_backups(Path(target), keep)
        for entry in manifest["files"]:
            self.stdout.write(
                f"{entry['order']}. {entry['name']}：{entry['plain_bytes']} 字节，{entry['seconds']} 秒，"
                f"SHA-256 {entry['sha256']}"
            )
        if removed:
            self.stdout.write(f"已删除较旧的备份：{'、'.join(removed)}")
        self.stdout.write(self.style.SUCCESS(f"备份完成：{Path(target) / manifest['id']}"))
