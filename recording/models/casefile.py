"""案卷: the archived case file, built by a leased background job (recording/tasks_archive.py)."""

import datetime
import uuid

from django.db import models
from simple_history.models import HistoricalRecords

from wuding_enforcement.cases.models import Case
from wuding_enforcement.outbox.models import LeasedJob
from wuding_enforcement.roster.models import Staff


class CaseFileStatus(models.TextChoices):
    PENDING = "pending", "等待组卷"
    BUILDING = "building", "组卷中"
    DONE = "done", "已归档"
    FAILED = "failed", "组卷失败"


class Retention(models.TextChoices):
    PERMANENT = "permanent", "永久"
    LONG = "30y", "30年"
    SHORT = "10y", "10年"


def _casefile_path(instance, filename):
    return f"casefiles/{instance.case_id}/{uuid.uuid4().hex}.pdf"


class CaseFile(LeasedJob):
    """The archived case file: 正卷 (what the party may inspect) and 副卷 (internal approvals, 集体讨论,
    法制审核意见), each one signed PDF whose hash (of the signed file) is stored and verified like evidence.

    Its build is a leased job (outbox.LeasedJob, registered with the sweeper in RecordingConfig.ready()):
    "组卷中" is queued or running under a lease; a build whose worker died, or whose task never reached a
    worker, is failed by the sweeper once the lease is over — status 组卷失败 with the reason — and the records
    keeper starts it again (tasks_archive)."""

    # A build renews its lease at each step of progress; a quarter of an hour without one means it is lost.
    DEFAULT_LEASE = datetime.timedelta(minutes=15)

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="case_file")
    status = models.CharField(max_length=10, choices=CaseFileStatus.choices, default=CaseFileStatus.PENDING)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    retention = models.CharField("保管期限", max_length=10, choices=Retention.choices, default=Retention.LONG)
    main_pdf = models.FileField("正卷", upload_to=_casefile_path, blank=True)
    main_sha256 = models.CharField(max_length=64, blank=True)
    main_pages = models.PositiveIntegerField(default=0)
    sub_pdf = models.FileField("副卷", upload_to=_casefile_path, blank=True)
    sub_sha256 = models.CharField(max_length=64, blank=True)
    sub_pages = models.PositiveIntegerField(default=0)
    # Electronic seal (电子签章) on both volumes, signed together when the file is built: case files built
    # before signing existed keep their hash and read as unsigned.
    signed = models.BooleanField("已电子签章", default=False)
    signature_note = models.CharField("签章说明", max_length=100, blank=True)
    requested_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "案卷"
        verbose_name_plural = "案卷"

    def __str__(self):
        return f"案卷：{self.case}"

    def on_fail(self, reason: str) -> list[str]:
        self.status = CaseFileStatus.FAILED
        self.error = reason
        return ["status", "error"]

    def on_requeue(self) -> list[str]:
        self.status = CaseFileStatus.BUILDING
        self.progress = 0
        self.error = ""
        return ["status", "progress", "error"]

    def retry_task(self) -> tuple[str, list, dict]:
        return "recording.tasks_archive.build_case_file", [self.pk], {}

    def retry_dedupe_key(self) -> str:
        return f"recording.casefile:{self.pk}"
