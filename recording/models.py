"""执法全过程记录: documents (文书), audio/video evidence (音像记录), resumable uploads and the case file (案卷).

Text records are primary (documents of the SAMR 2021 formats, one registered DocumentType each, see
recording/doctypes/); audio-video supplements them and is linked to the act it records. Nothing a user
records is ever deleted: an issued document is frozen (a correction supersedes it, both kept), evidence is
voided with a reason, the file stays.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from simple_history.models import HistoricalRecords

from wuding_enforcement.cases.models import Case, Party
from wuding_enforcement.outbox.models import LeasedJob
from wuding_enforcement.roster.models import Staff

from .lifecycle import DocumentLifecycle


class Classification(models.TextChoices):
    GENERAL = "general", "一般"
    PRIVACY = "privacy", "个人隐私"
    COMMERCIAL = "commercial", "商业秘密"
    STATE_SECRET = "state", "国家秘密"


class ClassifiedQuerySet(models.QuerySet):
    def visible_to(self, user, case):
        """Records of `case` this user may see (the case itself is already visible to them): classified
        items only for those Case.may_see_classified() admits."""
        qs = self.filter(case=case)
        if case.may_see_classified(user):
            return qs
        return qs.filter(classification=Classification.GENERAL)


# --- Documents (文书) ---------------------------------------------------------------------------------


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已签发"


class PartySignature(models.TextChoices):
    NOT_APPLICABLE = "na", "不适用"
    PENDING = "pending", "待签署"
    SIGNED = "signed", "当事人已签名"
    REFUSED = "refused", "当事人拒绝签名"


class DocumentQuerySet(ClassifiedQuerySet):
    def issued(self):
        return self.filter(status=DocumentStatus.ISSUED)

    def current(self):
        """Documents not superseded by a correction."""
        return self.filter(superseded_by__isnull=True)

    def under_av_rule(self):
        """Acts whose recording rule asks for audio-video: the types marked 'mandatory' or 'as_needed'
        (DocumentType.av, read by builtin_gates.audio_video) and 送达回证 by 留置送达 or 公告送达
        (doctypes.service.service_receipt_av). Supervision's dashboard and statistics count from here."""
        from .doctypes import REGISTRY
        from .doctypes.service import ServiceMethod

        types = sorted(key for key, doctype in REGISTRY.items() if doctype.av in ("mandatory", "as_needed"))
        return self.filter(
            Q(doc_type__in=types)
            | Q(doc_type="service_receipt", data__method__in=sorted(ServiceMethod.AV_AS_NEEDED))
        )

    def with_live_av(self):
        """Annotates `has_av`: live (not voided) video or audio is linked to the act."""
        live = Evidence.objects.live().filter(
            document=OuterRef("pk"), kind__in=[EvidenceKind.VIDEO, EvidenceKind.AUDIO]
        )
        return self.annotate(has_av=Exists(live))


def _document_pdf_path(instance, filename):
    return f"documents/{instance.case_id}/{uuid.uuid4().hex}.pdf"


def _signed_scan_path(instance, filename):
    return f"documents/{instance.case_id}/signed/{uuid.uuid4().hex}"


class Document(DocumentLifecycle, models.Model):
    """One document of a case. `doc_type` names a registered DocumentType (its form, template, numbering);
    `data` holds that form's cleaned values. Issuing (Document.issue) numbers, renders and freezes it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField("文书种类", max_length=40)
    status = models.CharField(
        "状态", max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    data = models.JSONField("内容", default=dict)
    party = models.ForeignKey(
        Party,
        verbose_name="当事人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    act_date = models.DateField("执法活动日期", null=True, blank=True)
    act_place = models.CharField("地点", max_length=200, blank=True)
    officers = models.ManyToManyField(
        Staff, verbose_name="在场执法人员", blank=True, related_name="documents_present"
    )
    classification = models.CharField(
        "密级", max_length=12, choices=Classification.choices, default=Classification.GENERAL
    )
    av_exemption = models.TextField(
        "未录音录像的理由",
        blank=True,
        help_text="现场执法、调查取证、听证、留置送达、公告送达未进行音像记录的，须说明文字记录足以全面有效记录的理由。",
    )
    # 文号 (武市监处罚〔2026〕12号) for documents addressed to a party or another body ...
    number = models.CharField("文号", max_length=60, null=True, blank=True, unique=True)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True)
    number_seq = models.PositiveIntegerField(null=True, blank=True)
    # ... and the position in the case file for records and internal forms (笔录, 审批表).
    file_seq = models.PositiveIntegerField("卷内编号", null=True, blank=True)
    pdf = models.FileField("PDF", upload_to=_document_pdf_path, blank=True)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True)
    verification_code = models.CharField("核验码", max_length=16, null=True, blank=True, unique=True)
    # Electronic seal (电子签章): documents issued before signing existed keep their hash and read as unsigned.
    signed = models.BooleanField("已电子签章", default=False)
    signature_note = models.CharField("签章说明", max_length=100, blank=True)
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    issued_by = models.ForeignKey(
        Staff, verbose_name="签发人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name="更正的文书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_reason = models.TextField("更正理由", blank=True)
    party_signature = models.CharField(
        "当事人签名", max_length=10, choices=PartySignature.choices, default=PartySignature.NOT_APPLICABLE
    )
    party_signed_at = models.DateTimeField("当事人签名时间", null=True, blank=True)
    refusal_witness = models.CharField("拒签见证人", max_length=100, blank=True)
    signed_scan = models.FileField("签字页照片", upload_to=_signed_scan_path, blank=True)
    signed_scan_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(Staff, verbose_name="制作人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("制作时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "执法文书"
        verbose_name_plural = "执法文书"
        ordering = ["case", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "number_year", "number_seq"],
                condition=Q(number_seq__isnull=False),
                name="recording_document_number_unique_per_type_year",
            ),
            models.UniqueConstraint(
                fields=["case", "file_seq"],
                condition=Q(file_seq__isnull=False),
                name="recording_document_file_seq_unique_per_case",
            ),
            models.CheckConstraint(
                condition=Q(status=DocumentStatus.DRAFT) | ~Q(pdf_sha256=""),
                name="recording_document_issued_has_hash",
            ),
        ]
        indexes = [
            # Serves the case workspace timeline: a case's documents by type and status.
            models.Index(fields=["case", "doc_type", "status"], name="rec_doc_case_type_idx"),
        ]

    def __str__(self):
        return f"{self.type_title}{'（' + self.number + '）' if self.number else ''}"

    @property
    def doctype(self):
        from .doctypes import get_type

        return get_type(self.doc_type)

    @property
    def av_statement(self) -> str:
        """What the act's record says about its audio-video, from the items really linked to it (PDF templates
        print it): recording/evidence/linking.py av_statement."""
        from .evidence.linking import av_statement

        return av_statement(self)

    @property
    def type_title(self) -> str:
        from .doctypes import REGISTRY

        registered = REGISTRY.get(self.doc_type)
        return registered.title if registered else self.doc_type


# --- Audio-video evidence (音像记录) -------------------------------------------------------------------


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


class Evidence(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    document = models.ForeignKey(
        Document,
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
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"


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
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
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


# --- The case file (案卷) ----------------------------------------------------------------------------


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


# The case file's filing order (an admin setting, docs/domain.md §6) lives in its own module.
from .models_filing import FilingOrder  # noqa: E402, F401
