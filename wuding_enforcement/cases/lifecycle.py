"""The life of a case: registering a lead, assigning officers, approvals and the one method that moves
the stage. These are model methods (mixed into Case and Approval); the module only keeps models.py short.
Models are imported inside the methods because models.py imports this module."""

import datetime
import functools
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared.chinese import cn_date
from wuding_enforcement.shared.registry import Registry

from . import workflow
from .workflow import DATE_FIELDS, INITIAL_STAGE, VERBS, Procedure, Stage, TransitionContext

logger = logging.getLogger("wuding.cases")


def _logs_refusals(method):
    """Log each refusal of a case's action (the audit log keeps the ones the law cares about)."""

    @functools.wraps(method)
    def logged(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except workflow.TransitionRefused as refused:
            logger.info(
                "%s refused on %s %s: %s",
                method.__name__,
                type(self).__name__,
                self.pk,
                "; ".join(refused.messages),
            )
            raise

    return logged


def dates_in_order(case, on: datetime.date) -> list[str]:
    """Dates never run backwards along a path (docs/domain.md §6): a step is dated no earlier than the lead
    and the step before it."""
    from .models import CaseTransition

    last = CaseTransition.objects.filter(case=case).order_by("-on").values_list("on", flat=True).first()
    earliest = max(d for d in (case.lead_date, last) if d is not None)
    if on < earliest:
        return [
            f"日期（{cn_date(on)}）不能早于本案上一步骤的日期（{cn_date(earliest)}）：程序的日期不能倒流。"
        ]
    return []


class StageWriteError(Exception):
    """Raised when anything but Case.advance() tries to write a case's stage."""


# Effects of an approval once the bureau head approves it, keyed by approval kind: func(approval, actor).
approval_effects = Registry("cases.approval_effects", "What an approved request does to its case.")


def register_approval_effect(kind: str, func: Callable, *, name: str | None = None) -> None:
    """Systems register what an approved request does (e.g. recording: 查封扣押 may proceed)."""
    approval_effects.register(func, keys=[kind], name=name or f"{func.__module__}.{func.__qualname__}:{kind}")


class CaseLifecycle:
    @classmethod
    def register_lead(
        cls,
        *,
        by,
        handling_unit,
        title,
        lead_source,
        lead_date,
        procedure=Procedure.ORDINARY,
        lead_summary="",
        officers=(),
        matters=(),
        parties=(),
    ):
        """案件来源登记: a new case with its gapless 案源登记号 (and, for 简易程序, its case number)."""
        from .models import NumberSequence, Party, format_number

        year = lead_date.year
        with transaction.atomic():
            seq = NumberSequence.allocate("lead", year)
            case = cls(
                lead_year=year,
                lead_seq=seq,
                lead_number=format_number("案源", year, seq),
                procedure=procedure,
                stage=INITIAL_STAGE[procedure],
                title=title,
                lead_source=lead_source,
                lead_date=lead_date,
                lead_summary=lead_summary,
                handling_unit=handling_unit,
                created_by=by,
            )
            if procedure == Procedure.SIMPLE:
                # 简易程序 has no 立案; the on-the-spot case is numbered in its own yearly sequence.
                case.case_year = year
                case.case_seq = NumberSequence.allocate("simple", year)
                case.case_number = format_number("简罚", year, case.case_seq)
                case.decided_on = lead_date
            case._change_reason = "cases.case.registered"
            case._history_user = by
            case.full_clean(exclude=["lead_number", "created_by", "stage"])
            case.save()
            if matters:
                case.matters.set(matters)
            for order, party in enumerate(parties):
                party = party if isinstance(party, Party) else Party(**party)
                party.case = case
                party.order = order
                party.full_clean()
                party.save()
            if officers:
                case.assign_officers(officers, by=by)
            record(
                "cases.case.registered",
                obj=case,
                actor=by,
                detail={"lead_number": case.lead_number, "procedure": procedure},
            )
        return case

    def may_work_on(self, user) -> bool:
        from .models import Case

        return Case.objects.editable_by(user).filter(pk=self.pk).exists()

    def may_see_classified(self, user) -> bool:
        """Classified records (个人隐私, 商业秘密, 国家秘密) are for the case's officers, their unit head, the
        unit's records keeper and the reviewers of this case (guardian cases.view_classified) only."""
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if self.assignments.filter(officer=user).exists() or user.is_head_of(self.handling_unit):
            return True
        if user.has_role(Role.RECORDS_KEEPER) and user.unit_id == self.handling_unit_id:
            return True
        return user.has_perm("cases.view_classified", self)

    def assign_officers(self, officers, *, by, lead=None):
        """Assign officers (the first is the lead officer unless `lead` says otherwise) and grant them
        view/change permissions on this case through django-guardian."""
        from .models import CaseOfficer

        officers = list(officers)
        lead = lead or (officers[0] if officers else None)
        with transaction.atomic():
            for officer in officers:
                CaseOfficer.objects.get_or_create(
                    case=self, officer=officer, defaults={"is_lead": officer == lead}
                )
                for codename in ("view_case", "change_case"):
                    assign_perm(f"cases.{codename}", officer, self)
            record(
                "cases.case.officers_assigned",
                obj=self,
                actor=by,
                detail={"officers": [o.display_name for o in officers]},
            )

    def deadlines(self, today: datetime.date | None = None):
        """The case's statutory deadlines (docs/domain.md §4) with remaining days; see deadlines.py."""
        from .deadlines import case_deadlines

        return case_deadlines(self, today)

    def allowed_targets(self) -> list[str]:
        targets = list(workflow.transitions_for(self.procedure).get(self.stage, ()))
        if self.stage == Stage.SUSPENDED and self.suspended_from:
            targets.insert(0, self.suspended_from)
        return targets

    @_logs_refusals
    def advance(self, target: str, *, actor, reason: str = "", on: datetime.date | None = None, **extra):
        """The one way to change a case's stage: checks the table and every registered gate under a row
        lock, writes narrowly, records who/when/why in CaseTransition, history and the audit log, and runs
        the registered after-transition hooks in the same transaction."""
        from .models import Case, CasePause, CaseTransition, NumberSequence, PauseKind, format_number

        on = on or timezone.localdate()
        try:
            with transaction.atomic():
                case = (
                    Case.objects.select_for_update(of=("self",))
                    .select_related("handling_unit")
                    .get(pk=self.pk)
                )
                source = case.stage
                if target not in case.allowed_targets():
                    raise workflow.TransitionRefused(
                        f"案件当前处于“{Stage(source).label}”阶段，不能转入“{Stage(target).label}”。"
                    )
                # 归档 is the records keeper's act (the unit's 档案管理员 keeps the finished case's file).
                archiving_keeper = (
                    target == Stage.ARCHIVED
                    and actor.has_role(Role.RECORDS_KEEPER)
                    and actor.unit_id == case.handling_unit_id
                )
                if not (case.may_work_on(actor) or actor.has_role(Role.BUREAU_HEAD) or archiving_keeper):
                    raise workflow.TransitionRefused(
                        "您不是本案承办人员、承办单位负责人或局负责人，不能推进本案。"
                    )
                ctx = TransitionContext(
                    case=case, source=source, target=target, actor=actor, on=on, reason=reason, extra=extra
                )
                problems = dates_in_order(case, on) + workflow.check_gates(ctx)
                if problems:
                    raise workflow.TransitionRefused(problems)

                fields = ["stage", "updated_at"]
                case._stage_write_allowed = True
                case.stage = target
                if target in DATE_FIELDS:
                    setattr(case, DATE_FIELDS[target], on)
                    fields.append(DATE_FIELDS[target])
                if target == Stage.FILED and not case.case_number:
                    case.case_year = on.year
                    case.case_seq = NumberSequence.allocate("filing", on.year)
                    case.case_number = format_number("立", on.year, case.case_seq)
                    fields += ["case_year", "case_seq", "case_number"]
                if target == Stage.SUSPENDED:
                    case.suspended_from = source
                    fields.append("suspended_from")
                    CasePause.objects.create(
                        case=case, kind=PauseKind.SUSPENSION, start=on, note=reason, created_by=actor
                    )
                elif source == Stage.SUSPENDED:
                    case.suspended_from = ""
                    fields.append("suspended_from")
                    CasePause.objects.filter(case=case, kind=PauseKind.SUSPENSION, end__isnull=True).update(
                        end=on
                    )
                verb = (
                    VERBS.get(target, target)
                    if source != Stage.SUSPENDED or target == Stage.TERMINATED
                    else "resumed"
                )
                case._change_reason = f"cases.case.{verb}"
                case._history_user = actor
                case.save(update_fields=fields)
                transition = CaseTransition.objects.create(
                    case=case, from_stage=source, to_stage=target, actor=actor, on=on, reason=reason
                )
                record(
                    f"cases.case.{verb}",
                    obj=case,
                    actor=actor,
                    detail={"from": source, "to": target, "on": on.isoformat(), "reason": reason},
                )
                workflow.run_after(ctx)
        except workflow.TransitionRefused as refused:
            record(
                "cases.case.transition_refused",
                obj=self,
                actor=actor,
                outcome=Outcome.FAILURE,
                detail={"from": self.stage, "to": target, "problems": refused.messages},
            )
            raise
        for name in [
            "stage",
            "suspended_from",
            "case_number",
            "case_year",
            "case_seq",
            *DATE_FIELDS.values(),
        ]:
            setattr(self, name, getattr(case, name))
        return transition

    @_logs_refusals
    def request_approval(self, kind: str, *, by, reason: str, days: int | None = None):
        """Ask for the unit head's opinion and the bureau head's approval (审批表)."""
        from .models import PENDING_APPROVAL, Approval, ApprovalKind

        if not reason.strip():
            raise workflow.TransitionRefused("请填写申请理由。")
        if (
            kind
            in (
                ApprovalKind.FILING_EXTENSION,
                ApprovalKind.DECISION_EXTENSION,
                ApprovalKind.SEIZURE_EXTENSION,
            )
            and not days
        ):
            raise workflow.TransitionRefused("延长期限的申请须写明延长天数。")
        with transaction.atomic():
            type(self).objects.select_for_update().get(pk=self.pk)
            if not self.may_work_on(by):
                raise workflow.TransitionRefused("您不是本案承办人员或承办单位负责人，不能提交审批。")
            if Approval.objects.filter(case=self, kind=kind, status__in=PENDING_APPROVAL).exists():
                raise workflow.TransitionRefused(
                    f"本案已有待审批的“{ApprovalKind(kind).label}”，请勿重复提交。"
                )
            approval = Approval.objects.create(
                case=self, kind=kind, reason=reason, days=days, requested_by=by
            )
            record(
                "cases.approval.requested",
                obj=self,
                actor=by,
                detail={"approval": approval.pk, "kind": kind, "days": days},
            )
        return approval


class ApprovalLifecycle:
    @_logs_refusals
    def give_opinion(self, user, *, agree: bool, opinion: str):
        """The unit head gives an opinion, then the bureau head approves or not. Approving runs the
        approval's effect (e.g. 立案) in the same transaction: if the case cannot move, nothing is saved."""
        from .models import Approval, ApprovalOpinion, ApprovalStatus, OpinionStep

        if not opinion.strip():
            raise workflow.TransitionRefused("请填写审批意见。")
        with transaction.atomic():
            approval = (
                Approval.objects.select_for_update(of=("self",))
                .select_related("case__handling_unit")
                .get(pk=self.pk)
            )
            case = approval.case
            if approval.status == ApprovalStatus.AWAITING_UNIT_HEAD:
                if not user.is_head_of(case.handling_unit):
                    raise workflow.TransitionRefused(f"此环节须由{case.handling_unit}负责人签署意见。")
                step = OpinionStep.UNIT_HEAD
                approval.status = ApprovalStatus.AWAITING_BUREAU_HEAD if agree else ApprovalStatus.REJECTED
            elif approval.status == ApprovalStatus.AWAITING_BUREAU_HEAD:
                if not user.has_role(Role.BUREAU_HEAD):
                    raise workflow.TransitionRefused("此环节须由局负责人审批。")
                step = OpinionStep.BUREAU_HEAD
                approval.status = ApprovalStatus.APPROVED if agree else ApprovalStatus.REJECTED
            else:
                raise workflow.TransitionRefused(f"该审批已{approval.get_status_display()}，不能再签署意见。")
            ApprovalOpinion.objects.create(
                approval=approval, step=step, by=user, agree=agree, opinion=opinion
            )
            if approval.status in (ApprovalStatus.APPROVED, ApprovalStatus.REJECTED):
                approval.decided_at = timezone.now()
            approval._change_reason = f"cases.approval.{step}_{'agreed' if agree else 'refused'}"
            approval._history_user = user
            approval.save(update_fields=["status", "decided_at"])
            record(
                f"cases.approval.{step}_{'agreed' if agree else 'refused'}",
                obj=case,
                actor=user,
                detail={"approval": approval.pk, "kind": approval.kind},
            )
            if approval.status == ApprovalStatus.APPROVED:
                approval_effects.run(approval.kind, approval, user)
        self.status, self.decided_at = approval.status, approval.decided_at
        return approval


def _advance_on_approval(target):
    def effect(approval, actor):
        approval.case.advance(
            target, actor=actor, reason=f"{approval.get_kind_display()}已批准：{approval.reason}"
        )

    return effect


def register_builtin_effects():
    from .models import ApprovalKind

    register_approval_effect(ApprovalKind.FILING, _advance_on_approval(Stage.FILED))
    register_approval_effect(ApprovalKind.NOT_FILING, _advance_on_approval(Stage.NOT_FILED))
    register_approval_effect(ApprovalKind.CLOSING, _advance_on_approval(Stage.CLOSED))
