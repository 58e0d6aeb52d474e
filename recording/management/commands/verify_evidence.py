"""manage.py verify_evidence: re-hash every stored evidence file, issued document PDF and case-file PDF.

Exits non-zero naming each missing or altered file; writes recording.integrity.failed / .ok to the audit log
and e-mails the records keepers of the units concerned.
"""

from django.core.management.base import BaseCommand, CommandError

from recording.integrity import verify_and_report


class Command(BaseCommand):
    help = "校验全部音像证据文件、已签发文书 PDF 和案卷 PDF 的 SHA-256；发现缺失或不一致时以非零状态退出。"

    def handle(self, *args, **options):
        report = verify_and_report(source="command")
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"完整性校验通过：共 {report.checked} 个文件。"))
            return
        lines = "\n".join(problem.describe() for problem in report.problems)
        raise CommandError(
            f"完整性校验发现 {len(report.problems)} 个问题（共校验 {report.checked} 个文件）：\n{lines}\n"
            "已记入审计日志并通知档案管理员。"
        )
