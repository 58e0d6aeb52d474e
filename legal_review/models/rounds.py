"""Review rounds (送审 and its outcome, docs/domain.md §3): submission, assignment of an eligible reviewer, the
reviewer's outcome with its 法制审核意见书, and advisers' opinions within a round. Every change runs in one
transaction under row locks, writes the audit log, and refuses with readable Chinese reasons (TransitionRefused).
Over 500 lines because submission, assignment, outcome (with the checklist overrides) and advisers' opinions
are the one round's transitions and share its locks and checks.
"""

import datetime

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from recording.models import Document
from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.models import Case, RuleSettings
from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.roster.models import Role, Staff

from .. import access, prechecks
from .. import package as packaging
from ..criteria import hash_documents
from .checklist import AdviserKind, AdviserOpinion, ChecklistItem, CheckPoint, CheckResult
from .common import lock_case, require_text

SUBMITTABLE_STAGES = (Stage.STATEMENT, Stage.LEGAL_REVIEW, Stage.COLLECTIVE)


class RoundStatus(models.TextChoices):
    SUBMITTED = "submitted", "待分配审核人员"
    IN_REVIEW = "in_review", "审核中"
    APPROVED = "approved", "同意"
    RETURNED = "returned", "修改后再报"
    REFUSED = "refused", "不同意"


OPEN_STATUSES = (RoundStatus.SUBMITTED, RoundStatus.IN_REVIEW)
OUTCOMES = (RoundStatus.APPROVED, RoundStatus.RETURNED, RoundStatus.REFUSED)


class RoundKind(models.TextChoices):
    SUBMISSION = "submission", "送审"
    REVISION = "revision", "协调后重新出具意见"


class ReviewRoundQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def takeable_by(self, reviewer):
        """Rounds waiting for a reviewer that this reviewer may take on (ReviewRound.assign, self-assignment):
        never a case they handled — its officers, its unit's head, who registered it, who submitted it
        (reviewer_problems). Whether the person may review at all (法律职业资格, 第五十八条) is theirs, not the
        round's: Staff.review_eligibility_on."""
        return (
            self.filter(status=RoundStatus.SUBMITTED, reviewer__isnull=True)
            .exclude(case__assignments__officer=reviewer)
            .exclude(case__handling_unit__head=reviewer)
            .exclude(case__created_by=reviewer)
            .exclude(case__review_rounds__submitted_by=reviewer)
        )

    def for_rows(self):
        """What a queue row shows: the case, its unit, the submitter and the reviewer (one joined query)."""
        return self.select_related("case", "case__handling_unit", "submitted_by", "reviewer")

    def with_overrides(self):
        """Decided rounds where the reviewer passed a point the system's pre-check had flagged (each with a
        written reason, printed in the 意见书): what supervision follows up."""
        return self.filter(
            Exists(ChecklistItem.objects.overridden().filter(round=OuterRef("pk"))), status__in=OUTCOMES
        )


class ReviewRound(models.Model):
    """One submission of a case for legal review (送审) and its outcome. Resubmission opens a new round;
    a coordination that ends in a revised opinion opens a revision round; earlier rounds are kept."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="review_rounds")
    number = models.PositiveSmallIntegerField("轮次")
    kind = models.CharField("类型", max_length=12, choices=RoundKind.choices, default=RoundKind.SUBMISSION)
    revision_of = models.ForeignKey(
        "self",
        verbose_name="重新出具意见的轮次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=10, choices=RoundStatus.choices, default=RoundStatus.SUBMITTED
    )
    # The package as submitted: document ids, evidence list, legal basis, discretion, hearing record.
    package = models.JSONField("送审材料", default=dict)
    proposal_hash = models.CharField("送审时拟作决定的摘要", max_length=64)
    base_amount = models.DecimalField(
        "计算基数（元）",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="按货值金额、违法所得等倍数处罚的，填写该基数以比对裁量基准。",
    )
    note = models.TextField("送审说明", blank=True)
    confirmation = models.TextField("承办单位承诺")
    submitted_by = models.ForeignKey(Staff, verbose_name="送审人", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("送审时间", auto_now_add=True)
    submitted_on = models.DateField("送审日期")
    due_on = models.DateField("审核期限")
    reviewer = models.ForeignKey(
        Staff,
        verbose_name="审核人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_rounds",
    )
    assigned_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField("分配时间", null=True, blank=True)
    opinion = models.TextField("审核意见", blank=True)
    crime_suspected = models.BooleanField("涉嫌犯罪，建议移送司法机关", default=False)
    prechecks = models.JSONField("系统预审结果", default=list, blank=True)
    decided_at = models.DateTimeField("审核完成时间", null=True, blank=True)
    decided_on = models.DateField("审核完成日期", null=True, blank=True)
    approved_hash = models.CharField("同意时拟作决定的摘要", max_length=64, blank=True)
    opinion_document = models.OneToOneField(
        "recording.Document",
        verbose_name="法制审核意见书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_round",
    )
    history = HistoricalRecords()

    objects = ReviewRoundQuerySet.as_manager()

    class Meta:
        verbose_name = "法制审核（轮次）"
        verbose_name_plural = "法制审核（轮次）"
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="legal_review_round_number_unique"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["submitted", "in_review"]),
                name="legal_review_one_open_round_per_case",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(approved_hash=""),
                name="legal_review_approved_round_has_hash",
            ),
        ]
        indexes = [
            # Serves the reviewer's queue: open rounds by reviewer, soonest due first.
            models.Index(fields=["status", "reviewer", "due_on"], name="lr_round_queue_idx"),
        ]

    def __str__(self):
        return f"{self.case.number} 第{self.number}轮法制审核（{self.get_status_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # --- Submission (送审) -------------------------------------------------------------------------------

    @classmethod
    def submit(cls, case, *, by, confirmed: bool, base_amount=None, note: str = "", on=None):
        """送审: refuse an incomplete package with the list of what is missing; record the submitter's
        confirmation of truth and completeness with the round; move the case to 法制审核 (from 陈述申辩/听证)."""
        on = on or timezone.localdate()
        with transaction.atomic():
            locked = lock_case(case)
            if not locked.may_work_on(by):
                raise TransitionRefused("只有本案承办人员或承办单位负责人可以送审。")
            if locked.stage not in SUBMITTABLE_STAGES:
                raise TransitionRefused(
                    f"案件当前处于“{locked.get_stage_display()}”阶段；须在陈述申辩/听证之后送审法制审核。"
                )
            rounds = list(cls.objects.select_for_update().filter(case=locked).order_by("number"))
            latest = rounds[-1] if rounds else None
            if latest is not None and latest.is_open:
                raise TransitionRefused(f"第{latest.number}轮法制审核尚未完成，请勿重复送审。")
            pkg = packaging.build(locked)
            current = hash_documents(pkg.proposals)
            if (
                latest is not None
                and latest.status == RoundStatus.APPROVED
                and latest.approved_hash == current
            ):
                raise TransitionRefused("法制审核已同意且拟作出的决定没有变更，无须重新送审。")
            problems = [f"送审材料不全，缺少：{item}" for item in pkg.missing]
            if not confirmed:
                problems.append("请确认送审材料真实、完整（承办单位对送审材料的真实性、完整性负责）。")
            if problems:
                raise TransitionRefused(problems)
            rules = RuleSettings.current()
            review_round = cls(
                case=locked,
                number=(latest.number + 1) if latest else 1,
                package=pkg.snapshot(),
                proposal_hash=current,
                base_amount=base_amount,
                note=note.strip(),
                confirmation=f"{packaging.CONFIRMATION_TEXT}（{by.display_name}，{on:%Y-%m-%d}）",
                submitted_by=by,
                submitted_on=on,
                due_on=calendar.add_working_days(on, rules.review_working_days),
            )
            review_round._change_reason = "legal_review.round.submitted"
            review_round._history_user = by
            review_round.save()
            record(
                "legal_review.round.submitted",
                obj=locked,
                actor=by,
                detail={"round": review_round.pk, "number": review_round.number, "hash": current},
            )
            if locked.stage == Stage.STATEMENT:
                locked.advance(
                    Stage.LEGAL_REVIEW, actor=by, reason=f"提交第{review_round.number}轮法制审核。", on=on
                )
        case.refresh_from_db(fields=["stage"])
        return review_round

    # --- Assignment ------------------------------------------------------------------------------------

    def assign(self, reviewer, *, by, on=None):
        """Assign an eligible reviewer who did not handle the case: the bureau head assigns, a reviewer may
        take an unassigned round. Grants the reviewer the case page and its classified records."""
        on = on or timezone.localdate()
        with transaction.atomic():
            review_round = (
                ReviewRound.objects.select_for_update(of=("self",)).select_related("case").get(pk=self.pk)
            )
            if not review_round.is_open:
                raise TransitionRefused(
                    f"本轮审核已作出“{review_round.get_status_display()}”的结论，不能再分配。"
                )
            if by == reviewer and not by.has_role(Role.BUREAU_HEAD):
                if review_round.reviewer_id is not None:
                    raise TransitionRefused(f"本轮审核已由{review_round.reviewer.display_name}承担。")
            elif not by.has_role(Role.BUREAU_HEAD):
                raise TransitionRefused("只有局负责人可以分配审核人员。")
            case = review_round.case
            problems = reviewer_problems(case, reviewer, on)
            if problems:
                raise TransitionRefused(problems)
            previous = review_round.reviewer
            review_round.reviewer = reviewer
            review_round.assigned_by = by
            review_round.assigned_at = timezone.now()
            review_round.status = RoundStatus.IN_REVIEW
            review_round._change_reason = "legal_review.round.assigned"
            review_round._history_user = by
            review_round.save(update_fields=["reviewer", "assigned_by", "assigned_at", "status"])
            # The case is theirs to see while the round is theirs and open (legal_review/access.py); a
            # reviewer the round passes from loses it unless another open round of the case is theirs.
            access.sync(case, reviewer, by=by)
            if previous is not None and previous != reviewer:
                access.sync(case, previous, by=by)
            record(
                "legal_review.round.assigned",
                obj=case,
                actor=by,
                detail={"round": review_round.pk, "reviewer": reviewer.display_name},
            )
        self.reviewer, self.status = reviewer, review_round.status
        return review_round

    # --- The outcome -----------------------------------------------------------------------------------

    def decide(
        self,
        *,
        by,
        outcome: str,
        opinion: str,
        points: dict,
        crime_suspected: bool = False,
        override_reasons: dict | None = None,
        confirm_overrides: bool = False,
        on=None,
    ):
        """The assigned reviewer's outcome: 同意 / 修改后再报 / 不同意, with each of the seven points passed or
        a problem with its comment, written as a numbered 法制审核意见书. The round is locked and its status
        checked inside the transaction, so of two outcomes sent at once exactly one is recorded.

        The system's pre-checks run first: a point whose pre-check found a problem may be passed only with a
        written reason (`override_reasons[point]`), and 同意 with any such point needs `confirm_overrides`
        (the reviewer answers for the opinion, 行政处罚法 第五十八条); overrides are printed in the 意见书."""
        on = on or timezone.localdate()
        opinion = (opinion or "").strip()
        override_reasons = override_reasons or {}
        try:
            with transaction.atomic():
                lock_case(self.case)
                review_round = (
                    ReviewRound.objects.select_for_update(of=("self",)).select_related("case").get(pk=self.pk)
                )
                if review_round.status in OUTCOMES:
                    raise TransitionRefused(
                        f"本轮审核已作出“{review_round.get_status_display()}”的结论，不能重复提交。"
                    )
                if review_round.status == RoundStatus.SUBMITTED or review_round.reviewer_id != by.pk:
                    raise TransitionRefused("只有本轮指定的审核人员可以作出审核结论。")
                case = review_round.case
                problems = reviewer_problems(case, by, on)
                if outcome not in OUTCOMES:
                    problems.append("请选择审核结论：同意、修改后再报或不同意。")
                if not opinion:
                    problems.append("请填写审核意见。")
                results = {}
                for point in CheckPoint:
                    result, comment = points.get(point.value, ("", ""))
                    comment = (comment or "").strip()
                    if result not in CheckResult.values:
                        problems.append(f"请对第{point.value}项“{point.label}”作出结论。")
                    elif result == CheckResult.PROBLEM and not comment:
                        problems.append(f"第{point.value}项存在问题的，请写明问题。")
                    results[point.value] = (result, comment)
                found = [p for p, (r, _) in results.items() if r == CheckResult.PROBLEM]
                pkg = packaging.build(case)
                current = hash_documents(pkg.proposals)
                checks = prechecks.run(case, pkg, base_amount=review_round.base_amount, today=on)
                flagged = prechecks.problems_by_point(checks)
                overrides = {}
                for point, lines in flagged.items():
                    if results.get(point, ("",))[0] != CheckResult.PASS:
                        continue
                    reason = (override_reasons.get(point) or "").strip()
                    if not reason:
                        problems.append(
                            f"第{point}项系统预审发现问题（{lines[0]}），认定“通过”须写明理由；"
                            "或者认定“存在问题”。"
                        )
                    overrides[point] = reason
                if outcome == RoundStatus.APPROVED and overrides and not confirm_overrides:
                    problems.append(
                        "第"
                        + "、".join(str(p) for p in sorted(overrides))
                        + "项系统预审发现问题而认定通过：请确认仍作出同意的结论（勾选确认后再提交）。"
                    )
                if outcome == RoundStatus.APPROVED:
                    if found:
                        problems.append("审核要点存在问题的，不能作出同意的结论；请选择修改后再报或不同意。")
                    if crime_suspected:
                        problems.append("涉嫌犯罪的，应当不同意作出行政处罚并建议移送司法机关。")
                    if current != review_round.proposal_hash:
                        problems.append("送审后拟作出的决定已被修改，请退回承办单位重新送审。")
                elif outcome in (RoundStatus.RETURNED, RoundStatus.REFUSED) and not found:
                    problems.append("修改后再报或不同意的，请至少指出一项审核要点存在的问题。")
                if crime_suspected and (
                    outcome != RoundStatus.REFUSED
                    or results.get(CheckPoint.CRIME, ("",))[0] != CheckResult.PROBLEM
                ):
                    problems.append(
                        "涉嫌犯罪的，第7项应为“存在问题”，审核结论应为不同意（建议移送司法机关）。"
                    )
                if problems:
                    raise TransitionRefused(problems)
                for point, (result, comment) in results.items():
                    ChecklistItem.objects.create(
                        round=review_round,
                        point=point,
                        result=result,
                        comment=comment,
                        precheck_found=point in flagged,
                        override_reason=overrides.get(point, ""),
                    )
                review_round.prechecks = [p.as_json() for p in checks]
                review_round.status = outcome
                review_round.opinion = opinion
                review_round.crime_suspected = crime_suspected
                review_round.decided_at = timezone.now()
                review_round.decided_on = on
                review_round.approved_hash = current if outcome == RoundStatus.APPROVED else ""
                document = Document.objects.create(
                    case=case,
                    doc_type="review_opinion",
                    data=review_round.opinion_data(results, flagged=flagged, overrides=overrides),
                    created_by=by,
                )
                document.issue(by=by)
                review_round.opinion_document = document
                verb = {"approved": "approved", "returned": "returned", "refused": "refused"}[outcome]
                review_round._change_reason = f"legal_review.round.{verb}"
                review_round._history_user = by
                review_round.save(
                    update_fields=[
                        "status",
                        "opinion",
                        "crime_suspected",
                        "decided_at",
                        "decided_on",
                        "approved_hash",
                        "prechecks",
                        "opinion_document",
                    ]
                )
                access.sync(case, by, by=by)  # the round closed: its grant ends (legal_review/access.py)
                record(
                    f"legal_review.round.{verb}",
                    obj=case,
                    actor=by,
                    detail={
                        "round": review_round.pk,
                        "number": review_round.number,
                        "problems": found,
                        "overridden": sorted(overrides),
                        "crime_suspected": crime_suspected,
                        "opinion_document": document.number,
                    },
                )
        except TransitionRefused as refused:
            record(
                "legal_review.round.decision_refused",
                obj=self.case,
                actor=by,
                outcome=Outcome.FAILURE,
                detail={"round": self.pk, "problems": refused.messages},
            )
            raise
        for name in ("status", "opinion", "decided_at", "decided_on", "approved_hash", "opinion_document"):
            setattr(self, name, getattr(review_round, name))
        return review_round

    def opinion_data(self, results: dict, *, flagged=None, overrides=None) -> dict:
        """The 法制审核意见书's content, frozen in the document (the PDF renders from it). A point passed
        although the pre-check found a problem carries the pre-check's finding and the reviewer's reason."""
        flagged, overrides = flagged or {}, overrides or {}
        return {
            "overrides": len(overrides),
            "round": self.number,
            "kind": self.get_kind_display(),
            "outcome": self.status,
            "outcome_label": self.get_status_display(),
            "opinion": self.opinion,
            "crime_suspected": self.crime_suspected,
            "submitted_on": self.submitted_on.isoformat(),
            "submitted_by": self.submitted_by.display_name,
            "reviewer": self.reviewer.display_name,
            "decided_on": self.decided_on.isoformat(),
            "checklist": [
                {
                    "point": p,
                    "label": CheckPoint(p).label,
                    "result": CheckResult(r).label,
                    "problem": r == CheckResult.PROBLEM,
                    "comment": c,
                    "precheck_problem": "；".join(flagged.get(p, ())),
                    "overridden": p in overrides,
                    "override_reason": overrides.get(p, ""),
                }
                for p, (r, c) in sorted(results.items())
            ],
        }

    # --- advisers ---------------------------------------------------------------------------------------

    def ask_adviser(self, *, by, kind: str, adviser: str, question: str):
        """The reviewer consults a legal adviser or 公职律师 within the round."""
        question = require_text(question, "请写明咨询事项。")
        adviser = require_text(adviser, "请填写法律顾问或公职律师的姓名及单位。")
        if kind not in AdviserKind.values:
            raise TransitionRefused("请选择法律顾问或公职律师。")
        with transaction.atomic():
            review_round = ReviewRound.objects.select_for_update().get(pk=self.pk)
            if review_round.reviewer_id != by.pk or not review_round.is_open:
                raise TransitionRefused("只有本轮审核人员可以在审核期间征求法律顾问、公职律师意见。")
            item = AdviserOpinion.objects.create(
                round=review_round, kind=kind, adviser=adviser, question=question, requested_by=by
            )
            record(
                "legal_review.adviser.asked",
                obj=review_round.case,
                actor=by,
                detail={"adviser_opinion": item.pk},
            )
        return item

    def record_adviser_opinion(self, item, *, by, opinion: str, received_on):
        """The adviser's written opinion, entered by the reviewer when received; it becomes part of the round."""
        opinion = require_text(opinion, "请填写法律顾问或公职律师的书面意见。")
        if received_on is None or received_on > timezone.localdate():
            raise TransitionRefused("请填写收到意见的日期（不能晚于今天）。")
        with transaction.atomic():
            review_round = ReviewRound.objects.select_for_update().get(pk=self.pk)
            locked = AdviserOpinion.objects.select_for_update().get(pk=item.pk, round=review_round)
            if review_round.reviewer_id != by.pk or not review_round.is_open:
                raise TransitionRefused("只有本轮审核人员可以在审核期间记录法律顾问、公职律师意见。")
            if locked.opinion:
                raise TransitionRefused("该意见已记录。")
            locked.opinion, locked.received_on, locked.recorded_by = opinion, received_on, by
            locked.save(update_fields=["opinion", "received_on", "recorded_by"])
            record(
                "legal_review.adviser.answered",
                obj=review_round.case,
                actor=by,
                detail={"adviser_opinion": item.pk},
            )
        return locked

    # An open round due within this many working days is shown as due soon.
    SOON_WORKING_DAYS = 3

    @property
    def due_status(self) -> str:
        """'overdue' / 'soon' (within 3 working days) / 'ok' for an open round; '' once decided."""
        if not self.is_open:
            return ""
        today = timezone.localdate()
        if today > self.due_on:
            return "overdue"
        if calendar.working_days_between(today, self.due_on) <= self.SOON_WORKING_DAYS:
            return "soon"
        return "ok"

    def due_label(self, today: datetime.date) -> tuple[str, str]:
        """What the queue shows of an open round's time limit: (label, css class: red / amber / ok)."""
        if today > self.due_on:
            days = calendar.working_days_between(self.due_on, today)
            return f"已逾期 {max(days, 1)} 个工作日", "red"
        left = calendar.working_days_between(today, self.due_on)
        return f"剩余 {left} 个工作日", "amber" if left <= self.SOON_WORKING_DAYS else "ok"


def reviewer_problems(case, reviewer, on: datetime.date) -> list[str]:
    """Why this person may not review this case: 法律职业资格 for reviewers who began after 2021-07-15
    (行政处罚法 第五十八条), and never a handler of the case (its officers, unit head, registrar, submitters)."""
    problems = []
    ok, why = reviewer.review_eligibility_on(on)
    if not ok:
        problems.append(why)
    name = reviewer.display_name
    if case.assignments.filter(officer=reviewer).exists():
        problems.append(f"{name} 是本案承办人员，不得审核本案。")
    elif reviewer.is_head_of(case.handling_unit):
        problems.append(f"{name} 是本案承办单位负责人，不得审核本案。")
    elif case.created_by_id == reviewer.pk:
        problems.append(f"{name} 登记了本案案源，不得审核本案。")
    elif ReviewRound.objects.filter(case=case, submitted_by=reviewer).exists():
        problems.append(f"{name} 曾为本案送审，不得审核本案。")
    return problems
