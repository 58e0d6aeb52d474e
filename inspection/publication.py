"""Publication of an inspection's result (mixed into Inspection beside its lifecycle).

国发〔2019〕5号: the results of 双随机 (and, here, every planned) inspection are published on the public site within
20 working days of the result being formed — of the test report where samples were taken — a setting
(InspectionSettings.result_working_days); the due date is counted on the working-day calendar
(cases/calendar.py); the clock is a row of the deadline table (clocks.py, a deadline provider).

Redaction as for decisions (总局令第45号 第六条、第七条; 个人信息保护法): the text the officer writes is redacted
at publish() by the rules disclosure registers here (register_redactor — disclosure publishes, this app never
imports it): the names of natural persons the inspection's case records or the text names by role, ID
numbers, phones, home addresses ... Each redaction is logged on the inspection (public_redactions: where, what,
why), so the published text equals the written one apart from logged redactions. The open data, the Atom feed
and the credit export read Inspection.objects.published() through disclosure/inspection_results.py.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases import calendar

from .refusing import audited, refuse

# (inspection, text) -> (public text, [{"start", "end", "original", "replacement", "kind", "origin"}, ...]),
# positions in the written text. Registered by disclosure (DisclosureConfig.ready()).
_redactors: list = []


def register_redactor(func) -> None:
    if func not in _redactors:
        _redactors.append(func)


def redact(inspection, text: str) -> tuple[str, list[dict]]:
    """The public text and the redaction log of `text` (unchanged when no redactor is registered)."""
    log: list[dict] = []
    for func in _redactors:
        if log:
            raise RuntimeError("only one redactor may change an inspection's public text")
        text, log = func(inspection, text)
    return text, log


def _refuse(action, obj, by, problems):
    refuse(f"inspection.inspection.{action}", obj, problems)


class InspectionPublication:
    @property
    def publication_start(self) -> datetime.date | None:
        """The day the result counts as formed for publication: the test report's date where samples were
        taken (none yet: the clock has not started), else the result's date."""
        if not self.result_on:
            return None
        if self.samples_taken:
            return self.test_report_on
        return self.result_on

    def publication_due(self) -> datetime.date | None:
        """20 working days after the result is formed (国发〔2019〕5号; a setting), on the working-day calendar
        (cases/calendar.py: the start day is not counted, holidays and 调休 followed)."""
        from .models import InspectionSettings

        start = self.publication_start
        if start is None or not self.needs_publication:
            return None
        return calendar.add_working_days(start, InspectionSettings.current().result_working_days)

    def publication_overdue(self, today: datetime.date | None = None) -> bool:
        due = self.publication_due()
        if due is None:
            return False
        if self.published_at:
            return timezone.localdate(self.published_at) > due
        return (today or timezone.localdate()) > due

    @audited
    def publish(self, *, by, public_summary: str):
        """Publish the result on the public site. The officer's text is redacted by the rules of decisions
        (register_redactor) and the redactions are logged with it; the public reads the redacted text."""
        from .drawing import is_planner
        from .lifecycle import RESULT_STAGES
        from .models import PUBLISHED_KINDS

        with transaction.atomic():
            inspection = self._locked()
            problems = []
            if inspection.case is None or inspection.case.stage not in RESULT_STAGES:
                problems.append("检查结果形成后才能公示。")
            elif inspection.samples_taken and not inspection.test_report_on:
                problems.append("抽样检验的，检验报告出具后再公示检查结果。")
            if inspection.kind not in PUBLISHED_KINDS:
                problems.append(f"{inspection.get_kind_display()}的结果不在公示网站单独公示。")
            if inspection.published_at:
                problems.append("检查结果已公示。")
            if not public_summary.strip():
                problems.append("请填写公示内容。")
            if inspection.case is not None and not (inspection.case.may_work_on(by) or is_planner(by)):
                problems.append("您不能公示该检查结果。")
            if problems:
                _refuse("publish", inspection, by, problems)
            public_text, redactions = redact(inspection, public_summary.strip())
            inspection.public_summary, inspection.published_at = public_text, timezone.now()
            inspection.public_redactions = redactions
            inspection._change_reason = "inspection.inspection.published"
            inspection._history_user = by
            inspection.save(
                update_fields=["public_summary", "public_redactions", "published_at", "updated_at"]
            )
            due = inspection.publication_due()
            record(
                "inspection.inspection.published",
                obj=inspection,
                actor=by,
                detail={
                    "number": inspection.number,
                    "due": due.isoformat() if due else None,
                    "redactions": [{"kind": r["kind"], "origin": r["origin"]} for r in redactions],
                },
            )
        self.refresh_from_db()
        return self
