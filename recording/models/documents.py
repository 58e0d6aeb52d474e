"""文书: one document of a case and its life — draft, issue (number, render, sign, hash, freeze), the party's
signature, correction (a new document that supersedes the issued one; both kept)."""

import hashlib
import logging
import secrets
import uuid

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.cases.models import Case, NumberSequence, Party, format_number
from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.roster.models import Staff
from wuding_enforcement.shared import storedfiles

from .. import gates
from .common import Classification, ClassifiedQuerySet
from .evidence import Evidence, EvidenceKind

# Fields an issued document may still receive: the party's signature (or refusal) and the photo of the
# signed paper. Everything else is frozen once issued.
AFTER_ISSUE_FIELDS = {
    "party_signature",
    "party_signed_at",
    "refusal_witness",
    "signed_scan",
    "signed_scan_sha256",
    "updated_at",
}
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
logger = logging.getLogger("wuding.recording")


class DocumentFrozenError(Exception):
    """Raised when anything tries to change an issued document."""


def new_verification_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


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
        from ..doctypes import REGISTRY
        from ..doctypes.service import ServiceMethod

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


class Document(models.Model):
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
        from ..doctypes import get_type

        return get_type(self.doc_type)

    @property
    def av_statement(self) -> str:
        """What the act's record says about its audio-video, from the items really linked to it (PDF templates
        print it): recording/evidence/linking.py av_statement."""
        from ..evidence.linking import av_statement

        return av_statement(self)

    @property
    def type_title(self) -> str:
        from ..doctypes import REGISTRY

        registered = REGISTRY.get(self.doc_type)
        return registered.title if registered else self.doc_type

    def save(self, *args, **kwargs):
        if self.pk is not None and not getattr(self, "_issuing", False):
            stored = Document.objects.filter(pk=self.pk).values().first()
            if stored and stored["status"] == DocumentStatus.ISSUED:
                update_fields = kwargs.get("update_fields")
                names = (
                    set(update_fields)
                    if update_fields is not None
                    else {f.attname for f in self._meta.concrete_fields}
                )
                for name in names - AFTER_ISSUE_FIELDS:
                    attname = self._meta.get_field(name).attname
                    if stored.get(attname) != getattr(self, attname):
                        raise DocumentFrozenError(
                            f"文书已签发，不能修改（{self._meta.get_field(name).verbose_name}）。"
                            "如需更正，请制作更正文书。"
                        )
        super().save(*args, **kwargs)
        self._issuing = False

    def delete(self, *args, **kwargs):
        raise DocumentFrozenError("文书不能删除；草稿可作废或更正。")

    @property
    def is_issued(self) -> bool:
        return self.status == "issued"

    @property
    def takes_party_signature(self) -> bool:
        """Documents addressed to a party and records of an act are signed (or refused) by the party."""
        from ..doctypes import REGISTRY

        doctype = REGISTRY.get(self.doc_type)
        return doctype is not None and bool(doctype.to_party or doctype.act)

    def issue_problems(self, by) -> list[str]:
        """What stops this draft from being issued now (for the page and for issue())."""
        problems = []
        if self.is_issued:
            return ["该文书已签发。"]
        if self.case.stage == Stage.ARCHIVED:
            problems.append("案件已归档，不能再签发文书。")
        form = self.doctype.bound_from_json(self.data, case=self.case)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else "内容"
                problems.extend(f"{label}：{e}" for e in errors)
        problems.extend(gates.check(self, by))
        return problems

    def issue(self, *, by):
        """Issue the document: check it and every registered document gate, give it its 文号 (one gapless
        sequence per type per year) or its number in the case file, render its PDF once, store the PDF's
        SHA-256, and freeze it. All in one transaction: a failure leaves the draft as it was."""
        # Read at call time (tests and the demo replace the signer and the renderer on their modules).
        from wuding_enforcement.shared.signing import SigningError, get_signer, sign_with

        from ..rendering import render_document

        try:
            # The signed PDF is written inside the transaction and removed if it rolls back (storedfiles):
            # a refused or failed issue leaves no file carrying a number the next document will take.
            with storedfiles.removing(), transaction.atomic():
                Case.objects.select_for_update().get(pk=self.case_id)
                doc = (
                    Document.objects.select_for_update(of=("self",))
                    .select_related("case", "party")
                    .get(pk=self.pk)
                )
                if doc.case.stage == Stage.ARCHIVED:  # read-only for everyone (recording.archive)
                    raise TransitionRefused("案件已归档，案件及其记录只读，不能再签发文书。")
                if not doc.doctype.may_issue(doc, by):
                    raise TransitionRefused("您不是本案承办人员或承办单位负责人，不能签发文书。")
                problems = doc.issue_problems(by)
                if problems:
                    raise TransitionRefused(problems)
                doctype = doc.doctype
                now = timezone.now()
                year = timezone.localdate(now).year
                if doctype.number_word:
                    doc.number_year = year
                    doc.number_seq = NumberSequence.allocate(f"doc:{doctype.key}", year)
                    doc.number = format_number(doctype.number_word, year, doc.number_seq)
                else:
                    doc.file_seq = NumberSequence.allocate(f"file:{doc.case_id}", 0)
                doc.verification_code = new_verification_code()
                doc.status = DocumentStatus.ISSUED
                doc.issued_at = now
                doc.issued_by = by
                pdf_bytes = render_document(doc)
                seal_at = getattr(doc, "seal_spot", None)
                signer = get_signer()
                try:
                    pdf_bytes = sign_with(signer, pdf_bytes, reason=f"签发{doctype.title}", seal_at=seal_at)
                except SigningError as exc:
                    raise TransitionRefused(str(exc)) from exc
                doc.signed = True
                doc.signature_note = "演示证书签章（非正式）" if signer.demo else "本局电子签章"
                doc.pdf_sha256 = hashlib.sha256(pdf_bytes).hexdigest()
                storedfiles.stage(doc.pdf, f"{doctype.key}.pdf", pdf_bytes)
                doc._issuing = True
                doc._change_reason = "recording.document.issued"
                doc._history_user = by
                doc.save()
                record(
                    "recording.document.issued",
                    obj=doc.case,
                    actor=by,
                    detail={
                        "document": doc.pk,
                        "type": doctype.key,
                        "number": doc.number or "",
                        "file_seq": doc.file_seq,
                        "sha256": doc.pdf_sha256,
                    },
                )
                gates.run_after_issue(doc, by)
        except TransitionRefused as refused:
            record(
                "recording.document.issue_refused",
                obj=self.case,
                actor=by,
                outcome=Outcome.FAILURE,
                detail={"document": self.pk, "type": self.doc_type, "problems": refused.messages},
            )
            raise
        for name in (
            "status",
            "number",
            "number_year",
            "number_seq",
            "file_seq",
            "pdf",
            "pdf_sha256",
            "signed",
            "signature_note",
            "verification_code",
            "issued_at",
            "issued_by",
        ):
            setattr(self, name, getattr(doc, name))
        return doc

    def record_party_signature(self, *, by, outcome: str, signed_at, refusal_witness: str = "", scan=None):
        """The party's signature or refusal to sign (a refusal with its witness), and optionally the photo of
        the signed paper (`scan`: its bytes, already judged an image by the form): the only changes an
        issued document still accepts (AFTER_ISSUE_FIELDS). Refused for a draft, a document the party does
        not sign, an archived case, or anyone who may not work on the case. Locked and audited."""
        problems = []
        witness = (refusal_witness or "").strip()
        if outcome not in (PartySignature.SIGNED, PartySignature.REFUSED):
            problems.append("请选择当事人已签名或拒绝签名。")
        if outcome == PartySignature.REFUSED and not witness:
            problems.append("当事人拒绝签名的，须写明见证人。")
        if signed_at is None:
            problems.append("请填写签名（拒签）时间。")
        elif signed_at > timezone.now():
            problems.append("签名（拒签）时间不能晚于现在。")
        with storedfiles.removing(), transaction.atomic():
            locked = Document.objects.select_for_update(of=("self",)).select_related("case").get(pk=self.pk)
            if not locked.is_issued:
                problems.insert(0, "文书签发后才能记录当事人签名情况。")
            elif not locked.takes_party_signature:
                problems.insert(0, "该文书无须当事人签名。")
            elif locked.case.stage == Stage.ARCHIVED:  # read-only for everyone (recording.archive)
                problems.insert(0, "案件已归档，案件及其记录只读，不能再记录当事人签名情况。")
            elif not locked.case.may_work_on(by):
                problems.insert(0, "您不是本案承办人员或承办单位负责人，不能记录当事人签名情况。")
            if problems:
                logger.info("party signature refused on document %s: %s", self.pk, "; ".join(problems))
                raise TransitionRefused(problems)
            locked.party_signature = outcome
            locked.party_signed_at = signed_at
            locked.refusal_witness = witness if outcome == PartySignature.REFUSED else ""
            fields = ["party_signature", "party_signed_at", "refusal_witness", "updated_at"]
            scan_sha256 = ""
            if scan:
                scan_sha256 = hashlib.sha256(scan).hexdigest()
                storedfiles.stage(locked.signed_scan, "scan", scan)
                locked.signed_scan_sha256 = scan_sha256
                fields += ["signed_scan", "signed_scan_sha256"]
            locked._change_reason = "recording.document.party_signature"
            locked._history_user = by
            locked.save(update_fields=fields)
            record(
                "recording.document.party_signature",
                obj=locked.case,
                actor=by,
                detail={
                    "document": locked.pk,
                    "outcome": outcome,
                    "witness": locked.refusal_witness,
                    "scan_sha256": scan_sha256,
                },
            )
        for name in (
            "party_signature",
            "party_signed_at",
            "refusal_witness",
            "signed_scan",
            "signed_scan_sha256",
        ):
            setattr(self, name, getattr(locked, name))
        return locked

    def correct(self, *, by, reason: str):
        """A correction: a new draft with the same content that will supersede this issued document once
        issued. Both are kept (an issued document never changes)."""
        if not self.is_issued:
            raise TransitionRefused("只有已签发的文书可以更正；草稿可直接修改。")
        if not reason.strip():
            raise TransitionRefused("请写明更正理由。")
        with transaction.atomic():
            original = Document.objects.select_for_update().get(pk=self.pk)
            if Document.objects.filter(supersedes=original).exists():
                raise TransitionRefused("该文书已有更正文书。")
            if original.case.stage == Stage.ARCHIVED:  # read-only for everyone (recording.archive)
                raise TransitionRefused("案件已归档，案件及其记录只读，不能再更正文书。")
            if not original.case.may_work_on(by):
                raise TransitionRefused("您不是本案承办人员或承办单位负责人，不能更正文书。")
            draft = Document.objects.create(
                case=original.case,
                doc_type=original.doc_type,
                data=dict(original.data),
                party=original.party,
                act_date=original.act_date,
                act_place=original.act_place,
                classification=original.classification,
                av_exemption=original.av_exemption,
                supersedes=original,
                correction_reason=reason,
                party_signature=original.party_signature if original.party_signature == "na" else "pending",
                created_by=by,
            )
            draft.officers.set(original.officers.all())
            record(
                "recording.document.correction_started",
                obj=original.case,
                actor=by,
                detail={"document": original.pk, "correction": draft.pk, "reason": reason},
            )
        return draft
