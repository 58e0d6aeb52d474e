"""Disagreement with an opinion (异议, and the 协调机制 chaired by the bureau head) and the bureau heads' 集体讨论
(行政处罚法 第五十七条), docs/domain.md §3."""

from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from recording.models import Document
from wuding_enforcement.audit.api import record
from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.models import Case, RuleSettings
from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.roster.models import Role, Staff

from ..criteria import proposal_hash
from .common import lock_case, require_text
from .rounds import ReviewRound, RoundKind, RoundStatus


class Objection(models.Model):
    """The handling unit disputes a round's opinion."""

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField("异议理由")
    by = models.ForeignKey(Staff, verbose_name="提出人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("提出时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "审核意见异议"
        verbose_name_plural = "审核意见异议"
        ordering = ["round", "at"]

    def __str__(self):
        return f"对{self.round}的异议"

    @classmethod
    def raise_objection(cls, review_round, *, by, text: str):
        """The handling unit disputes the latest round's opinion (协调机制)."""
        text = require_text(text, "请写明异议理由。")
        with transaction.atomic():
            lock_case(review_round.case)
            if not review_round.case.may_work_on(by):
                raise TransitionRefused("只有本案承办人员或承办单位负责人可以对审核意见提出异议。")
            latest = type(review_round).objects.filter(case=review_round.case).order_by("-number").first()
            if review_round.is_open or latest.pk != review_round.pk:
                raise TransitionRefused("只能对最近一轮已作出的审核意见提出异议。")
            if cls.objects.filter(round=review_round, coordination__isnull=True).exists():
                raise TransitionRefused("对本轮审核意见的异议正在协调中。")
            objection = cls.objects.create(round=review_round, text=text, by=by)
            record(
                "legal_review.objection.raised",
                obj=review_round.case,
                actor=by,
                detail={"round": review_round.pk, "objection": objection.pk},
            )
        return objection


class CoordinationOutcome(models.TextChoices):
    REVISE_OPINION = "revise", "由审核人员重新出具审核意见"
    RESUBMIT = "resubmit", "由承办单位修改拟作决定后重新送审"


class Coordination(models.Model):
    """The coordination chaired by the bureau head on an objection (协调机制). No meeting replaces a passed
    review: it ends in a revised opinion (a revision round) or a changed proposal (a new submission)."""

    objection = models.OneToOneField(Objection, on_delete=models.PROTECT, related_name="coordination")
    chair = models.ForeignKey(Staff, verbose_name="主持人", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("协调日期")
    participants = models.TextField("参加人员")
    discussion = models.TextField("协调情况")
    conclusion = models.TextField("协调结论")
    outcome = models.CharField("处理方式", max_length=10, choices=CoordinationOutcome.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "审核分歧协调"
        verbose_name_plural = "审核分歧协调"

    def __str__(self):
        return f"协调（{self.held_on:%Y-%m-%d}）"

    @classmethod
    def conclude(cls, objection, *, by, held_on, participants, discussion, conclusion, outcome):
        """The bureau head records the coordination. REVISE opens a revision round for the reviewer (a new
        opinion, a new 意见书); RESUBMIT leaves the unit to change its proposal and submit a new round. No
        coordination approves anything itself."""
        if not by.has_role(Role.BUREAU_HEAD):
            raise TransitionRefused("审核分歧的协调由局负责人主持。")
        for value, message in (
            (participants, "请填写参加人员。"),
            (discussion, "请填写协调情况。"),
            (conclusion, "请填写协调结论。"),
        ):
            require_text(value, message)
        if outcome not in CoordinationOutcome.values:
            raise TransitionRefused("请选择协调后的处理方式。")
        if held_on is None or held_on > timezone.localdate():
            raise TransitionRefused("请填写协调日期（不能晚于今天）。")
        with transaction.atomic():
            lock_case(objection.round.case)
            if cls.objects.filter(objection=objection).exists():
                raise TransitionRefused("该异议已协调。")
            original = objection.round
            latest = ReviewRound.objects.filter(case=original.case).order_by("-number").first()
            if latest.pk != original.pk:
                raise TransitionRefused("该异议针对的审核意见已有后续轮次，无须再协调。")
            coordination = cls.objects.create(
                objection=objection,
                chair=by,
                held_on=held_on,
                participants=participants.strip(),
                discussion=discussion.strip(),
                conclusion=conclusion.strip(),
                outcome=outcome,
            )
            revision = None
            if outcome == CoordinationOutcome.REVISE_OPINION:
                today = timezone.localdate()
                revision = ReviewRound(
                    case=original.case,
                    number=original.number + 1,
                    kind=RoundKind.REVISION,
                    revision_of=original,
                    package=original.package,
                    proposal_hash=original.proposal_hash,
                    base_amount=original.base_amount,
                    note=f"经协调（{held_on:%Y-%m-%d}），由审核人员重新出具审核意见：{conclusion.strip()}",
                    confirmation=original.confirmation,
                    submitted_by=original.submitted_by,
                    submitted_on=today,
                    due_on=calendar.add_working_days(today, RuleSettings.current().review_working_days),
                    reviewer=original.reviewer,
                    assigned_by=by,
                    assigned_at=timezone.now(),
                    status=RoundStatus.IN_REVIEW,
                )
                revision._change_reason = "legal_review.round.revision_opened"
                revision._history_user = by
                revision.save()
            record(
                "legal_review.coordination.concluded",
                obj=original.case,
                actor=by,
                detail={
                    "objection": objection.pk,
                    "outcome": outcome,
                    "revision_round": revision.pk if revision else None,
                },
            )
        return coordination


class CollectiveConclusion(models.TextChoices):
    AGREE = "agree", "同意拟作出的处理决定"
    AMEND = "amend", "修改拟作出的处理决定（须重新送审）"
    NO_PENALTY = "no_penalty", "不予行政处罚（须重新送审）"
    TRANSFER = "transfer", "涉嫌犯罪，移送司法机关"


class CollectiveDiscussion(models.Model):
    """局负责人集体讨论 (行政处罚法 第五十七条), after the review passed; the decision follows its conclusion."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="collective_discussions")
    round = models.ForeignKey(
        ReviewRound, verbose_name="所依据的审核轮次", on_delete=models.PROTECT, related_name="discussions"
    )
    held_on = models.DateField("讨论日期")
    place = models.CharField("地点", max_length=100, blank=True)
    chair = models.ForeignKey(Staff, verbose_name="主持人", on_delete=models.PROTECT, related_name="+")
    participants = models.ManyToManyField(Staff, verbose_name="参加的局负责人", related_name="+")
    attendees = models.TextField("列席人员", blank=True)
    opinions = models.TextField("讨论意见")
    conclusion = models.CharField("结论", max_length=12, choices=CollectiveConclusion.choices)
    conclusion_text = models.TextField("结论性意见")
    proposal_hash = models.CharField(max_length=64)
    document = models.OneToOneField(
        "recording.Document",
        verbose_name="集体讨论记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collective_discussion",
    )
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "集体讨论"
        verbose_name_plural = "集体讨论"
        ordering = ["case", "recorded_at"]

    def __str__(self):
        return f"{self.case.number} 集体讨论（{self.held_on:%Y-%m-%d}）"

    @classmethod
    def hold(
        cls, case, *, by, held_on, participants, opinions, conclusion, conclusion_text, attendees="", place=""
    ):
        """Record the bureau heads' 集体讨论 (行政处罚法 第五十七条) after a passed review, with its 集体讨论记录."""
        if not by.has_role(Role.BUREAU_HEAD):
            raise TransitionRefused("集体讨论由局负责人主持并记录。")
        problems = []
        if held_on is None or held_on > timezone.localdate():
            problems.append("请填写讨论日期（不能晚于今天）。")
        participants = list(participants)
        if by not in participants:
            participants.insert(0, by)
        if any(not p.has_role(Role.BUREAU_HEAD) for p in participants):
            problems.append("集体讨论的参加人员须为局负责人；其他人员请填写在列席人员中。")
        if len(participants) < 2:
            problems.append("集体讨论须由两名以上局负责人参加。")
        if not (opinions or "").strip():
            problems.append("请记录讨论意见。")
        if conclusion not in CollectiveConclusion.values:
            problems.append("请选择讨论结论。")
        if not (conclusion_text or "").strip():
            problems.append("请填写结论性意见。")
        if problems:
            raise TransitionRefused(problems)
        with transaction.atomic():
            locked = lock_case(case)
            if locked.stage != Stage.COLLECTIVE:
                raise TransitionRefused("案件须先转入“集体讨论”阶段。")
            latest = locked.review_rounds.order_by("-number").first()
            current = proposal_hash(locked)
            if latest is None or latest.status != RoundStatus.APPROVED or latest.approved_hash != current:
                raise TransitionRefused("集体讨论须在法制审核同意之后、拟作出的决定未再变更时进行。")
            discussion = cls.objects.create(
                case=locked,
                round=latest,
                held_on=held_on,
                place=place.strip(),
                chair=by,
                attendees=attendees.strip(),
                opinions=opinions.strip(),
                conclusion=conclusion,
                conclusion_text=conclusion_text.strip(),
                proposal_hash=current,
                recorded_by=by,
            )
            discussion.participants.set(participants)
            document = Document.objects.create(
                case=locked,
                doc_type="collective_record",
                act_date=held_on,
                act_place=place.strip(),
                data={
                    "held_on": held_on.isoformat(),
                    "place": place.strip(),
                    "chair": by.display_name,
                    "participants": "、".join(p.display_name for p in participants),
                    "attendees": attendees.strip(),
                    "subject": f"{locked.number}（{locked.title}）拟作出的处理决定",
                    "review": f"第{latest.number}轮法制审核意见：{latest.get_status_display()}"
                    + (f"（{latest.opinion_document.number}）" if latest.opinion_document_id else ""),
                    "opinions": opinions.strip(),
                    "conclusion": conclusion,
                    "conclusion_label": CollectiveConclusion(conclusion).label,
                    "conclusion_text": conclusion_text.strip(),
                },
                created_by=by,
            )
            document.issue(by=by)
            discussion.document = document
            discussion.save(update_fields=["document"])
            record(
                "legal_review.collective.held",
                obj=locked,
                actor=by,
                detail={"discussion": discussion.pk, "conclusion": conclusion, "document": document.pk},
            )
        return discussion
