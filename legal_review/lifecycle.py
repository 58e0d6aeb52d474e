"""The life of a legal review: flags, submission (送审), assignment, the reviewer's outcome, advisers' opinions,
objections and their coordination, and 集体讨论. Model methods mixed into the models (models.py imports this
module, so models are imported inside the methods). Every change runs in one transaction under row locks,
writes the audit log, and refuses with readable Chinese reasons (TransitionRefused)."""

import datetime

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.roster.models import Role

SUBMITTABLE_STAGES = (Stage.STATEMENT, Stage.LEGAL_REVIEW, Stage.COLLECTIVE)


def _require(text: str, message: str) -> str:
    if not (text or "").strip():
        raise TransitionRefused(message)
    return text.strip()


def _lock_case(case):
    from wuding_enforcement.cases.models import Case

    return Case.objects.select_for_update(of=("self",)).select_related("handling_unit").get(pk=case.pk)


def reviewer_problems(case, reviewer, on: datetime.date) -> list[str]:
    """Why this person may not review this case: 法律职业资格 for reviewers who began after 2021-07-15
    (行政处罚法 第五十八条), and never a handler of the case (its officers, unit head, registrar, submitters)."""
    from .models import ReviewRound

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


class FlagLifecycle:
    @classmethod
    def add(cls, case, *, by, criterion, reason: str):
        """The handling unit marks a case major by hand, with its reason."""
        reason = _require(reason, "请写明认定为重大执法决定的理由。")
        if not criterion.is_active:
            raise TransitionRefused("该认定标准已停用。")
        with transaction.atomic():
            _lock_case(case)
            if not case.may_work_on(by):
                raise TransitionRefused("只有本案承办人员或承办单位负责人可以标记重大执法决定。")
            if cls.objects.filter(case=case, criterion=criterion, removed_at__isnull=True).exists():
                raise TransitionRefused(f"本案已按“{criterion.name}”标记，请勿重复标记。")
            flag = cls(case=case, criterion=criterion, reason=reason, flagged_by=by)
            flag._change_reason = "legal_review.flag.added"
            flag._history_user = by
            flag.save()
            record(
                "legal_review.flag.added",
                obj=case,
                actor=by,
                detail={"flag": flag.pk, "criterion": criterion.code, "reason": reason},
            )
        return flag

    def remove(self, *, by, reason: str):
        """Removing a flag needs the bureau head and a reason; it is logged and the row kept."""
        reason = _require(reason, "请写明撤销标记的理由。")
        if not by.has_role(Role.BUREAU_HEAD):
            raise TransitionRefused("撤销重大执法决定标记须由局负责人决定。")
        with transaction.atomic():
            flag = type(self).objects.select_for_update().get(pk=self.pk)
            if flag.removed_at:
                raise TransitionRefused("该标记已撤销。")
            flag.removed_at = timezone.now()
            flag.removed_by = by
            flag.removal_reason = reason
            flag._change_reason = "legal_review.flag.removed"
            flag._history_user = by
            flag.save(update_fields=["removed_at", "removed_by", "removal_reason"])
            record(
                "legal_review.flag.removed",
                obj=flag.case,
                actor=by,
                detail={"flag": flag.pk, "criterion": flag.criterion.code, "reason": reason},
            )
        self.removed_at, self.removed_by, self.removal_reason = flag.removed_at, by, reason
        return flag


class RoundLifecycle:
    # --- §3 submission ---------------------------------------------------------------------------------

    @classmethod
    def submit(cls, case, *, by, confirmed: bool, base_amount=None, note: str = "", on=None):
        """送审: refuse an incomplete package with the list of what is missing; record the submitter's
        confirmation of truth and completeness with the round; move the case to 法制审核 (from 陈述申辩/听证)."""
        from wuding_enforcement.cases.models import RuleSettings

        from . import package as packaging
        from .criteria import hash_documents
        from .models import RoundStatus

        on = on or timezone.localdate()
        with transaction.atomic():
            locked = _lock_case(case)
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

    # --- §4 assignment -----------------------------------------------------------------------------------

    def assign(self, reviewer, *, by, on=None):
        """Assign an eligible reviewer who did not handle the case: the bureau head assigns, a reviewer may
        take an unassigned round. Grants the reviewer the case page and its classified records."""
        from .models import RoundStatus

        on = on or timezone.localdate()
        with transaction.atomic():
            review_round = (
                type(self).objects.select_for_update(of=("self",)).select_related("case").get(pk=self.pk)
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
            review_round.reviewer = reviewer
            review_round.assigned_by = by
            review_round.assigned_at = timezone.now()
            review_round.status = RoundStatus.IN_REVIEW
            review_round._change_reason = "legal_review.round.assigned"
            review_round._history_user = by
            review_round.save(update_fields=["reviewer", "assigned_by", "assigned_at", "status"])
            assign_perm("cases.view_case", reviewer, case)
            assign_perm("cases.view_classified", reviewer, case)
            record(
                "legal_review.round.assigned",
                obj=case,
                actor=by,
                detail={"round": review_round.pk, "reviewer": reviewer.display_name},
            )
        self.reviewer, self.status = reviewer, review_round.status
        return review_round

    # --- §4 the outcome ----------------------------------------------------------------------------------

    def decide(self, *, by, outcome: str, opinion: str, points: dict, crime_suspected: bool = False, on=None):
        """The assigned reviewer's outcome: 同意 / 修改后再报 / 不同意, with each of the seven points passed or
        a problem with its comment, written as a numbered 法制审核意见书. The round is locked and its status
        checked inside the transaction, so of two outcomes sent at once exactly one is recorded."""
        from recording.models import Document

        from . import package as packaging
        from . import prechecks
        from .criteria import hash_documents
        from .models import OUTCOMES, ChecklistItem, CheckPoint, CheckResult, RoundStatus

        on = on or timezone.localdate()
        opinion = (opinion or "").strip()
        try:
            with transaction.atomic():
                _lock_case(self.case)
                review_round = (
                    type(self).objects.select_for_update(of=("self",)).select_related("case").get(pk=self.pk)
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
                        round=review_round, point=point, result=result, comment=comment
                    )
                review_round.prechecks = [
                    p.as_json()
                    for p in prechecks.run(case, pkg, base_amount=review_round.base_amount, today=on)
                ]
                review_round.status = outcome
                review_round.opinion = opinion
                review_round.crime_suspected = crime_suspected
                review_round.decided_at = timezone.now()
                review_round.decided_on = on
                review_round.approved_hash = current if outcome == RoundStatus.APPROVED else ""
                document = Document.objects.create(
                    case=case,
                    doc_type="review_opinion",
                    data=review_round.opinion_data(results),
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
                record(
                    f"legal_review.round.{verb}",
                    obj=case,
                    actor=by,
                    detail={
                        "round": review_round.pk,
                        "number": review_round.number,
                        "problems": found,
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

    def opinion_data(self, results: dict) -> dict:
        """The 法制审核意见书's content, frozen in the document (the PDF renders from it)."""
        from .models import CheckPoint, CheckResult

        return {
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
                }
                for p, (r, c) in sorted(results.items())
            ],
        }

    # --- advisers ---------------------------------------------------------------------------------------

    def ask_adviser(self, *, by, kind: str, adviser: str, question: str):
        """The reviewer consults a legal adviser or 公职律师 within the round."""
        from .models import AdviserKind, AdviserOpinion

        question = _require(question, "请写明咨询事项。")
        adviser = _require(adviser, "请填写法律顾问或公职律师的姓名及单位。")
        if kind not in AdviserKind.values:
            raise TransitionRefused("请选择法律顾问或公职律师。")
        with transaction.atomic():
            review_round = type(self).objects.select_for_update().get(pk=self.pk)
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
        opinion = _require(opinion, "请填写法律顾问或公职律师的书面意见。")
        if received_on is None or received_on > timezone.localdate():
            raise TransitionRefused("请填写收到意见的日期（不能晚于今天）。")
        with transaction.atomic():
            review_round = type(self).objects.select_for_update().get(pk=self.pk)
            locked = type(item).objects.select_for_update().get(pk=item.pk, round=review_round)
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

    @property
    def due_status(self) -> str:
        """'overdue' / 'soon' (within 3 working days) / 'ok' for an open round; '' once decided."""
        if not self.is_open:
            return ""
        today = timezone.localdate()
        if today > self.due_on:
            return "overdue"
        if calendar.working_days_between(today, self.due_on) <= 3:
            return "soon"
        return "ok"


class ObjectionLifecycle:
    @classmethod
    def raise_objection(cls, review_round, *, by, text: str):
        """The handling unit disputes the latest round's opinion (协调机制)."""
        text = _require(text, "请写明异议理由。")
        with transaction.atomic():
            _lock_case(review_round.case)
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


class CoordinationLifecycle:
    @classmethod
    def conclude(cls, objection, *, by, held_on, participants, discussion, conclusion, outcome):
        """The bureau head records the coordination. REVISE opens a revision round for the reviewer (a new
        opinion, a new 意见书); RESUBMIT leaves the unit to change its proposal and submit a new round. No
        coordination approves anything itself."""
        from .models import CoordinationOutcome, RoundKind, RoundStatus

        if not by.has_role(Role.BUREAU_HEAD):
            raise TransitionRefused("审核分歧的协调由局负责人主持。")
        for value, message in (
            (participants, "请填写参加人员。"),
            (discussion, "请填写协调情况。"),
            (conclusion, "请填写协调结论。"),
        ):
            _require(value, message)
        if outcome not in CoordinationOutcome.values:
            raise TransitionRefused("请选择协调后的处理方式。")
        if held_on is None or held_on > timezone.localdate():
            raise TransitionRefused("请填写协调日期（不能晚于今天）。")
        with transaction.atomic():
            _lock_case(objection.round.case)
            if cls.objects.filter(objection=objection).exists():
                raise TransitionRefused("该异议已协调。")
            original = objection.round
            RoundModel = type(original)
            latest = RoundModel.objects.filter(case=original.case).order_by("-number").first()
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
                from wuding_enforcement.cases.models import RuleSettings

                today = timezone.localdate()
                revision = RoundModel(
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


class CollectiveLifecycle:
    @classmethod
    def hold(
        cls, case, *, by, held_on, participants, opinions, conclusion, conclusion_text, attendees="", place=""
    ):
        """Record the bureau heads' 集体讨论 (行政处罚法 第五十七条) after a passed review, with its 集体讨论记录."""
        from recording.models import Document

        from .criteria import proposal_hash
        from .models import CollectiveConclusion, RoundStatus

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
            locked = _lock_case(case)
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
