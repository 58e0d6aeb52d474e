"""The party's answers to the 告知 and the remedies of cases that an older, looser order let through
(docs/domain.md §6; cases/procedure.py). Imported by models.py (Django finds models there)."""

import datetime

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.roster.models import Role, Staff
from wuding_enforcement.shared.refusals import mark_audited

from .workflow import TransitionRefused


class ResponseKind(models.TextChoices):
    STATEMENT = "statement", "陈述、申辩"
    HEARING_REQUEST = "hearing_request", "要求听证"
    HEARING_WITHDRAWN = "hearing_withdrawn", "撤回听证申请"
    HEARING_ABSENT = "hearing_absent", "无正当理由不参加听证（终止听证）"
    WAIVER = "waiver", "书面放弃陈述、申辩和听证权利"


class PartyResponse(models.Model):
    """What the party said or did after the 行政处罚告知书 (行政处罚法 第四十四、四十五、六十二至六十五条), recorded
    by the case's officers with the day it was received. A statement is answered by 复核 (`answer`)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="party_responses")
    kind = models.CharField("事项", max_length=20, choices=ResponseKind.choices)
    received_on = models.DateField("收到（发生）日期")
    content = models.TextField("内容", help_text="当事人陈述、申辩的要点，或申请、撤回、放弃的情况")
    answer = models.TextField("复核意见", blank=True, help_text="对当事人陈述、申辩的复核及采纳情况")
    answered_on = models.DateField("复核日期", null=True, blank=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "当事人陈述申辩、听证事项"
        verbose_name_plural = "当事人陈述申辩、听证事项"
        ordering = ["case", "received_on", "pk"]
        indexes = [
            # Serves the decision gate: one case's responses.
            models.Index(fields=["case", "kind"], name="cases_response_case_kind_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.received_on}）"

    @classmethod
    def record_for(cls, case, *, kind: str, received_on: datetime.date, content: str, by):
        """Record the party's statement, hearing request, its withdrawal, absence or written waiver."""
        problems = []
        if kind not in ResponseKind.values:
            problems.append("请选择事项。")
        if not (content or "").strip():
            problems.append("请写明内容。")
        if received_on is None or received_on > timezone.localdate():
            problems.append("请填写不晚于今天的日期。")
        elif case.lead_date and received_on < case.lead_date:
            problems.append("日期不能早于案源登记日期。")
        if not case.may_work_on(by):
            problems.insert(0, "您不是本案承办人员或承办单位负责人，不能记录当事人意见。")
        if problems:
            record(
                "cases.response.refused",
                obj=case,
                actor=by,
                outcome=Outcome.DENIED,
                detail={"problems": problems},
            )
            raise mark_audited(TransitionRefused(problems))
        with transaction.atomic():
            response = cls.objects.create(
                case=case, kind=kind, received_on=received_on, content=content.strip(), created_by=by
            )
            record(
                "cases.response.recorded",
                obj=case,
                actor=by,
                detail={"response": response.pk, "kind": kind, "received_on": received_on.isoformat()},
            )
        return response

    def record_answer(self, *, answer: str, on: datetime.date, by):
        """复核 (行政处罚法 第四十五条): the agency answers what the party stated, with the day."""
        if not (answer or "").strip():
            raise TransitionRefused("请写明复核意见。")
        if self.kind != ResponseKind.STATEMENT:
            raise TransitionRefused("只有当事人的陈述、申辩需要复核。")
        if on < self.received_on or on > timezone.localdate():
            raise TransitionRefused("复核日期不能早于收到陈述、申辩的日期，也不能晚于今天。")
        if not self.case.may_work_on(by):
            raise TransitionRefused("您不是本案承办人员或承办单位负责人，不能复核。")
        self.answer, self.answered_on = answer.strip(), on
        self.save(update_fields=["answer", "answered_on"])
        record("cases.response.answered", obj=self.case, actor=by, detail={"response": self.pk})
        return self


class RemedyKind(models.TextChoices):
    CORRECTED = "corrected", "补正"
    NOT_NEEDED = "not_needed", "经行政机关负责人批准，说明依法无须该步骤"


class RemedyQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def waiving(self, case):
        """Approved notes of why a step was lawfully not needed: the gates count those steps as met."""
        return self.filter(case=case, kind=RemedyKind.NOT_NEEDED, resolved_at__isnull=False)


class ProcedureRemedy(models.Model):
    """A case already under way that the statutory order would strand (docs/domain.md §6): one row per missing
    step, opened by `manage.py report_procedure_gaps`, listed on the supervision dashboard until resolved —
    by 补正 (the missing document issued; checked when resolving) or by a note, approved by a 局负责人, of why
    the step was lawfully not needed. Never a silent exception."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="procedure_remedies")
    step = models.CharField("缺少的步骤", max_length=40, help_text="cases.procedure Step.key")
    step_title = models.CharField("步骤", max_length=100)
    article = models.CharField("依据", max_length=200)
    stage = models.CharField("发现时案件阶段", max_length=20)
    found_on = models.DateField("发现日期")
    kind = models.CharField("补救方式", max_length=12, choices=RemedyKind.choices, blank=True)
    note = models.TextField("说明", blank=True)
    resolved_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="处理人"
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    history = HistoricalRecords()

    objects = RemedyQuerySet.as_manager()

    class Meta:
        verbose_name = "程序补救"
        verbose_name_plural = "程序补救"
        ordering = ["found_on", "case", "step"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="cases_remedy_one_per_case_step"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(kind=""), name="cases_remedy_resolved_has_kind"
            ),
        ]
        indexes = [
            # Serves the supervision dashboard's list of open remedies.
            models.Index(fields=["resolved_at", "found_on"], name="cases_remedy_open_idx"),
        ]

    def __str__(self):
        return f"{self.case_id}：{self.step_title}"

    def resolve(self, *, kind: str, note: str, by, still_missing: bool):
        """Resolve the remedy. 补正 only once the step is met (`still_missing` False, told by the caller that
        reads the documents); a 说明 only by a 局负责人 (行政机关负责人) with a written note."""
        if self.resolved_at is not None:
            raise TransitionRefused("该程序补救已处理。")
        if not (note or "").strip():
            raise TransitionRefused("请写明补救情况或依法无须该步骤的理由。")
        if kind == RemedyKind.CORRECTED and still_missing:
            raise TransitionRefused(f"“{self.step_title}”仍未补正（{self.article}）：请先签发相应文书。")
        if kind == RemedyKind.NOT_NEEDED and not by.has_role(Role.BUREAU_HEAD):
            raise TransitionRefused("说明依法无须该步骤，须经行政机关负责人（局负责人）批准。")
        if kind not in RemedyKind.values:
            raise TransitionRefused("请选择补救方式。")
        self.kind, self.note, self.resolved_by, self.resolved_at = kind, note.strip(), by, timezone.now()
        self._change_reason = f"cases.remedy.{kind}"
        self._history_user = by
        self.save(update_fields=["kind", "note", "resolved_by", "resolved_at"])
        record(
            f"cases.remedy.{kind}",
            obj=self.case,
            actor=by,
            detail={"remedy": self.pk, "step": self.step, "note": self.note},
        )
        return self
