"""音像记录: audio-video evidence of a case (linked to the act it records) and the resumable upload that brings
it in (the protocol is recording/evidence/upload.py)."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from wuding_enforcement.cases.models import Case
from wuding_enforcement.outbox.api import enqueue
from wuding_enforcement.outbox.models import JobState, LeasedJob
from wuding_enforcement.roster.models import Staff

from .common import Classification, ClassifiedQuerySet


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", "照片"
    AUDIO = "audio", "录音"
    VIDEO = "video", "录像"


def _evidence_path(instance, filename):
    # The user's file name is never part of the path.
    return f"evidence/{instance.case_id}/{uuid.uuid4().hex}"


class EvidenceQuerySet(ClassifiedQuerySet):
    def live(self):
        return self.filter(voided_at__isnull=True)


METADATA_TASK = "recording.tasks.extract_evidence_metadata"


class Evidence(LeasedJob):
    """One item of audio-video evidence (its file is never deleted; a voided item keeps its reason).

    Reading its metadata (ffprobe) and making its poster frame is a leased job (outbox.LeasedJob, registered
    with the sweeper in RecordingConfig.ready()): an upload queues it through the outbox with the evidence row
    (`queue_metadata`); a job whose worker died, or whose task never reached a worker, is failed by the
    sweeper with the reason once its lease is over, and the evidence page shows 失败 with the reason and a 重试
    button (recording.tasks.retry_metadata). An item made otherwise than by an upload has no job to wait for."""

    # ffprobe and ffmpeg are each bounded to two minutes (recording/evidence/probing.py).
    DEFAULT_LEASE = datetime.timedelta(minutes=10)

    job_state = models.CharField(
        "元数据任务状态", max_length=10, choices=JobState.choices, default=JobState.SUCCEEDED
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    document = models.ForeignKey(
        "recording.Document",
        verbose_name="所记录的执法活动",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    kind = models.CharField("类型", max_length=10, choices=EvidenceKind.choices)
    title = models.CharField("名称", max_length=200)
    description = models.TextField("说明", blank=True)
    file = models.FileField("文件", upload_to=_evidence_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    mime = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    metadata = models.JSONField("元数据", default=dict, blank=True)
    recorded_at = models.DateTimeField("拍摄/录制时间", null=True, blank=True)
    duration = models.FloatField("时长（秒）", null=True, blank=True)
    thumbnail = models.FileField("缩略图", upload_to="evidence/thumbs/", blank=True)
    classification = models.CharField(
        "密级", max_length=12, choices=Classification.choices, default=Classification.GENERAL
    )
    uploaded_by = models.ForeignKey(Staff, verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    voided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    void_reason = models.TextField("作废理由", blank=True)
    history = HistoricalRecords()

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = "音像证据"
        verbose_name_plural = "音像证据"
        ordering = ["case", "uploaded_at", "pk"]
        constraints = [
            # One live item per content and case; a voided item's file may be uploaded again (the voided
            # row keeps its reason: nothing is overwritten).
            models.UniqueConstraint(
                fields=["case", "sha256"],
                condition=Q(voided_at__isnull=True),
                name="recording_evidence_unique_live_hash_per_case",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="recording_evidence_void_has_reason",
            ),
        ]
        indexes = [
            # Serves the workspace timeline and the AV checks of an act (document).
            models.Index(fields=["case", "document"], name="rec_evidence_case_doc_idx"),
            # Serves the sweeper: metadata jobs waiting or running past their lease.
            models.Index(fields=["job_state", "lease_until"], name="rec_evidence_job_lease_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"

    def queue_metadata(self) -> None:
        """In the transaction that stores the upload: the metadata job waits under a lease and its task goes
        into the outbox, both committing with the evidence row or not at all (a broker that is down never
        fails the upload; the drain hands the task over later)."""
        fields = self.queue()
        # No history row for the job's bookkeeping: the upload's own row is the record.
        Evidence.objects.filter(pk=self.pk).update(**{name: getattr(self, name) for name in fields})
        enqueue(METADATA_TASK, self.pk, dedupe_key=self.retry_dedupe_key())

    @property
    def metadata_pending(self) -> bool:
        return self.job_state in (JobState.QUEUED, JobState.RUNNING)

    @property
    def metadata_failed(self) -> bool:
        return self.job_state == JobState.FAILED

    def retry_task(self) -> tuple[str, list, dict]:
        return METADATA_TASK, [self.pk], {}

    def retry_dedupe_key(self) -> str:
        return f"evidence-metadata:{self.pk}"


class UploadStatus(models.TextChoices):
    OPEN = "open", "上传中"
    COMPLETE = "complete", "已完成"
    ABORTED = "aborted", "已放弃"


class Upload(models.Model):
    """A resumable upload: chunks are appended at `received` (the client resumes from there after a broken
    connection); on completion the file becomes an Evidence row. Stale open uploads are cleaned by a task."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="uploads")
    user = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(
        "recording.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    classification = models.CharField(
        max_length=12, choices=Classification.choices, default=Classification.GENERAL
    )
    original_name = models.CharField(max_length=255, blank=True)
    declared_size = models.PositiveBigIntegerField()
    # Optional: the SHA-256 the client computed itself; when given, the completed file must match it.
    declared_sha256 = models.CharField(max_length=64, blank=True)
    received = models.PositiveBigIntegerField(default=0)
    # The running SHA-256 of the `received` bytes (serialised `rehashes` state, saved in the same UPDATE as
    # `received`), so that any web worker continues it; empty: the file is hashed once at completion.
    hash_state = models.BinaryField(default=b"", blank=True)
    # On an object store (recording/evidence/upload.py): the store's multipart upload and the ETag of each
    # part as the store answered when it was sent, comma-separated; completing passes them back.
    store_upload_id = models.CharField(max_length=255, blank=True)
    store_parts = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=UploadStatus.choices, default=UploadStatus.OPEN)
    evidence = models.OneToOneField(
        Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "上传任务"
        verbose_name_plural = "上传任务"
        indexes = [
            # Serves the periodic clean-up of stale open uploads.
            models.Index(fields=["status", "updated_at"], name="rec_upload_stale_idx"),
        ]

    def __str__(self):
        return f"{self.original_name or self.title}（{self.received}/{self.declared_size}）"

    @property
    def partial_path(self):
        return settings.MEDIA_ROOT / "uploads" / f"{self.id.hex}.part"
