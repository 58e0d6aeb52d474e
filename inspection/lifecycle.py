"""The life of an inspection (mixed into Inspection, like cases.lifecycle; models imported inside the methods).

register → approve (行政检查审批表: the bureau head, 必审批) → the case on the inspection path is opened with its
officers and the enterprise as party, and the 检查码 is issued → 检查通知书 (必通知, at the latest on arrival) →
现场检查笔录 → form_result (未发现问题 / 责令整改 with a deadline and a follow-up / 移交立案, which registers a
案源 in a new 普通程序 case with this inspection as its source) → publish (planned inspections, within 20
working days) → close. The stage moves go through Case.advance(), whose gates (inspection/gates.py) hold the
rules of each step, so the case workspace's own buttons get the same refusals.

Caps (国办发〔2024〕54号 四): a 双随机/重点/专项 inspection counts against the item's yearly cap for the entity's
risk class; over the cap it needs a recorded reason and is flagged. 个案检查, licence site checks and 整改复查
are outside the cap but counted (InspectionQuerySet.cap_counts).

Over 500 lines because the inspection's whole procedure (register to close) is one state machine whose
steps share their locks, checks and audit verbs.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.workflow import Procedure, Stage
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared.chinese import cn_date

from .refusing import audited, refuse

RESULT_STAGES = frozenset({Stage.INSPECTION_RESULT, Stage.CLOSED, Stage.ARCHIVED})


def _refuse(action: str, obj, by, problems: list[str]):
    refuse(f"inspection.inspection.{action}", obj, problems)


def cap_problems(
    *, entity, item, kind, year: int, over_cap_reason: str, exclude_pk=None
) -> tuple[list[str], bool]:
    """(problems, over_cap) for one more inspection of `kind`: in-cap kinds need a published cap for the
    entity's risk class, and past it a recorded reason (then it is flagged)."""
    from .models import IN_CAP_KINDS, Inspection

    if kind not in IN_CAP_KINDS:
        return [], False
    cap = item.cap_for(entity.risk_class)
    if cap is None:
        return [
            f"检查事项“{item.item}”未公布{entity.get_risk_class_display()}企业的年度检查频次上限，"
            "不能实施计划检查（国办发〔2024〕54号）。"
        ], False
    done = Inspection.objects.counted().in_year(year).in_cap().filter(entity=entity, item=item)
    if exclude_pk:
        done = done.exclude(pk=exclude_pk)
    if done.count() < cap:
        return [], False
    if not over_cap_reason.strip():
        return [
            f"{entity.name}本年度“{item.item}”已检查{done.count()}次，已达公布的频次上限（每年{cap}次）："
            "确需检查的，请写明理由（将被标记并报监督）。"
        ], True
    return [], True


class InspectionLifecycle:
    # --- registration ---------------------------------------------------------------------------------

    @classmethod
    @audited
    def register(
        cls,
        *,
        by,
        kind,
        entity,
        item,
        officers,
        planned_on: datetime.date,
        reason: str,
        unit=None,
        plan=None,
        source: str = "other",
        source_note: str = "",
        follows=None,
        over_cap_reason: str = "",
        draw_pick=None,
        emergency_reason: str = "",
    ):
        """Register an inspection task (it then waits for the bureau head's approval, or — an emergency — its
        case is opened at once and the approval follows). Every rule is checked here, for every path."""
        from wuding_enforcement.cases.models import LeadSource, NumberSequence, format_number

        from .models import (
            CASE_SOURCES,
            IN_CAP_KINDS,
            ApprovalState,
            Inspection,
            InspectionKind,
            PlanKind,
            Result,
        )
        from .officers import officer_problems

        officers = list(officers)
        today = timezone.localdate()
        emergency = bool(emergency_reason.strip())
        problems = list(item.usable_problems())
        if not (by.has_role(Role.OFFICER, Role.UNIT_HEAD, Role.BUREAU_HEAD) or draw_pick is not None):
            problems.append("只有执法人员、负责人或局负责人可以登记检查任务。")
        if not reason.strip():
            problems.append("请写明检查事由。")
        if not entity.is_active_on(planned_on):
            problems.append(f"{entity.name}已于{cn_date(entity.deregistered_on)}注销（吊销），不能检查。")
        if emergency:
            if kind == InspectionKind.RANDOM:
                problems.append("双随机抽查不能按紧急检查登记。")
            if planned_on != today:
                problems.append("紧急检查应当在实施当日登记并说明理由（国办发〔2024〕54号）。")
        elif planned_on < today:
            problems.append(
                "行政检查须事先经批准（必审批）：检查日期不能早于今天；情况紧急的，请按紧急检查登记。"
            )
        if kind == InspectionKind.RANDOM:
            if draw_pick is None:
                problems.append("双随机抽查任务只能由抽取产生。")
            else:
                plan = draw_pick.draw.entry.plan
        elif kind in (InspectionKind.KEY, InspectionKind.SPECIAL):
            wanted = PlanKind.SPECIAL if kind == InspectionKind.SPECIAL else PlanKind.ANNUAL
            if plan is None or not plan.is_published or plan.kind != wanted:
                problems.append(f"{InspectionKind(kind).label}须列入已公布的{PlanKind(wanted).label}。")
            elif not plan.entries.filter(item=item).exists():
                problems.append(f"“{plan.title}”中没有检查事项“{item.item}”。")
        elif kind == InspectionKind.CASE:
            if source not in dict(CASE_SOURCES):
                problems.append("个案检查须写明来源：投诉举报、转办交办、移送或者监测发现的问题线索。")
            if not source_note.strip():
                problems.append("请填写来源说明（如投诉举报编号、转办单位）。")
        elif kind == InspectionKind.LICENCE:
            if not source_note.strip():
                problems.append("请填写许可申请的受理编号。")
        elif kind == InspectionKind.FOLLOW_UP:
            if follows is None or follows.result != Result.RECTIFY or follows.entity_id != entity.pk:
                problems.append("整改复查须针对本对象一次责令整改的检查。")
            elif follows.result_on and planned_on < follows.result_on:
                problems.append("复查日期不能早于责令整改之日。")
        problems += officer_problems(officers, entity=entity, item=item, on=planned_on)
        found, over_cap = cap_problems(
            entity=entity, item=item, kind=kind, year=planned_on.year, over_cap_reason=over_cap_reason
        )
        problems += found
        if kind != InspectionKind.CASE:
            source = LeadSource.OTHER
        unit = unit or item.unit or (officers[0].unit if officers else None)
        if unit is None:
            problems.append("请选择实施单位。")
        if problems:
            _refuse("register", entity, by, problems)
        with transaction.atomic():
            seq = NumberSequence.allocate("inspection", planned_on.year)
            inspection = Inspection(
                number=format_number("检", planned_on.year, seq),
                year=planned_on.year,
                seq=seq,
                kind=kind,
                source=source,
                source_note=source_note,
                entity=entity,
                item=item,
                plan=plan,
                draw_pick=draw_pick,
                follows=follows,
                unit=unit,
                planned_on=planned_on,
                reason=reason,
                counts_in_cap=kind in IN_CAP_KINDS,
                over_cap=over_cap,
                over_cap_reason=over_cap_reason if over_cap else "",
                emergency=emergency,
                emergency_reason=emergency_reason if emergency else "",
                approval=ApprovalState.EMERGENCY if emergency else ApprovalState.PENDING,
                registered_by=by,
                lead_officer=officers[0],
            )
            inspection._change_reason = "inspection.inspection.registered"
            inspection._history_user = by
            inspection.save()
            inspection.proposed_officers.set(officers)
            record(
                "inspection.inspection.registered",
                obj=inspection,
                actor=by,
                detail={
                    "number": inspection.number,
                    "kind": kind,
                    "entity": entity.credit_code,
                    "item": item.code,
                    "officers": [o.display_name for o in officers],
                    "over_cap": over_cap,
                    "emergency": emergency,
                },
            )
            if emergency:
                # 紧急检查: done at once, registered the same day, approved afterwards (flagged until then).
                inspection._open_case(by)
        return inspection

    def register_follow_up(self, *, by, planned_on: datetime.date, officers=None):
        """整改复查 of a 责令整改: outside the cap, counted, approved like any inspection."""
        from .models import InspectionKind

        officers = list(officers) if officers is not None else self.officers()
        return type(self).register(
            by=by,
            kind=InspectionKind.FOLLOW_UP,
            entity=self.entity,
            item=self.item,
            officers=officers,
            planned_on=planned_on,
            reason=f"对{self.number}责令整改事项的复查（整改期限{cn_date(self.rectify_by)}）。",
            unit=self.unit,
            follows=self,
        )

    def may_manage(self, user) -> bool:
        """Who may withdraw a task before approval: whoever registered it, its officers, the unit's head, a
        bureau head, and the planners (for a draw's tasks)."""
        from .drawing import is_planner

        if user is None or not user.is_authenticated:
            return False
        return (
            user.pk == self.registered_by_id
            or self.proposed_officers.filter(pk=user.pk).exists()
            or user.is_head_of(self.unit)
            or user.has_role(Role.BUREAU_HEAD)
            or is_planner(user)
        )

    def officers(self) -> list:
        """The inspection's officers, the lead first: the case's once opened, else the proposed ones."""
        if self.case_id:
            return [a.officer for a in self.case.assignments.select_related("officer")]
        people = list(self.proposed_officers.all())
        return sorted(people, key=lambda p: (p.pk != self.lead_officer_id, p.pk))

    # --- approval --------------------------------------------------------------------------------------

    def _locked(self):
        return (
            type(self)
            .objects.select_for_update(of=("self",))
            .select_related("entity", "item", "unit")
            .get(pk=self.pk)
        )

    @audited
    def approve(self, *, by, opinion: str):
        """行政检查审批表: the bureau head approves (必审批). The officers, the entity and the cap are checked
        again on approval (a certificate may have lapsed since); the case is opened and the 检查码 issued.
        An emergency inspection's approval comes afterwards (its case is already open)."""
        from .models import ApprovalState
        from .officers import officer_problems

        with transaction.atomic():
            inspection = self._locked()
            problems = []
            if not by.has_role(Role.BUREAU_HEAD):
                problems.append("行政检查须经局负责人批准。")
            if inspection.approval not in (ApprovalState.PENDING, ApprovalState.EMERGENCY):
                problems.append(f"该检查{inspection.get_approval_display()}，不能再审批。")
            if not opinion.strip():
                problems.append("请填写审批意见。")
            if inspection.approval == ApprovalState.PENDING:
                on = max(inspection.planned_on, timezone.localdate())
                problems += officer_problems(
                    inspection.officers(), entity=inspection.entity, item=inspection.item, on=on
                )
                if not inspection.entity.is_active_on(on):
                    problems.append(f"{inspection.entity.name}已注销（吊销），不能检查。")
            if problems:
                _refuse("approve", inspection, by, problems)
            was_emergency = inspection.approval == ApprovalState.EMERGENCY
            inspection.approval = ApprovalState.APPROVED
            inspection.decided_by, inspection.decided_at, inspection.opinion = by, timezone.now(), opinion
            inspection._change_reason = "inspection.inspection.approved"
            inspection._history_user = by
            inspection.save(update_fields=["approval", "decided_by", "decided_at", "opinion", "updated_at"])
            record(
                "inspection.inspection.approved",
                obj=inspection,
                actor=by,
                detail={"number": inspection.number, "after_the_fact": was_emergency, "opinion": opinion},
            )
            if not was_emergency:
                inspection._open_case(by)
        self.refresh_from_db()
        return self

    @audited
    def reject(self, *, by, opinion: str):
        from .models import ApprovalState

        with transaction.atomic():
            inspection = self._locked()
            problems = []
            if not by.has_role(Role.BUREAU_HEAD):
                problems.append("行政检查须由局负责人审批。")
            if inspection.approval != ApprovalState.PENDING:
                problems.append(f"该检查{inspection.get_approval_display()}，不能再审批。")
            if not opinion.strip():
                problems.append("请填写不予批准的理由。")
            if problems:
                _refuse("reject", inspection, by, problems)
            inspection.approval = ApprovalState.REJECTED
            inspection.decided_by, inspection.decided_at, inspection.opinion = by, timezone.now(), opinion
            inspection._change_reason = "inspection.inspection.rejected"
            inspection._history_user = by
            inspection.save(update_fields=["approval", "decided_by", "decided_at", "opinion", "updated_at"])
            record("inspection.inspection.rejected", obj=inspection, actor=by, detail={"opinion": opinion})
        self.refresh_from_db()
        return self

    def _open_case(self, by):
        """The inspection's case: 行政检查 procedure, the officers assigned (the lead first), the enterprise as
        its party, the 权责清单 item as its matter; and the 检查码."""
        from wuding_enforcement.cases.models import Case, PartyKind

        from .codes import new_code

        entity = self.entity
        party = {
            "kind": entity.party_kind,
            "name": entity.name,
            "credit_code": entity.credit_code,
            "address": entity.address,
            "phone": entity.phone,
        }
        if party["kind"] == PartyKind.ORGANISATION:
            party["legal_representative"] = entity.representative
        else:
            party["operator"] = entity.representative
        people = list(self.proposed_officers.all())
        people.sort(key=lambda p: (p.pk != self.lead_officer_id, p.pk))
        case = Case.register_lead(
            by=self.registered_by,
            handling_unit=self.unit,
            title=f"{self.item.item}（{entity.name}）",
            lead_source=self.source,
            lead_date=timezone.localdate(),
            procedure=Procedure.INSPECTION,
            lead_summary=f"{self.get_kind_display()} {self.number}：{self.reason}",
            officers=people,
            matters=[self.item.power_item] if self.item.power_item_id else [],
            parties=[party],
        )
        self.case = case
        self.code = new_code()
        self._change_reason = "inspection.inspection.case_opened"
        self._history_user = by
        self.save(update_fields=["case", "code", "updated_at"])
        record(
            "inspection.inspection.case_opened",
            obj=self,
            actor=by,
            detail={"number": self.number, "case": case.pk, "lead_number": case.lead_number},
        )

    @audited
    def withdraw(self, *, by, reason: str):
        """A task not yet approved is withdrawn; an approved one is ended through its case (cancel)."""
        from .models import ApprovalState

        with transaction.atomic():
            inspection = self._locked()
            if not inspection.may_manage(by):
                _refuse("withdraw", inspection, by, ["您不能撤回该检查任务。"])
            if inspection.approval != ApprovalState.PENDING:
                _refuse(
                    "withdraw",
                    inspection,
                    by,
                    ["只有待审批的检查任务可以撤回；已批准的请终止检查并写明理由。"],
                )
            if not reason.strip():
                _refuse("withdraw", inspection, by, ["请写明撤回理由。"])
            inspection.approval = ApprovalState.WITHDRAWN
            inspection.opinion = reason
            inspection._change_reason = "inspection.inspection.withdrawn"
            inspection._history_user = by
            inspection.save(update_fields=["approval", "opinion", "updated_at"])
            record("inspection.inspection.withdrawn", obj=inspection, actor=by, detail={"reason": reason})
        self.refresh_from_db()
        return self

    def cancel(self, *, by, reason: str):
        """终止 before the visit (the entity was found closed, the task is called off): through the case, so
        the 终止 is on its path with its reason; the after-hook marks the inspection as not carried out."""
        if self.case_id is None:
            return self.withdraw(by=by, reason=reason)
        self.case.advance(Stage.TERMINATED, actor=by, reason=reason)
        self.refresh_from_db()
        return self

    # --- the record ------------------------------------------------------------------------------------

    @audited
    def form_result(
        self,
        *,
        by,
        result: str,
        summary: str,
        on: datetime.date | None = None,
        rectify_by: datetime.date | None = None,
        samples_taken: bool = False,
        test_report_on: datetime.date | None = None,
        lead_title: str = "",
    ):
        """The result of the inspection (检查结果): recorded here and the case moved to 检查结果 in the same
        transaction. 移交立案 registers a 案源 (Case.register_lead) in a new 普通程序 case, linked both ways."""
        from wuding_enforcement.cases.models import Case, LeadSource, Party

        from .models import Result

        on = on or timezone.localdate()
        with transaction.atomic():
            inspection = self._locked()
            case = inspection.case
            problems = []
            if case is None or case.stage != Stage.INSPECTED:
                problems.append("现场检查笔录签发、检查进入“现场检查”阶段后，才能登记检查结果。")
            if case is not None and not case.may_work_on(by):
                problems.append("您不是本检查的执法人员或承办单位负责人。")
            if result not in Result.values:
                problems.append("请选择检查结果。")
            if not summary.strip():
                problems.append("请填写检查情况。")
            if on > timezone.localdate():
                problems.append("结果形成日期不能晚于今天。")
            if result == Result.RECTIFY and (rectify_by is None or rectify_by <= on):
                problems.append("责令整改须写明整改期限（晚于结果形成日期）。")
            if test_report_on and not samples_taken:
                problems.append("未抽样检验的，不填检验报告日期。")
            if test_report_on and test_report_on > timezone.localdate():
                problems.append("检验报告出具日期不能晚于今天。")
            if problems:
                _refuse("result", inspection, by, problems)
            inspection.result, inspection.result_on, inspection.result_summary = result, on, summary
            inspection.rectify_by = rectify_by if result == Result.RECTIFY else None
            inspection.samples_taken, inspection.test_report_on = samples_taken, test_report_on
            fields = [
                "result",
                "result_on",
                "result_summary",
                "rectify_by",
                "samples_taken",
                "test_report_on",
            ]
            if result == Result.REFER:
                party = case.parties.first()
                lead = Case.register_lead(
                    by=by,
                    handling_unit=inspection.unit,
                    title=lead_title.strip() or f"{inspection.entity.name}涉嫌违法案（检查发现）",
                    lead_source=LeadSource.INSPECTION,
                    lead_date=on,
                    lead_summary=f"行政检查 {inspection.number} 发现：{summary}",
                    officers=[a.officer for a in case.assignments.select_related("officer")],
                    parties=[_copy_party(party, Party)] if party else [],
                )
                inspection.lead_case = lead
                fields.append("lead_case")
                record(
                    "inspection.inspection.lead_opened",
                    obj=inspection,
                    actor=by,
                    detail={
                        "number": inspection.number,
                        "lead_case": lead.pk,
                        "lead_number": lead.lead_number,
                    },
                )
            inspection._change_reason = "inspection.inspection.result"
            inspection._history_user = by
            inspection.save(update_fields=[*fields, "updated_at"])
            case.advance(
                Stage.INSPECTION_RESULT,
                actor=by,
                on=on,
                reason=f"检查结果：{Result(result).label}。{summary}",
            )
            record(
                "inspection.inspection.result",
                obj=inspection,
                actor=by,
                detail={"number": inspection.number, "result": result, "on": on.isoformat()},
            )
        self.refresh_from_db()
        return self

    @audited
    def record_test_report(self, *, by, on: datetime.date):
        """Where samples were taken, the result is published after the test report: its date starts the
        publication clock (国发〔2019〕5号)."""
        with transaction.atomic():
            inspection = self._locked()
            problems = []
            if not inspection.samples_taken:
                problems.append("本次检查未抽样检验。")
            if inspection.test_report_on:
                problems.append("已登记检验报告日期。")
            if on > timezone.localdate() or (inspection.result_on and on < inspection.result_on):
                problems.append("检验报告日期应在结果形成之后、不晚于今天。")
            if problems:
                _refuse("test_report", inspection, by, problems)
            inspection.test_report_on = on
            inspection._history_user = by
            inspection.save(update_fields=["test_report_on", "updated_at"])
            record(
                "inspection.inspection.test_report", obj=inspection, actor=by, detail={"on": on.isoformat()}
            )
        self.refresh_from_db()
        return self

    def close(self, *, by, on: datetime.date | None = None):
        """结案 of the inspection (the gates say what must be done first)."""
        self.case.advance(Stage.CLOSED, actor=by, on=on, reason="检查结束。")
        self.refresh_from_db()
        return self


def _copy_party(party, Party):
    return Party(
        kind=party.kind,
        name=party.name,
        credit_code=party.credit_code,
        legal_representative=party.legal_representative,
        operator=party.operator,
        address=party.address,
        phone=party.phone,
    )
