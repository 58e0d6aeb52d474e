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

    def approval_refusals(self, kind: str) -> list[str]:
        """Why this case may not ask for `kind` now (its stage and procedure), from the rules registered
        in `approval_rules`; a kind no rule admits is refused. [] means it may."""
        from .models import ApprovalKind

        if kind not in ApprovalKind.values:
            return ["没有这种审批事项。"]
        rules = list(approval_rules.for_key(kind))
        if not rules:
            return [f"本系统未规定“{ApprovalKind(kind).label}”可在哪些阶段提出。"]
        return [problem for rule in rules for problem in (rule(self) or ())]

    def requestable_approval_kinds(self, kinds=None) -> list:
        """The approval kinds (of `kinds`, default all) this case may ask for now: what pages offer."""
        from .models import ApprovalKind

        return [ApprovalKind(k) for k in (kinds or ApprovalKind.values) if not self.approval_refusals(k)]

    @_logs_refusals
    def request_approval(
        self, kind: str, *, by, reason: str, days: int | None = None, officers=None, on=None
    ):
        """Ask for the unit head's opinion and the bureau head's approval (审批表). Whether the case may ask
        for this kind at its stage and procedure is decided here (the registered `approval_rules`), for
        every path; a 变更承办人员 request carries the proposed officers (the first is the lead), checked on
        the date of the request (行政处罚法 第四十二条)."""
        from .models import PENDING_APPROVAL, Approval, ApprovalKind

        on = on or timezone.localdate()
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
        try:
            with transaction.atomic():
                case = type(self).objects.select_for_update().get(pk=self.pk)
                if not case.may_work_on(by):
                    raise workflow.TransitionRefused("您不是本案承办人员或承办单位负责人，不能提交审批。")
                problems = case.approval_refusals(kind)
                if problems:
                    raise workflow.TransitionRefused(problems)
                if Approval.objects.filter(case=case, kind=kind, status__in=PENDING_APPROVAL).exists():
                    raise workflow.TransitionRefused(
                        f"本案已有待审批的“{ApprovalKind(kind).label}”，请勿重复提交。"
                    )
                team = None
                if kind == ApprovalKind.OFFICER_CHANGE:
                    team = _proposed_team(case, officers, on)
                elif officers:
                    raise workflow.TransitionRefused("只有“变更承办人员审批”可以提出承办人员。")
                approval = Approval.objects.create(
                    case=case, kind=kind, reason=reason, days=days, requested_by=by
                )
                detail = {"approval": approval.pk, "kind": kind, "days": days}
                if team is not None:
                    _record_proposed_team(approval, team)
                    detail["officers"] = [o.display_name for o in team]
                record("cases.approval.requested", obj=case, actor=by, detail=detail)
        except workflow.TransitionRefused as refused:
            record(
                "cases.approval.request_refused",
                obj=self,
                actor=by,
                outcome=Outcome.FAILURE,
                detail={"kind": kind, "problems": refused.messages},
            )
            raise
        return approval


# --- Which approvals a case may ask for (one place; pages only offer what these rules admit) ----------------

# Keyed by approval kind: rule(case) yields why the case may not ask for that kind now. The case registers
# its own kinds below; recording registers 先行登记保存 and 查封扣押 (recording/approvals.py). A kind with no
# rule is refused, so a new kind is never requestable by accident.
approval_rules = Registry(
    "cases.approval_rules", "May the case ask for this kind of approval at its stage and procedure?"
)


def register_approval_rule(kind: str, func: Callable, *, name: str | None = None) -> None:
    approval_rules.register(func, keys=[kind], name=name or f"{func.__module__}.{func.__qualname__}:{kind}")


def _label(kind) -> str:
    from .models import ApprovalKind

    return ApprovalKind(kind).label


def ordinary_only(kind):
    """The approvals of 普通程序: 简易程序 decides on the spot without 立案 (行政处罚法 第五十一条、第五十二条),
    and an inspection is approved before it starts (its own 行政检查审批表)."""

    def rule(case):
        if case.procedure != Procedure.ORDINARY:
            why = (
                "简易程序当场作出处罚决定，不经立案、调查终结等环节（行政处罚法 第五十一条、第五十二条）"
                if case.procedure == Procedure.SIMPLE
                else "行政检查按检查审批、通知、检查、结果的流程办理"
            )
            yield f"本案为{case.get_procedure_display()}案件，不能申请“{_label(kind)}”：{why}。"

    return rule


def _stage_admits(kind, target, article):
    """The kind is asked for only where the case may next enter `target` (e.g. 立案 from 线索登记/核查)."""

    def rule(case):
        if case.procedure == Procedure.ORDINARY and target not in case.allowed_targets():
            yield (
                f"案件当前处于“{case.get_stage_display()}”阶段，不能申请“{_label(kind)}”"
                f"（只能在可以转入“{Stage(target).label}”时申请；{article}）。"
            )

    return rule


def _decision_extension_window(case):
    """行政处罚法 第六十条: the 90 days run from 立案 to the decision; only a filed, undecided case extends them."""
    if case.procedure != Procedure.ORDINARY:
        return
    if not case.filed_on or case.decided_on or case.stage in workflow.FINISHED_STAGES:
        state = "尚未立案" if not case.filed_on else "已作出决定或已办结"
        yield (
            f"本案{state}，不能申请“延长办案期限”：办案期限自立案之日起计算，"
            "只能在立案后、作出处罚决定前申请延长（行政处罚法 第六十条）。"
        )


def _case_not_finished(kind):
    def rule(case):
        if case.stage in workflow.FINISHED_STAGES:
            yield f"案件已{case.get_stage_display()}，不能再申请“{_label(kind)}”。"

    return rule


def _proposed_team(case, officers, on):
    """The officers a 变更承办人员 request proposes: at least two distinct active officers of the handling
    unit, holding certificates valid on `on` (行政处罚法 第四十二条), and not the team it already has."""
    from wuding_enforcement.roster.certification import certified_officers

    team = list(dict.fromkeys(officers or ()))
    problems = []
    if not team:
        raise workflow.TransitionRefused("请选择变更后的承办人员（第一位为主办人）。")
    for officer in team:
        if not officer.is_active or not officer.has_role(Role.OFFICER):
            problems.append(f"{officer.display_name}不是在岗执法人员。")
        elif officer.unit_id != case.handling_unit_id:
            problems.append(f"{officer.display_name}不属于{case.handling_unit}，不能承办本单位的案件。")
    problems += certified_officers(team, on).problems("承办本案")
    current = list(case.assignments.order_by("-is_lead", "assigned_at").values_list("officer_id", flat=True))
    if current and {o.pk for o in team} == set(current) and team[0].pk == current[0]:
        problems.append("变更后的承办人员与现有承办人员相同。")
    if problems:
        raise workflow.TransitionRefused(problems)
    return team


def _record_proposed_team(approval, team):
    from .models import OfficerChange

    change = OfficerChange.objects.create(approval=approval, lead=team[0])
    change.officers.set(team)


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


def _change_officers(approval, actor):
    """变更承办人员 once the bureau head approves it: the proposed team replaces the case's officers, its
    certificates checked again on the day of the approval (行政处罚法 第四十二条; a certificate may have been
    suspended since the request — then nothing changes). Removed officers lose the case's permissions; the
    change is in the CaseOfficer history and the audit log, both lists named."""
    from guardian.shortcuts import remove_perm

    from wuding_enforcement.roster.certification import certified_officers

    from .models import CaseOfficer, OfficerChange

    case = approval.case
    change = OfficerChange.objects.select_related("lead").get(approval=approval)
    on = timezone.localdate()
    team = [change.lead] + [o for o in change.officers.order_by("real_name") if o.pk != change.lead_id]
    problems = certified_officers(team, on).problems("承办本案")
    if problems:
        raise workflow.TransitionRefused(problems)
    before = list(case.assignments.select_related("officer").order_by("-is_lead", "assigned_at"))
    keep = {o.pk for o in team}
    for assignment in before:
        if assignment.officer_id not in keep:
            assignment._change_reason = "cases.case.officer_removed"
            assignment._history_user = actor
            assignment.delete()
            for codename in ("view_case", "change_case"):
                remove_perm(f"cases.{codename}", assignment.officer, case)
    for officer in team:
        assignment, _ = CaseOfficer.objects.get_or_create(case=case, officer=officer)
        is_lead = officer.pk == change.lead_id
        if assignment.is_lead != is_lead:
            assignment.is_lead = is_lead
            assignment._change_reason = "cases.case.lead_officer_changed"
            assignment._history_user = actor
            assignment.save(update_fields=["is_lead"])
        for codename in ("view_case", "change_case"):
            assign_perm(f"cases.{codename}", officer, case)
    change.applied_on = on
    change.save(update_fields=["applied_on"])
    record(
        "cases.case.officers_changed",
        obj=case,
        actor=actor,
        detail={
            "approval": approval.pk,
            "before": [a.officer.display_name for a in before],
            "after": [o.display_name for o in team],
            "lead": change.lead.display_name,
            "on": on.isoformat(),
        },
    )


def register_builtin_effects():
    from .models import ApprovalKind

    register_approval_effect(ApprovalKind.FILING, _advance_on_approval(Stage.FILED))
    register_approval_effect(ApprovalKind.NOT_FILING, _advance_on_approval(Stage.NOT_FILED))
    register_approval_effect(ApprovalKind.CLOSING, _advance_on_approval(Stage.CLOSED))
    register_approval_effect(ApprovalKind.OFFICER_CHANGE, _change_officers)


def register_builtin_approval_rules():
    """Which of the case's own approval kinds a case may ask for, at which stage (recording registers the
    coercive measures' kinds)."""
    from .models import ApprovalKind

    K = ApprovalKind
    filing_article = "立案核查期限内决定是否立案"
    for kind in (
        K.FILING,
        K.NOT_FILING,
        K.FILING_EXTENSION,
        K.DECISION_EXTENSION,
        K.CLOSING,
        K.OFFICER_CHANGE,
    ):
        register_approval_rule(kind, ordinary_only(kind), name=f"cases.ordinary_only:{kind}")
    register_approval_rule(K.FILING, _stage_admits(K.FILING, Stage.FILED, "行政处罚法 第五十四条"))
    register_approval_rule(K.FILING_EXTENSION, _stage_admits(K.FILING_EXTENSION, Stage.FILED, filing_article))
    register_approval_rule(K.NOT_FILING, _stage_admits(K.NOT_FILING, Stage.NOT_FILED, filing_article))
    register_approval_rule(K.CLOSING, _stage_admits(K.CLOSING, Stage.CLOSED, "结案须经局负责人批准"))
    register_approval_rule(K.DECISION_EXTENSION, _decision_extension_window)
    register_approval_rule(K.OFFICER_CHANGE, _case_not_finished(K.OFFICER_CHANGE))
    register_approval_rule(K.OTHER, _case_not_finished(K.OTHER))
