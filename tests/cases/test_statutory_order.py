"""The statutory order of each procedure path (docs/domain.md §6, cases/procedure.py), held by the domain: a
table of forbidden shortcuts, each tried through Case.advance() directly, through Document.issue() directly,
through the task and through the pages, and each refused with the missing step and its article."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from recording.models import Document
from tests.conftest import file_case, issued_row, login_as, walk_lawfully
from wuding_enforcement.cases import procedure
from wuding_enforcement.cases.models import ResponseKind
from wuding_enforcement.cases.models_procedure import PartyResponse, ProcedureRemedy, RemedyKind
from wuding_enforcement.cases.workflow import Procedure, Stage, TransitionRefused

pytestmark = pytest.mark.django_db
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
S = Stage
# Filed 11-02; concluded 11-04, notified 11-05, served 11-06 (Fri): the five working days run 11-09 … 11-13,
# so a decision may be made from 11-16.
DATES = {
    S.INVESTIGATING: datetime.date(2026, 11, 3),
    S.INVESTIGATION_CONCLUDED: datetime.date(2026, 11, 4),
    S.NOTIFIED: datetime.date(2026, 11, 5),
    S.STATEMENT: datetime.date(2026, 11, 6),
    S.DECIDED: datetime.date(2026, 11, 16),
    S.SERVED: datetime.date(2026, 11, 17),
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 30, 10, tzinfo=TZ)):
        yield


@pytest.fixture
def lead(make_case, officer, unit_head, bureau_head):
    def factory(**overrides):
        with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=TZ)):
            case = make_case(**overrides)
            file_case(case, unit_head, bureau_head, officer)
        return case

    return factory


@pytest.fixture
def walk(lead, officer, unit_head, bureau_head):
    def factory(to, **kwargs):
        return walk_lawfully(
            lead(), to, by=officer, unit_head=unit_head, bureau_head=bureau_head, dates=DATES, **kwargs
        )

    return factory


# --- Forbidden shortcuts through Case.advance() -----------------------------------------------------------


def _no_report(walk, officer):
    case = walk(S.INVESTIGATING)
    return case, S.INVESTIGATION_CONCLUDED, DATES[S.INVESTIGATION_CONCLUDED]


def _no_notice(walk, officer):
    case = walk(S.INVESTIGATION_CONCLUDED)
    return case, S.NOTIFIED, DATES[S.NOTIFIED]


def _notice_not_served(walk, officer):
    case = walk(S.NOTIFIED)
    return case, S.STATEMENT, DATES[S.STATEMENT]


def _period_running(walk, officer):
    case = walk(S.STATEMENT)
    issued_row(case, "decision_approval", by=officer)
    return case, S.DECIDED, datetime.date(2026, 11, 13)  # the 5th working day after service


def _statement_unanswered(walk, officer):
    case = walk(S.STATEMENT)
    issued_row(case, "decision_approval", by=officer)
    PartyResponse.record_for(
        case,
        kind=ResponseKind.STATEMENT,
        received_on=datetime.date(2026, 11, 9),
        content="罚款过重",
        by=officer,
    )
    return case, S.DECIDED, DATES[S.DECIDED]


def _hearing_not_held(walk, officer):
    case = walk(S.STATEMENT)
    issued_row(case, "decision_approval", by=officer)
    PartyResponse.record_for(
        case, kind=ResponseKind.HEARING_REQUEST, received_on=datetime.date(2026, 11, 10), content="要求听证",
        by=officer,
    )  # fmt: skip
    return case, S.DECIDED, DATES[S.DECIDED]


def _no_decision_approval(walk, officer):
    case = walk(S.STATEMENT)
    return case, S.DECIDED, DATES[S.DECIDED]


def _decision_not_served(walk, officer):
    case = walk(S.DECIDED)
    issued_row(
        case, "penalty_decision", by=officer, party=case.parties.first(), data={"penalty_types": ["fine"]}
    )
    return case, S.SERVED, DATES[S.SERVED]


def _transfer_without_its_letter(walk, officer):
    case = walk(S.INVESTIGATING)
    return case, S.TRANSFERRED, DATES[S.INVESTIGATING]


def _transfer_approved_late(walk, officer):
    case = walk(S.INVESTIGATING)
    issued_row(
        case, "crime_transfer", by=officer,
        data={"report_received_on": "2026-11-03", "approved_on": "2026-11-09", "approved_by": "李局长"},
    )  # fmt: skip
    return case, S.TRANSFERRED, datetime.date(2026, 11, 9)


def _date_backwards(walk, officer):
    case = walk(S.INVESTIGATION_CONCLUDED)
    issued_row(case, "penalty_notice", by=officer, party=case.parties.first())
    return case, S.NOTIFIED, datetime.date(2026, 11, 3)


def _heavier_than_notified(walk, officer):
    case = walk(S.STATEMENT)
    issued_row(case, "decision_approval", by=officer)
    Document.objects.create(
        case=case, doc_type="penalty_decision", party=case.parties.first(), created_by=officer,
        data={"penalty_types": ["fine", "confiscate_gains"], "fine_amount": "9000.00"},
    )  # fmt: skip
    return case, S.DECIDED, DATES[S.DECIDED]


SHORTCUTS = [
    # (path, the shortcut, what the refusal must name)
    ("ordinary", _no_report, "案件调查终结报告”（行政处罚法 第五十七条）"),
    ("ordinary", _no_notice, "行政处罚告知书”（行政处罚法 第四十四条）"),
    ("ordinary", _notice_not_served, "尚未送达"),
    ("ordinary", _period_running, "第六十二条"),
    ("ordinary", _statement_unanswered, "第四十五条"),
    ("hearing", _hearing_not_held, "第六十四条、第六十五条"),
    ("ordinary", _no_decision_approval, "行政处罚决定审批表"),
    ("ordinary", _decision_not_served, "第六十一条"),
    ("transfer", _transfer_without_its_letter, "国务院令第310号"),
    ("transfer", _transfer_approved_late, "3日内"),
    ("ordinary", _date_backwards, "日期不能倒流"),
    ("ordinary", _heavier_than_notified, "不得因当事人陈述、申辩而加重处罚"),
]


@pytest.mark.parametrize(("path", "shortcut", "names"), SHORTCUTS, ids=[s[1].__name__ for s in SHORTCUTS])
def test_advance_refuses_every_shortcut_naming_the_step_and_its_article(path, shortcut, names, walk, officer):
    case, target, day = shortcut(walk, officer)
    before = case.stage
    with pytest.raises(TransitionRefused) as refused:
        case.advance(target, actor=officer, on=day, reason="推进")
    assert any(names in message for message in refused.value.messages), refused.value.messages
    case.refresh_from_db()
    assert case.stage == before


# --- The lawful ways through ------------------------------------------------------------------------------


def test_a_lawful_case_walks_to_service(walk):
    case = walk(S.SERVED)
    assert case.stage == S.SERVED and case.decided_on == DATES[S.DECIDED]


def test_a_written_waiver_lets_the_decision_come_before_the_period_ends(walk, officer):
    case, target, day = _period_running(walk, officer)
    PartyResponse.record_for(
        case, kind=ResponseKind.WAIVER, received_on=datetime.date(2026, 11, 9), content="书面放弃", by=officer
    )
    with pytest.raises(TransitionRefused, match="不得早于"):
        case.advance(target, actor=officer, on=datetime.date(2026, 11, 6))
    case.advance(target, actor=officer, on=datetime.date(2026, 11, 10))
    assert case.stage == S.DECIDED


def test_an_answered_statement_and_a_withdrawn_hearing_let_the_decision_through(walk, officer):
    case, target, day = _hearing_not_held(walk, officer)
    statement = PartyResponse.record_for(
        case, kind=ResponseKind.STATEMENT, received_on=datetime.date(2026, 11, 9), content="初犯", by=officer
    )
    statement.record_answer(answer="不予采纳：事实清楚。", on=datetime.date(2026, 11, 12), by=officer)
    PartyResponse.record_for(
        case, kind=ResponseKind.HEARING_WITHDRAWN, received_on=datetime.date(2026, 11, 12), content="撤回",
        by=officer,
    )  # fmt: skip
    case.advance(target, actor=officer, on=day)
    assert case.stage == S.DECIDED


def test_a_hearing_held_with_record_and_report_lets_the_decision_through(walk, officer):
    case, target, day = _hearing_not_held(walk, officer)
    issued_row(case, "hearing_notice", by=officer, party=case.parties.first())
    issued_row(case, "hearing_record", by=officer, act_date=datetime.date(2026, 11, 12))
    with pytest.raises(TransitionRefused, match="听证报告"):
        case.advance(target, actor=officer, on=day)
    issued_row(case, "hearing_report", by=officer, act_date=datetime.date(2026, 11, 13))
    # What is left is the review: a decision after a hearing is a major decision (行政处罚法 第五十八条).
    with pytest.raises(TransitionRefused) as refused:
        case.advance(target, actor=officer, on=day)
    assert [m for m in refused.value.messages if "第五十八条" not in m] == []
    assert {procedure.Path.HEARING, procedure.Path.MAJOR} <= procedure.case_paths(case)


def test_a_no_penalty_case_is_decided_on_its_report_without_notice(walk, officer):
    case = walk(S.INVESTIGATION_CONCLUDED)
    Document.objects.create(case=case, doc_type="no_penalty_decision", created_by=officer, data={})
    issued_row(case, "decision_approval", by=officer)
    case.advance(S.DECIDED, actor=officer, on=DATES[S.NOTIFIED])
    assert procedure.case_paths(case) == {procedure.Path.NO_PENALTY}


def test_a_simple_procedure_decision_is_served_on_the_spot(make_case, officer, colleague):
    from tests.recording.test_simple_decision import DECISION

    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=TZ)):
        case = make_case(procedure=Procedure.SIMPLE, title="当场处罚：未亮照经营")
    # 送达 is made by the 当场行政处罚决定书 (the registry's 简易程序 step) handed to the party that day.
    with pytest.raises(TransitionRefused, match="当场行政处罚决定书"):
        case.advance(S.SERVED, actor=officer, on=datetime.date(2026, 11, 2))
    with time_machine.travel(datetime.datetime(2026, 11, 2, 11, tzinfo=TZ)):
        decision = Document.objects.create(
            case=case, doc_type="simple_decision", party=case.parties.first(), created_by=officer,
            act_date=datetime.date(2026, 11, 2), party_signature="pending", av_exemption="现场情况简单。",
            data={**DECISION, "notified": True, "penalty_types": ["warning"], "fine_amount": None,
                  "payment": "", "payment_bank": "", "remedy": ""},
        )  # fmt: skip
        decision.officers.set([officer, colleague])
        decision = decision.issue(by=officer)
        decision.record_party_signature(
            by=officer, outcome="signed", signed_at=datetime.datetime(2026, 11, 2, 10, 30, tzinfo=TZ)
        )
    with pytest.raises(TransitionRefused, match="第五十二条"):
        case.advance(S.SERVED, actor=officer, on=datetime.date(2026, 11, 3))
    case.advance(S.SERVED, actor=officer, on=datetime.date(2026, 11, 2))
    with pytest.raises(TransitionRefused, match="倒流"):
        case.advance(S.REPORTED, actor=officer, on=datetime.date(2026, 11, 1))
    case.advance(S.REPORTED, actor=officer, on=datetime.date(2026, 11, 4))
    assert case.stage == S.REPORTED


# --- Issuing directly, the task and the pages -------------------------------------------------------------


def _decision_draft(case, officer, decided_on="2026-11-13"):
    from tests.legal_review.conftest import proposal_data

    return Document.objects.create(
        case=case, doc_type="penalty_decision", party=case.parties.first(), created_by=officer,
        data=proposal_data(fine_amount="3000.00", decided_on=decided_on),
    )  # fmt: skip


def test_a_decision_cannot_be_issued_while_the_case_is_only_filed(walk, officer):
    case = walk(S.INVESTIGATING)
    draft = _decision_draft(case, officer)
    problems = draft.issue_problems(officer)
    assert any("只能在" in p and "立案" not in p.split("：")[1] for p in problems), problems
    with pytest.raises(TransitionRefused, match="不能签发“行政处罚决定书”"):
        draft.issue(by=officer)


def test_issuing_a_decision_directly_holds_the_statement_period(walk, officer):
    case = walk(S.STATEMENT)
    draft = _decision_draft(case, officer, decided_on="2026-11-13")
    with pytest.raises(TransitionRefused, match="第六十二条"):
        draft.issue(by=officer)
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.number


def test_the_task_gets_the_same_refusal(walk, officer):
    from legal_review.tasks import issue_decision

    case = walk(S.STATEMENT)
    draft = _decision_draft(case, officer)
    result = issue_decision(draft.pk, officer.pk)
    assert result["ok"] is False and any("第六十二条" in p for p in result["problems"])


def test_the_case_page_gets_the_same_refusal(client, walk, officer):
    case = walk(S.NOTIFIED)
    login_as(client, officer)
    response = client.post(
        reverse("cases:advance", args=[case.pk]),
        {"target": S.STATEMENT, "reason": "告知", "on": "2026-11-06"},
        follow=True,
    )
    case.refresh_from_db()
    assert case.stage == S.NOTIFIED
    assert "尚未送达" in response.content.decode()


@pytest.mark.parametrize("url", ["recording:document_issue", "legal_review:issue_decision"])
def test_each_issuing_page_gets_the_same_refusal(client, walk, officer, url):
    case = walk(S.INVESTIGATING)
    draft = _decision_draft(case, officer)
    login_as(client, officer)
    response = client.post(reverse(url, args=[case.pk, draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert "不能签发“行政处罚决定书”" in response.content.decode()


# --- The table and the cases already under way -----------------------------------------------------------


def test_every_ordinary_document_type_says_where_it_may_be_issued():
    from recording.doctypes import REGISTRY

    declared = {doc_type for (proc, doc_type) in procedure.all_issuing() if proc == Procedure.ORDINARY}
    ordinary = {k for k, t in REGISTRY.items() if not k.startswith("inspection_") and k != "simple_decision"}
    assert ordinary <= declared, ordinary - declared
    # 简易程序's own decision is declared for it alone (recording/order.py SIMPLE_ISSUING), at 当场决定.
    simple = {k: i.stages for (proc, k), i in procedure.all_issuing().items() if proc == Procedure.SIMPLE}
    assert simple["simple_decision"] == {S.ON_SPOT} and "penalty_decision" not in simple
    assert "simple_decision" not in declared


def test_every_path_has_its_steps_with_articles():
    rows = procedure.table()
    for path in procedure.Path:
        assert any(r["path"] == path.label for r in rows), path
    simple = [r for r in rows if r["path"] == procedure.Path.SIMPLE.label]
    assert [(r["step"], r["stage"], r["enters"]) for r in simple] == [("当场行政处罚决定书", "送达", True)]
    assert all(r["article"] and r["gate"] for r in rows)


def test_a_case_under_way_is_reported_and_a_bureau_head_note_lets_it_continue(
    walk, officer, bureau_head, monkeypatch
):
    from django.core.management import call_command

    from wuding_enforcement.cases import workflow

    case = walk(S.NOTIFIED)
    # A case that an older, looser order let into 陈述申辩 without its 告知书 being served.
    monkeypatch.setattr(
        workflow.gates,
        "_entries",
        [e for e in workflow.gates._entries if e.name != "recording.notice_served"],
    )
    case.advance(S.STATEMENT, actor=officer, on=DATES[S.STATEMENT])
    monkeypatch.undo()
    issued_row(case, "decision_approval", by=officer)
    with pytest.raises(TransitionRefused, match="尚未送达"):
        case.advance(S.DECIDED, actor=officer, on=DATES[S.DECIDED])
    call_command("report_procedure_gaps")
    remedy = ProcedureRemedy.objects.get(case=case, step="notice_served")
    assert "第四十四条" in remedy.article
    with pytest.raises(TransitionRefused, match="局负责人"):
        remedy.resolve(kind=RemedyKind.NOT_NEEDED, note="公告送达已生效", by=officer, still_missing=True)
    with pytest.raises(TransitionRefused, match="仍未补正"):
        remedy.resolve(kind=RemedyKind.CORRECTED, note="已补正", by=officer, still_missing=True)
    remedy.resolve(
        kind=RemedyKind.NOT_NEEDED, note="公告送达已于11月6日视为送达", by=bureau_head, still_missing=True
    )
    case.advance(S.DECIDED, actor=officer, on=DATES[S.DECIDED])
    assert case.stage == S.DECIDED
    call_command("report_procedure_gaps")
    assert not ProcedureRemedy.objects.open().filter(case=case, step="notice_served").exists()


def test_open_remedies_are_listed_on_the_supervision_dashboard(client, walk, officer, bureau_head):
    case = walk(S.INVESTIGATING)
    ProcedureRemedy.objects.create(
        case=case, step="lead_register", step_title="案件来源登记表", article="程序规定 第十八条",
        stage=case.stage, found_on=DATES[S.INVESTIGATING],
    )  # fmt: skip
    login_as(client, bureau_head)
    page = client.get(reverse("supervision:dashboard")).content.decode()
    assert "程序补救" in page and "案件来源登记表" in page and case.number in page


def test_the_responses_page_records_a_statement_and_its_answer(client, walk, officer):
    case = walk(S.STATEMENT)
    login_as(client, officer)
    client.post(
        reverse("cases:record_response", args=[case.pk]),
        {"kind": ResponseKind.STATEMENT, "received_on": "2026-11-09", "content": "初次违法，请求从轻"},
    )
    response = PartyResponse.objects.get(case=case)
    page = client.get(reverse("cases:responses", args=[case.pk])).content.decode()
    assert "初次违法" in page and "记录复核意见" in page
    client.post(
        reverse("cases:answer_response", args=[case.pk, response.pk]),
        {"answer": "部分采纳，从轻处罚。", "answered_on": "2026-11-12"},
    )
    response.refresh_from_db()
    assert response.answer == "部分采纳，从轻处罚。"


def test_only_a_bureau_head_approves_a_note_even_by_forged_post(client, walk, reviewer, bureau_head):
    case = walk(S.INVESTIGATING)
    remedy = ProcedureRemedy.objects.create(
        case=case, step="lead_register", step_title="案件来源登记表", article="程序规定 第十八条",
        stage=case.stage, found_on=DATES[S.INVESTIGATING],
    )  # fmt: skip
    url = reverse("supervision:remedy_resolve", args=[remedy.pk])
    for who in (reviewer, bureau_head):
        login_as(client, who)
        client.post(url, {"kind": RemedyKind.CORRECTED, "note": "已补正"})
        remedy.refresh_from_db()
        assert remedy.resolved_at is None  # the 登记表 is still not on file
    login_as(client, reviewer)
    page = client.post(url, {"kind": RemedyKind.NOT_NEEDED, "note": "无须"}, follow=True).content.decode()
    remedy.refresh_from_db()
    assert remedy.resolved_at is None and "局负责人" in page
    login_as(client, bureau_head)
    client.post(url, {"kind": RemedyKind.NOT_NEEDED, "note": "线索系移送而来，另有移送函在卷"})
    remedy.refresh_from_db()
    assert remedy.resolved_at is not None and remedy.resolved_by == bureau_head
