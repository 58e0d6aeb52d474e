"""recording's statutory clocks (recording/clocks.py) and the bureau head's approvals for 先行登记保存, 查封扣押
and its extension (recording/approvals.py), with time frozen over real holidays: 国庆节、中秋节 2025 (1–8
October off, Sunday 28 September and Saturday 11 October worked) and 春节 2026 (15–23 February off,
Saturday 14 and Saturday 28 February worked). Expected dates are derived by hand in the comments.

The clock tests record issued documents directly (issuing renders a PDF, which the clocks never read); the
approval tests issue real documents through Document.issue with every gate."""

import datetime
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine

from recording.models import Document, DocumentStatus
from tests.conftest import file_case
from tests.recording.early_factories import draft, link_video, valid_input
from wuding_enforcement.cases.deadlines import case_deadlines
from wuding_enforcement.cases.models import ApprovalKind, CasePause, PauseKind
from wuding_enforcement.cases.workflow import TransitionRefused

pytestmark = pytest.mark.django_db

D = datetime.date
TZ = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(day, hour=10, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def on(moment):
    return time_machine.travel(moment if isinstance(moment, datetime.datetime) else at(moment), tick=False)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def issued(case, key, *, by, day, data=None, act_date=None, hour=10, number=True):
    """An issued document of `key`, issued at `hour` on `day` (its PDF is not part of what clocks read)."""
    return Document.objects.create(
        case=case,
        doc_type=key,
        status=DocumentStatus.ISSUED,
        data=data or {},
        act_date=act_date,
        issued_at=at(day, hour),
        issued_by=by,
        number=f"武市监测{key}〔{day.year}〕{next(_numbers)}号" if number else None,
        pdf_sha256="0" * 64,
        created_by=by,
    )


def receipt(case, document, *, by, served_at):
    return issued(
        case,
        "service_receipt",
        by=by,
        day=served_at.date(),
        hour=served_at.hour,
        number=False,
        data={"served_document": document.pk, "served_at": served_at.isoformat(), "method": "direct"},
    )


def clocks(case, today, prefix):
    case.refresh_from_db()
    return [d for d in case_deadlines(case, today) if d.key.startswith(prefix)]


def clock(case, today, prefix):
    found = clocks(case, today, prefix)
    assert len(found) == 1, [d.key for d in found]
    return found[0]


def labels(deadline):
    return [p.label for p in deadline.skipped]


@pytest.fixture
def case_of_september(make_case, unit_head, bureau_head, officer):
    """Filed on Monday 1 September 2025, before 国庆节."""
    with on(D(2025, 9, 1)):
        case = make_case(lead_date=D(2025, 9, 1))
        return file_case(case, unit_head, bureau_head, officer)


@pytest.fixture
def case_of_february(make_case, unit_head, bureau_head, officer):
    """Filed on Monday 2 February 2026, before 春节."""
    with on(D(2026, 2, 2)):
        case = make_case(lead_date=D(2026, 2, 2))
        return file_case(case, unit_head, bureau_head, officer)


# --- 先行登记保存: 7 working days ---------------------------------------------------------------------------


def test_the_preservation_clock_skips_national_day_and_counts_the_adjusted_saturday(
    case_of_september, officer
):
    # Preserved from Tuesday 30 September 2025: 1–8 October are 国庆节、中秋节; 9 Oct = 1, 10 Oct = 2,
    # Saturday 11 Oct (调休) = 3, 13 = 4, 14 = 5, 15 = 6, 16 Oct = 7: decide by Thursday 16 October.
    with on(D(2025, 9, 30)):
        issued(
            case_of_september,
            "preservation_notice",
            by=officer,
            day=D(2025, 9, 30),
            act_date=D(2025, 9, 30),
            data={"start_on": "2025-09-30", "period_days": 7},
        )
    early = clock(case_of_september, D(2025, 10, 9), "preservation:")
    assert early.due == D(2025, 10, 16)
    assert early.unit == "工作日" and early.limit == 7
    assert labels(early) == ["国庆节、中秋节 2025年10月1日至10月8日"]
    # From Thursday 9 Oct: 10, 11 (调休), 13, 14, 15, 16 = 6 working days left.
    assert (early.status, early.remaining) == ("ok", 6)
    # From Tuesday 14 Oct: 15, 16 = 2 left → amber; on Friday 17 Oct it is late.
    assert clock(case_of_september, D(2025, 10, 14), "preservation:").status == "amber"
    late = clock(case_of_september, D(2025, 10, 17), "preservation:")
    assert late.status == "red" and late.overdue_by == 1


def test_the_preservation_clock_is_met_by_a_handling_document_and_not_by_another_record(
    case_of_september, officer
):
    with on(D(2025, 9, 30)):
        issued(
            case_of_september,
            "preservation_notice",
            by=officer,
            day=D(2025, 9, 30),
            data={"start_on": "2025-09-30", "period_days": 7},
        )
    with on(D(2025, 10, 10)):
        issued(case_of_september, "onsite_record", by=officer, day=D(2025, 10, 10), number=False)
    assert not clock(case_of_september, D(2025, 10, 10), "preservation:").is_met
    with on(D(2025, 10, 15)):
        # Sending the goods for testing is one of the ways of handling them (程序规定 第三十五条).
        issued(case_of_september, "testing_commission", by=officer, day=D(2025, 10, 15))
    met = clock(case_of_september, D(2025, 10, 20), "preservation:")
    assert met.status == "met" and met.met_on == D(2025, 10, 15)


# --- 查封扣押: 30 days, +30 with approval, testing excluded ------------------------------------------------


def test_a_seizure_ending_on_national_day_ends_on_the_next_working_day(case_of_september, officer):
    # From Monday 1 September 2025, 30 days end on Wednesday 1 October — 国庆节 — so the period ends on
    # the first working day after the holiday, Thursday 9 October.
    with on(D(2025, 9, 1)):
        issued(
            case_of_september,
            "coercion_decision",
            by=officer,
            day=D(2025, 9, 1),
            data={"start_on": "2025-09-01", "period_days": 30, "urgent": False},
        )
    seizure = clock(case_of_september, D(2025, 9, 2), "seizure:")
    assert seizure.due == D(2025, 10, 9)
    assert seizure.unit == "日" and seizure.limit == 30
    assert labels(seizure) == ["国庆节、中秋节 2025年10月1日至10月8日"]


def test_testing_time_is_not_counted_in_a_seizure(case_of_september, officer):
    # A testing period from 10 to 20 September covers 11–20 September: 10 days not counted. 1 September
    # + 40 days = Saturday 11 October 2025, an adjusted working day (调休): the period ends that day.
    with on(D(2025, 9, 1)):
        issued(
            case_of_september,
            "coercion_decision",
            by=officer,
            day=D(2025, 9, 1),
            data={"start_on": "2025-09-01", "period_days": 30},
        )
        CasePause.objects.create(
            case=case_of_september,
            kind=PauseKind.TESTING,
            start=D(2025, 9, 10),
            end=D(2025, 9, 20),
            created_by=officer,
        )
    seizure = clock(case_of_september, D(2025, 9, 25), "seizure:")
    assert seizure.paused_days == 10
    assert seizure.due == D(2025, 10, 11)


def test_an_open_testing_period_pauses_the_seizure_clock(case_of_september, officer):
    with on(D(2025, 9, 1)):
        issued(
            case_of_september, "coercion_decision", by=officer, day=D(2025, 9, 1), data={"period_days": 30}
        )
        CasePause.objects.create(
            case=case_of_september, kind=PauseKind.TESTING, start=D(2025, 9, 10), created_by=officer
        )
    # Open since 10 September: on 15 September, 5 days (11–15) are not counted and the clock shows paused.
    seizure = clock(case_of_september, D(2025, 9, 15), "seizure:")
    assert seizure.status == "paused" and seizure.paused_days == 5


def test_an_approved_extension_adds_thirty_days_and_a_release_meets_the_clock(
    case_of_september, officer, colleague
):
    with on(D(2025, 9, 1)):
        decision = issued(
            case_of_september,
            "coercion_decision",
            by=officer,
            day=D(2025, 9, 1),
            data={"start_on": "2025-09-01", "period_days": 30},
        )
    with on(D(2025, 9, 26)):
        issued(
            case_of_september,
            "coercion_extension",
            by=officer,
            day=D(2025, 9, 26),
            data={"decision_number": decision.number, "days": 30},
        )
        # Another seizure's extension does not extend this one.
        issued(
            case_of_september,
            "coercion_extension",
            by=officer,
            day=D(2025, 9, 26),
            data={"decision_number": "武市监强制〔2025〕999号", "days": 30},
        )
    # 1 September + 60 days = Friday 31 October 2025 (a working day).
    extended = clock(case_of_september, D(2025, 10, 9), "seizure:")
    assert extended.extended_by == 30
    assert extended.due == D(2025, 10, 31)
    assert extended.status == "ok"
    with on(D(2025, 10, 20)):
        issued(
            case_of_september,
            "coercion_release",
            by=officer,
            day=D(2025, 10, 20),
            data={"decision_number": decision.number, "released_on": "2025-10-20"},
        )
    released = clock(case_of_september, D(2025, 11, 5), "seizure:")
    assert released.status == "met" and released.met_on == D(2025, 10, 20)


# --- 紧急查封扣押: reported within 24 hours ----------------------------------------------------------------


def test_an_urgent_seizure_shows_24_hours_to_report_that_do_not_stop_for_the_holiday(
    case_of_september, officer, unit_head
):
    # Seized on the spot on Tuesday 30 September 2025 at 16:00: report by Wednesday 1 October 16:00, a
    # holiday — hours are not 日 and do not move to a working day (行政强制法 第十九条).
    with on(at(D(2025, 9, 30), 16, 30)):
        issued(
            case_of_september,
            "coercion_decision",
            by=officer,
            day=D(2025, 9, 30),
            hour=16,
            data={"urgent": True, "implemented_at": "2025-09-30T16:00:00+08:00", "period_days": 30},
        )
        fresh = clock(case_of_september, D(2025, 9, 30), "urgent_report:")
    assert fresh.status == "amber"
    assert fresh.due == D(2025, 10, 1)
    assert "2025年10月1日16时00分前" in fresh.name
    with on(at(D(2025, 10, 1), 15, 59)):
        assert clock(case_of_september, D(2025, 10, 1), "urgent_report:").status == "amber"
    with on(at(D(2025, 10, 1), 16, 1)):
        # The same calendar day as the due date, but the 24 hours are over: red.
        assert clock(case_of_september, D(2025, 10, 1), "urgent_report:").status == "red"
    with on(at(D(2025, 10, 1), 17)):
        case_of_september.request_approval(
            ApprovalKind.SEIZURE, by=officer, reason="9月30日当场扣押，现报告并补办批准手续。"
        )
        reported = clock(case_of_september, D(2025, 10, 1), "urgent_report:")
    assert reported.status == "met" and reported.met_on == D(2025, 10, 1)


def test_a_seizure_that_is_not_urgent_has_no_report_clock(case_of_september, officer):
    with on(D(2025, 9, 1)):
        issued(case_of_september, "coercion_decision", by=officer, day=D(2025, 9, 1), data={"urgent": False})
    assert clocks(case_of_september, D(2025, 9, 1), "urgent_report:") == []


# --- 陈述申辩 / 听证 within 5 working days of service ---------------------------------------------------


def test_the_statement_period_runs_five_working_days_from_the_service_of_the_notice(
    case_of_september, officer
):
    with on(D(2025, 9, 26)):
        notice = issued(
            case_of_september, "penalty_notice", by=officer, day=D(2025, 9, 26), data={"hearing_right": True}
        )
    # Not served yet: no clock.
    assert clocks(case_of_september, D(2025, 9, 27), "statement:") == []
    with on(at(D(2025, 9, 29), 9)):
        receipt(case_of_september, notice, by=officer, served_at=at(D(2025, 9, 29), 9))
    # Served Monday 29 September: 30 Sep = 1; 1–8 Oct holiday; 9 = 2, 10 = 3, Saturday 11 (调休) = 4,
    # Monday 13 October = 5.
    running = clock(case_of_september, D(2025, 10, 10), "statement:")
    assert running.start == D(2025, 9, 29)
    assert running.due == D(2025, 10, 13)
    assert running.name.startswith("陈述申辩、听证申请期限")
    assert labels(running) == ["国庆节、中秋节 2025年10月1日至10月8日"]
    assert (running.status, running.remaining) == ("amber", 2)  # 11 (调休) and 13 October
    # Once the period has run out the party's time is over: the clock is met on its last day.
    over = clock(case_of_september, D(2025, 10, 14), "statement:")
    assert over.status == "met" and over.met_on == D(2025, 10, 13)


def test_a_decision_made_on_the_partys_written_waiver_ends_the_statement_clock(case_of_september, officer):
    """The party waived its rights in writing (第六十二条) and the decision was made before the five working
    days ran out: the case's 陈述申辩 clock no longer runs (a decided case shows no open statement clock)."""
    with on(D(2025, 9, 26)):
        notice = issued(case_of_september, "penalty_notice", by=officer, day=D(2025, 9, 26))
    with on(at(D(2025, 9, 29), 9)):
        receipt(case_of_september, notice, by=officer, served_at=at(D(2025, 9, 29), 9))
    assert clock(case_of_september, D(2025, 9, 30), "statement:").status != "met"
    with on(D(2025, 9, 30)):
        issued(case_of_september, "penalty_decision", by=officer, day=D(2025, 9, 30))
    decided = clock(case_of_september, D(2025, 10, 9), "statement:")
    assert decided.status == "met" and decided.met_on == D(2025, 9, 30)


# --- 听证通知 served 7 working days before the hearing --------------------------------------------------


def test_the_hearing_notice_must_be_served_seven_working_days_before_the_hearing(case_of_february, officer):
    # Hearing on Friday 27 February 2026. Counting back 7 working days: 26 (1), 25 (2), 24 (3); 15–23
    # February is 春节; Saturday 14 (调休) (4), 13 (5), 12 (6), Wednesday 11 February (7): the latest day.
    with on(D(2026, 2, 9)):
        notice = issued(
            case_of_february,
            "hearing_notice",
            by=officer,
            day=D(2026, 2, 9),
            data={"hearing_at": "2026-02-27T09:00:00+08:00"},
        )
    due = clock(case_of_february, D(2026, 2, 9), "hearing_notice:")
    assert due.due == D(2026, 2, 11)
    assert due.name == "听证通知送达期限（2026年2月27日举行听证）"
    # The holidays this clock skips lie between the last day to serve and the hearing.
    assert labels(due) == ["春节 2026年2月15日至2月23日"]
    assert clock(case_of_february, D(2026, 2, 12), "hearing_notice:").status == "red"
    with on(at(D(2026, 2, 10), 15)):
        receipt(case_of_february, notice, by=officer, served_at=at(D(2026, 2, 10), 15))
    served = clock(case_of_february, D(2026, 2, 12), "hearing_notice:")
    assert served.status == "met" and served.met_on == D(2026, 2, 10)


# --- Service of the decision within 7 working days ----------------------------------------------------------


def test_the_decision_is_served_within_seven_working_days_over_spring_festival(case_of_february, officer):
    # Decided Thursday 12 February 2026: 13 = 1, Saturday 14 (调休) = 2; 15–23 春节; 24 = 3, 25 = 4,
    # 26 = 5, 27 = 6, Saturday 28 February (调休) = 7.
    with on(D(2026, 2, 12)):
        decision = issued(case_of_february, "penalty_decision", by=officer, day=D(2026, 2, 12))
    open_ = clock(case_of_february, D(2026, 2, 13), "service:")
    assert open_.due == D(2026, 2, 28)
    assert labels(open_) == ["春节 2026年2月15日至2月23日"]
    assert clock(case_of_february, D(2026, 3, 2), "service:").status == "red"
    with on(at(D(2026, 2, 26), 11)):
        receipt(case_of_february, decision, by=officer, served_at=at(D(2026, 2, 26), 11))
    served = clock(case_of_february, D(2026, 3, 2), "service:")
    assert served.status == "met" and served.met_on == D(2026, 2, 26)


def test_a_decision_handed_over_on_the_spot_meets_the_clock_that_day(case_of_february, officer):
    with on(D(2026, 2, 12)):
        decision = issued(case_of_february, "penalty_decision", by=officer, day=D(2026, 2, 12))
        receipt(case_of_february, decision, by=officer, served_at=at(D(2026, 2, 12), 10))
    served = clock(case_of_february, D(2026, 2, 12), "service:")
    assert served.met_on == D(2026, 2, 12) and served.remaining == 7


def test_drafts_and_corrected_documents_start_no_clock_of_their_own(case_of_february, officer):
    with on(D(2026, 2, 12)):
        Document.objects.create(case=case_of_february, doc_type="penalty_decision", created_by=officer)
        first = issued(case_of_february, "penalty_decision", by=officer, day=D(2026, 2, 12))
        correction = issued(case_of_february, "penalty_decision", by=officer, day=D(2026, 2, 12), hour=11)
        Document.objects.filter(pk=correction.pk).update(supersedes=first)
        # The receipt names the original: it still serves the decision the correction carries on.
        receipt(case_of_february, first, by=officer, served_at=at(D(2026, 2, 12), 15))
    [only] = clocks(case_of_february, D(2026, 2, 13), "service:")
    assert only.key == f"service:{correction.pk}" and only.is_met


def test_a_lead_has_none_of_these_clocks(make_case, officer):
    with on(D(2026, 2, 2)):
        lead = make_case(lead_date=D(2026, 2, 2))
    keys = [d.key for d in case_deadlines(lead, D(2026, 2, 3))]
    assert keys == ["filing"]


# --- The bureau head's approvals (real issuing, every gate) ---------------------------------------------

NOW = at(D(2026, 11, 25), 10)


@pytest.fixture
def filed_case(make_case, unit_head, bureau_head, officer):
    with on(NOW):
        case = make_case()
        return file_case(case, unit_head, bureau_head, officer)


def approve(case, kind, *, officer, unit_head, bureau_head, days=None):
    approval = case.request_approval(kind, by=officer, reason=f"申请{ApprovalKind(kind).label}。", days=days)
    approval.give_opinion(unit_head, agree=True, opinion="情况属实，拟同意。")
    approval.give_opinion(bureau_head, agree=True, opinion="同意。")
    return approval


def preservation_draft(case, officer, colleague):
    data, _ = valid_input("preservation_notice", case)
    return draft(
        case,
        "preservation_notice",
        data,
        by=officer,
        officers=[officer, colleague],
        act_date=D(2026, 11, 24),
        av_exemption="物品清点过程已由当事人签字确认，文字记录足以反映全过程。",
    )


def seizure_draft(case, officer, colleague, **changes):
    data, _ = valid_input("coercion_decision", case)
    data.update(changes)
    document = draft(case, "coercion_decision", data, by=officer, officers=[officer, colleague])
    document.act_date = D(2026, 11, 24)
    document.save(update_fields=["act_date"])
    link_video(document, by=officer)
    return document


def refusal(document, user):
    with pytest.raises(TransitionRefused) as refused:
        document.issue(by=user)
    return refused.value.messages


def test_a_preservation_notice_is_refused_until_the_bureau_head_approves(
    filed_case, officer, colleague, unit_head, bureau_head
):
    with on(NOW):
        notice = preservation_draft(filed_case, officer, colleague)
        assert any("先行登记保存须经局负责人批准" in m for m in refusal(notice, officer))
        # The unit head's opinion alone is not the approval: it still waits for the bureau head.
        pending = filed_case.request_approval(ApprovalKind.PRESERVATION, by=officer, reason="证据可能灭失。")
        pending.give_opinion(unit_head, agree=True, opinion="拟同意。")
        assert any("先行登记保存须经局负责人批准" in m for m in refusal(notice, officer))
        pending.give_opinion(bureau_head, agree=True, opinion="同意先行登记保存。")
        notice.issue(by=officer)
    notice.refresh_from_db()
    assert notice.status == DocumentStatus.ISSUED and notice.number


def test_a_seizure_is_refused_without_the_bureau_heads_approval_and_allowed_with_it(
    filed_case, officer, colleague, unit_head, bureau_head
):
    with on(NOW):
        seizure = seizure_draft(filed_case, officer, colleague)
        problems = refusal(seizure, officer)
        assert problems == [m for m in problems if "须经局负责人批准" in m] and len(problems) == 1
        approve(
            filed_case, ApprovalKind.SEIZURE, officer=officer, unit_head=unit_head, bureau_head=bureau_head
        )
        seizure.issue(by=officer)
    assert clocks(filed_case, D(2026, 11, 25), "urgent_report:") == []
    # 30 days from Tuesday 24 November 2026: Thursday 24 December.
    assert clock(filed_case, D(2026, 11, 25), "seizure:").due == D(2026, 12, 24)


def test_an_urgent_seizure_is_issued_at_once_then_must_be_reported_within_24_hours(
    filed_case, officer, colleague
):
    with on(NOW):
        seizure = seizure_draft(
            filed_case,
            officer,
            colleague,
            urgent="on",
            implemented_at="2026-11-25T09:00",
            start_on="2026-11-25",
        )
        seizure.issue(by=officer)
        report = clock(filed_case, D(2026, 11, 25), "urgent_report:")
    assert report.status == "amber" and "2026年11月26日09时00分前" in report.name
    with on(at(D(2026, 11, 26), 9, 30)):
        late = clock(filed_case, D(2026, 11, 26), "urgent_report:")
        assert late.status == "red"
        filed_case.request_approval(ApprovalKind.SEIZURE, by=officer, reason="当场扣押，补办批准手续。")
        assert clock(filed_case, D(2026, 11, 26), "urgent_report:").status == "met"


def test_an_extension_needs_the_bureau_heads_approval_of_the_extension(
    filed_case, officer, colleague, unit_head, bureau_head
):
    with on(NOW):
        approve(
            filed_case, ApprovalKind.SEIZURE, officer=officer, unit_head=unit_head, bureau_head=bureau_head
        )
        seizure = seizure_draft(filed_case, officer, colleague).issue(by=officer)
        data, _ = valid_input("coercion_extension", filed_case)
        data["decision_number"] = seizure.number
        extension = draft(filed_case, "coercion_extension", data, by=officer)
        assert any("延长查封、扣押期限须经局负责人批准" in m for m in refusal(extension, officer))
        approve(
            filed_case,
            ApprovalKind.SEIZURE_EXTENSION,
            officer=officer,
            unit_head=unit_head,
            bureau_head=bureau_head,
            days=30,
        )
        extension.issue(by=officer)
    # 24 November + 30 + 30 days = Saturday 23 January 2027, a rest day: Monday 25 January 2027.
    extended = clock(filed_case, D(2026, 11, 25), "seizure:")
    assert extended.extended_by == 30 and extended.due == D(2027, 1, 25)


def test_the_officer_asks_for_a_seizure_approval_from_the_recording_pages(
    client, filed_case, officer, outsider
):
    from django.urls import reverse

    from tests.conftest import login_as
    from wuding_enforcement.cases.models import Approval

    url = reverse("recording:coercion_approval_request", args=[filed_case.pk])
    login_as(client, outsider)
    assert client.post(url, {"kind": "seizure", "reason": "越权。"}).status_code == 404
    login_as(client, officer)
    refused = client.post(url, {"kind": "seizure_ext", "reason": "检验需要时间。", "days": "45"}, follow=True)
    assert "延长天数" in refused.content.decode()
    response = client.post(url, {"kind": "seizure", "reason": "当场扣押，补办批准手续。"}, follow=True)
    assert "已提交“查封扣押审批”" in response.content.decode()
    assert Approval.objects.filter(case=filed_case, kind=ApprovalKind.SEIZURE).count() == 1
