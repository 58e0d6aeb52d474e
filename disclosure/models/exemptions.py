"""The request not to publish a decision (总局令第45号 第五条、第六条; 政府信息公开条例 第十四条、第十五条;
未成年人保护法 第一百零三条): an officer asks with a ground from a closed list, the bureau head approves or refuses,
and it is settled before the 行政处罚决定书 is issued — the 决定书 prints the notice of 第八条 (or not) from the
outcome (disclosure/rules.py), and a pending request holds the decision back (disclosure/apps.py registers the
gate). Logged in the audit log; never deleted."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.shared.refusals import Refused


class ExemptionGround(models.TextChoices):
    STATE_SECRET = "state_secret", "案件主要事实涉及国家秘密"
    TRADE_SECRET = "trade_secret", "案件主要事实涉及商业秘密"
    PRIVACY = "privacy", "案件主要事实涉及个人隐私"
    MINOR = "minor", "当事人在违法行为发生时为未成年人"
    SAFETY = "safety", "公开可能危及国家安全、公共安全、经济安全和社会稳定"
    OTHER_LAW = "other_law", "法律、行政法规规定不予公开"


GROUND_BASIS = {
    ExemptionGround.STATE_SECRET: "总局令第45号 第五条；政府信息公开条例 第十四条",
    ExemptionGround.TRADE_SECRET: "总局令第45号 第六条；政府信息公开条例 第十五条",
    ExemptionGround.PRIVACY: "总局令第45号 第六条；政府信息公开条例 第十五条",
    ExemptionGround.MINOR: "未成年人保护法 第一百零三条",
    ExemptionGround.SAFETY: "政府信息公开条例 第十四条",
    ExemptionGround.OTHER_LAW: "政府信息公开条例 第十四条",
}


class ExemptionStatus(models.TextChoices):
    PENDING = "pending", "待局负责人审批"
    APPROVED = "approved", "已批准不予公示"
    REFUSED = "refused", "未批准（依法公示）"


class ExemptionQuerySet(models.QuerySet):
    def approved_for(self, document, *, before=None):
        """Approved requests covering this decision (its party, or every party of the case)."""
        qs = self.filter(case_id=document.case_id, status=ExemptionStatus.APPROVED).filter(
            Q(party__isnull=True) | Q(party_id=document.party_id)
        )
        if before is not None:
            qs = qs.filter(decided_at__lte=before)
        return qs

    def pending(self):
        return self.filter(status=ExemptionStatus.PENDING)


class PublicationExemption(models.Model):
    """不予公示申请: one request for one case (and party), decided once by a bureau head."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="publication_exemptions"
    )
    party = models.ForeignKey(
        "cases.Party",
        verbose_name="当事人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空：本案全部当事人",
    )
    ground = models.CharField("法定理由", max_length=14, choices=ExemptionGround.choices)
    reason = models.TextField("具体说明")
    status = models.CharField(
        "状态", max_length=10, choices=ExemptionStatus.choices, default=ExemptionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        verbose_name = "不予公示申请"
        verbose_name_plural = "不予公示申请"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="disclosure_exemption_decided_has_who_and_when",
            )
        ]
        indexes = [
            # Serves the decision gate and the verdict (a case's pending / approved requests).
            models.Index(fields=["case", "status"], name="disclosure_exemption_case_idx"),
        ]

    def __str__(self):
        return f"{self.case} {self.get_ground_display()}（{self.get_status_display()}）"

    @property
    def ground_basis(self) -> str:
        return GROUND_BASIS.get(self.ground, "")

    @classmethod
    def request(cls, *, case, party=None, ground: str, reason: str, by) -> "PublicationExemption":
        """An officer of the case asks, before the decision is issued, that it not be published."""
        from recording.models import Document, DocumentStatus

        reason = (reason or "").strip()
        problems = []
        if ground not in ExemptionGround.values:
            problems.append("请从法定理由中选择不予公示的理由。")
        if not reason:
            problems.append("请写明不予公示的具体事实和理由。")
        issued = Document.objects.filter(case=case, doc_type="penalty_decision", status=DocumentStatus.ISSUED)
        if party is not None:
            issued = issued.filter(party=party)
        if issued.exists():
            problems.append(
                "行政处罚决定书已签发，公示告知已送达当事人：不予公示申请须在决定书签发前办结"
                "（总局令第45号 第八条）；已签发的决定依法不应公示的，由公示审核人员以“不予公示”结束公示稿。"
            )
        if problems:
            record(
                "disclosure.exemption.request_refused",
                obj=case,
                actor=by,
                detail={"ground": ground, "problems": problems},
            )
            raise Refused(problems)
        item = cls.objects.create(case=case, party=party, ground=ground, reason=reason, requested_by=by)
        record(
            "disclosure.exemption.requested",
            obj=case,
            actor=by,
            detail={"exemption": item.pk, "ground": ground, "party": getattr(party, "pk", None)},
        )
        return item

    def decide(self, *, by, approve: bool, note: str = "") -> "PublicationExemption":
        """局负责人 approves or refuses (only a bureau head, never the requester)."""
        from wuding_enforcement.roster.models import Role

        with transaction.atomic():
            item = type(self).objects.select_for_update().get(pk=self.pk)
            problems = []
            if not (by.is_active and by.has_role(Role.BUREAU_HEAD)):
                problems.append("不予公示申请须由局负责人审批。")
            if by.pk == item.requested_by_id:
                problems.append("申请人不能审批自己的不予公示申请。")
            if item.status != ExemptionStatus.PENDING:
                problems.append("该申请已审批。")
            if not approve and not (note or "").strip():
                problems.append("不批准的，请写明理由。")
            if not problems:
                item.status = ExemptionStatus.APPROVED if approve else ExemptionStatus.REFUSED
                item.decided_by = by
                item.decided_at = timezone.now()
                item.decision_note = (note or "").strip()
                item.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
                record(
                    "disclosure.exemption.approved" if approve else "disclosure.exemption.refused",
                    obj=item.case,
                    actor=by,
                    detail={"exemption": item.pk, "ground": item.ground, "note": item.decision_note},
                )
        if problems:
            # Audited outside the (unchanged) transaction, so the refusal's row stays.
            record(
                "disclosure.exemption.decision_refused",
                obj=item.case,
                actor=by,
                detail={"exemption": item.pk, "problems": problems},
            )
            raise Refused(problems)
        for f in ("status", "decided_by_id", "decided_at", "decision_note"):
            setattr(self, f, getattr(item, f))
        return self


def pending_exemption_gate(document, user):
    """recording's document gate on the 行政处罚决定书: a pending request is settled before issue (第八条)."""
    pending = PublicationExemption.objects.pending().filter(case_id=document.case_id)
    pending = pending.filter(Q(party__isnull=True) | Q(party_id=document.party_id))
    if pending.exists():
        yield (
            "本案有待局负责人审批的不予公示申请：须在决定书签发前审批完毕，决定书据此载明是否公示"
            "（总局令第45号 第八条）。"
        )
