"""recording's part of the statutory order (docs/domain.md §6; the table lives in cases/procedure.py): which of
its documents make each stage, at which stages each may be issued, which paths its data puts a case on, and the
gates that hold the order — on Case.advance (every stage) and on Document.issue (every type).

The rules that read more than "a document of this type is issued" are gates of their own, registered here:
- 告知 served (送达回证) before 陈述申辩 (行政处罚法 第四十四条);
- the decision (entering 决定, issuing a 决定书): 告知书 served and its five working days run in full, or the
  party's written waiver (第六十二条); a hearing asked for in time held (笔录 and 听证报告), withdrawn or ended
  by the party's absence (第六十四、六十五条); every statement answered by 复核 and no heavier penalty than
  notified (第四十五条); the decision dated on or after all of these;
- 送达 of the decision recorded by a 送达回证 (第六十一条);
- 移送 approved by the bureau's 正职负责人 within 3 days of the report (国务院令第310号 第五条).
"""

import datetime

from django.utils import timezone

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases import procedure as order
from wuding_enforcement.cases.procedure import Issuing, Path, Step
from wuding_enforcement.cases.workflow import Procedure, Stage, TransitionContext
from wuding_enforcement.shared.chinese import cn_date

from .clocks import STATEMENT_DAYS, _served_on, current_issued, doc_day

S = Stage
P = Path
ALL_ORDINARY = frozenset({P.ORDINARY, P.HEARING, P.MAJOR, P.NO_PENALTY, P.NOT_FILED, P.TRANSFER})
DECIDED_PATHS = frozenset({P.ORDINARY, P.HEARING, P.MAJOR, P.NO_PENALTY})
PENALTY = frozenset({P.ORDINARY, P.HEARING, P.MAJOR})
GATE = "recording.documents_make_stage"
DECISION_GATE = "recording.decision_prerequisites"
PENALTY_DECISION_TYPES = ("penalty_decision",)
DECISION_TYPES = ("penalty_decision", "no_penalty_decision")
RECEIPT = "service_receipt"
SIMPLE_DECISION = "simple_decision"


def recording_steps() -> list[Step]:
    """The documents recording's types contribute to each path (docs/domain.md §6), in filing order."""
    return [
        Step("lead_register", "案件来源登记表", S.LEAD, ("lead_register",),
             "《市场监督管理行政处罚程序规定》第十八条", "recording.archive_completeness",
             paths=ALL_ORDINARY, enters=False, order=20),
        Step("filing_approval", "立案审批表", S.FILED, ("filing_approval",),
             "行政处罚法 第五十四条", "cases.approval_on_record（审批）/ recording.archive_completeness（审批表）",
             paths=ALL_ORDINARY - {P.NOT_FILED}, enters=False, order=30),
        Step("not_filing_approval", "不予立案审批表", S.NOT_FILED, ("not_filing_approval",),
             "《市场监督管理行政处罚程序规定》第二十条", "cases.approval_on_record",
             paths=frozenset({P.NOT_FILED}), enters=False, order=30),
        Step("investigation_report", "案件调查终结报告", S.INVESTIGATION_CONCLUDED, ("investigation_report",),
             "行政处罚法 第五十七条", GATE, paths=DECIDED_PATHS, order=40),
        Step("penalty_notice", "行政处罚告知书", S.NOTIFIED, ("penalty_notice",),
             "行政处罚法 第四十四条", GATE, paths=PENALTY, order=50),
        Step("notice_served", "行政处罚告知书的送达回证", S.STATEMENT, (receipt_of("penalty_notice"),),
             "行政处罚法 第四十四条", "recording.notice_served", paths=PENALTY, enters=False, order=55),
        Step("hearing_notice", "听证通知书", S.DECIDED, ("hearing_notice",),
             "行政处罚法 第六十四条", DECISION_GATE, paths=frozenset({P.HEARING}), enters=False, order=60),
        Step("hearing_record", "听证笔录", S.DECIDED, ("hearing_record",),
             "行政处罚法 第六十四条、第六十五条", DECISION_GATE, paths=frozenset({P.HEARING}), enters=False,
             order=61),
        Step("hearing_report", "听证报告", S.DECIDED, ("hearing_report",),
             "行政处罚法 第六十五条", DECISION_GATE, paths=frozenset({P.HEARING}), enters=False, order=62),
        Step("decision_approval", "行政处罚决定审批表", S.DECIDED, ("decision_approval",),
             "行政处罚法 第五十七条", GATE, paths=DECIDED_PATHS, order=70),
        Step("penalty_decision", "行政处罚决定书", S.SERVED, ("penalty_decision",),
             "行政处罚法 第五十九条", GATE, paths=PENALTY, order=10),
        Step("no_penalty_decision", "不予行政处罚决定书", S.SERVED, ("no_penalty_decision",),
             "行政处罚法 第五十七条第一款第（二）项", GATE, paths=frozenset({P.NO_PENALTY}), order=10),
        Step("decision_served", "决定书的送达回证", S.SERVED, tuple(receipt_of(t) for t in DECISION_TYPES),
             "行政处罚法 第六十一条", "recording.decision_served", paths=DECIDED_PATHS, enters=False, order=80),
        Step("crime_transfer", "涉嫌犯罪案件移送书", S.TRANSFERRED, ("crime_transfer",),
             "《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）第五条", "recording.transfer_approved",
             paths=frozenset({P.TRANSFER}), enters=False, order=85),
        Step("closing_approval", "结案审批表", S.CLOSED, ("closing_approval",),
             "《市场监督管理行政处罚程序规定》第七十二条", "cases.approval_on_record（审批）/ 组卷（审批表）",
             paths=ALL_ORDINARY - {P.NOT_FILED}, enters=False, order=90),
        # 简易程序: the decision made on the spot is the document that makes 送达 (handed over on the spot).
        Step("simple_decision", "当场行政处罚决定书", S.SERVED, ("simple_decision",),
             "行政处罚法 第五十一条、第五十二条", GATE, procedure=Procedure.SIMPLE, paths=frozenset({P.SIMPLE}),
             order=10),
    ]  # fmt: skip


OPEN = (
    frozenset(Stage.values)
    - {S.ARCHIVED, S.CLOSED, S.NOT_FILED, S.REPORTED, S.ON_SPOT}
    - {S.INSPECTION_APPROVED, S.INSPECTION_NOTIFIED, S.INSPECTED, S.INSPECTION_RESULT}
)
BEFORE_FILING = frozenset({S.LEAD, S.VERIFYING})
INVESTIGATION = BEFORE_FILING | {S.FILED, S.INVESTIGATING}
TO_TRANSFER = frozenset(
    {S.LEAD, S.VERIFYING, S.FILED, S.INVESTIGATING, S.INVESTIGATION_CONCLUDED, S.LEGAL_REVIEW, S.COLLECTIVE}
)
ISSUING = {
    "lead_register": BEFORE_FILING,
    "filing_approval": INVESTIGATION,
    "not_filing_approval": BEFORE_FILING | {S.NOT_FILED},
    "matter_approval": OPEN | {S.CLOSED},
    "onsite_record": INVESTIGATION,
    "inquiry_notice": INVESTIGATION,
    "inquiry_record": INVESTIGATION,
    "evidence_extraction": INVESTIGATION,
    "sampling_record": INVESTIGATION,
    "testing_commission": INVESTIGATION,
    "testing_period_notice": INVESTIGATION | {S.INVESTIGATION_CONCLUDED},
    "preservation_notice": INVESTIGATION,
    "coercion_decision": INVESTIGATION,
    "coercion_extension": OPEN,
    "coercion_release": OPEN,
    "investigation_report": frozenset({S.INVESTIGATING}),
    "penalty_notice": frozenset({S.INVESTIGATION_CONCLUDED}),
    "hearing_notice": frozenset({S.STATEMENT}),
    "hearing_record": frozenset({S.STATEMENT}),
    "hearing_report": frozenset({S.STATEMENT}),
    "decision_approval": frozenset({S.INVESTIGATION_CONCLUDED, S.STATEMENT, S.LEGAL_REVIEW, S.COLLECTIVE}),
    # Issuing the 决定书 makes the decision: after 陈述申辩 (and the review), under the decision gate below.
    "penalty_decision": frozenset({S.STATEMENT, S.LEGAL_REVIEW, S.COLLECTIVE, S.DECIDED}),
    "no_penalty_decision": frozenset(
        {S.INVESTIGATION_CONCLUDED, S.STATEMENT, S.LEGAL_REVIEW, S.COLLECTIVE, S.DECIDED}
    ),
    "address_confirmation": OPEN,
    "service_receipt": OPEN,
    "closing_approval": frozenset({S.SERVED, S.EXECUTING, S.CLOSED, S.TERMINATED, S.TRANSFERRED}),
    "crime_transfer": TO_TRANSFER | {S.TRANSFERRED},
}


# 简易程序 (行政处罚法 第五十一条、第五十二条): the 当场行政处罚决定书 (and a 现场笔录 of what was found) while the
# case is 当场决定; every other type belongs to the ordinary procedure (`issued_on_its_procedure`).
SIMPLE_ISSUING = {
    "simple_decision": frozenset({S.ON_SPOT}),
    "onsite_record": frozenset({S.ON_SPOT}),
}


def recording_issuing() -> list[Issuing]:
    from .doctypes import REGISTRY

    def title(key):
        return REGISTRY[key].title if key in REGISTRY else key

    return [Issuing(key, title(key), stages) for key, stages in ISSUING.items()] + [
        Issuing(key, title(key), stages, procedure=Procedure.SIMPLE) for key, stages in SIMPLE_ISSUING.items()
    ]


# --- What recording's data says about the case's path ------------------------------------------------------


def issued_documents(case) -> list:
    from .models import Document

    return current_issued(Document.objects.issued().filter(case=case))


def receipt_of(doc_type: str) -> str:
    """A step made by the 送达回证 of a document of `doc_type` (not by any 送达回证: the 告知书's receipt does not
    serve the 决定书). The marks `issued_marks` gives the case's receipts."""
    return f"{RECEIPT}:{doc_type}"


def issued_marks(documents) -> set[str]:
    """What the case's issued documents make, as the registry's steps name it: each issued type, and for each
    送达回证 the type of the document it serves (`receipt_of`), read from the receipt's data["served_document"]
    (older drafts: data["document"]). Pure over the list given (the officer's home passes prefetched rows)."""
    issued = [d for d in documents if d.status == "issued"]
    types = {d.pk: d.doc_type for d in issued}
    marks = set(types.values())
    for receipt in (d for d in issued if d.doc_type == RECEIPT):
        named = (receipt.data or {}).get("served_document", (receipt.data or {}).get("document"))
        try:
            served = types.get(int(named))
        except (TypeError, ValueError):
            served = None
        if served:
            marks.add(receipt_of(served))
    return marks


def issued_types(case) -> set[str]:
    """The case's issued documents as the registry's steps read them (`issued_marks`)."""
    from .models import Document

    return issued_marks(Document.objects.issued().filter(case=case).only("pk", "doc_type", "status", "data"))


def hearing_requested(responses) -> bool:
    from wuding_enforcement.cases.models import ResponseKind

    kinds = {r.kind for r in responses}
    return ResponseKind.HEARING_REQUEST in kinds and not kinds & {
        ResponseKind.HEARING_WITHDRAWN,
        ResponseKind.HEARING_ABSENT,
    }


def detect_paths(case):
    from .models import Document

    types = set(
        Document.objects.filter(case=case, superseded_by__isnull=True)
        .exclude(status="void")
        .values_list("doc_type", flat=True)
    )
    if hearing_requested(case.party_responses.all()) or "hearing_record" in types:
        yield P.HEARING
    if "no_penalty_decision" in types and "penalty_decision" not in types:
        yield P.NO_PENALTY
    if case.stage == S.TRANSFERRED or "crime_transfer" in types and case.stage in (S.CLOSED, S.ARCHIVED):
        yield P.TRANSFER


# --- The gates ---------------------------------------------------------------------------------------------


def documents_make_stage(ctx: TransitionContext):
    """A stage is entered only when the documents that make it are issued (docs/domain.md §6)."""
    case = ctx.case
    for step in order.missing_to_enter(case, ctx.target, issued_types(case), order.case_paths(case)):
        yield f"转入“{Stage(ctx.target).label}”前须签发“{step.title}”（{step.article}）。"


def issued_at_its_stage(document, user):
    """A document type is issued only at the stages where it belongs (a correction of an issued document
    records the same act and may follow at any open stage)."""
    if document.supersedes_id:
        return
    problem = order.issuing_problem(document.case, document.doc_type, document.doctype.title)
    if problem:
        yield problem


def notice_served(ctx: TransitionContext):
    """陈述申辩 begins with the 告知书's service (行政处罚法 第四十四条): a 送达回证 naming it, or the date another
    lawful service counts as made (the receipt records 公告送达/邮寄 with that date)."""
    if ctx.case.procedure != Procedure.ORDINARY or "notice_served" in order.waived_steps(ctx.case):
        return
    docs = issued_documents(ctx.case)
    notice = _latest(docs, "penalty_notice")
    if notice is None:
        return  # the table's own step (penalty_notice) says what is missing
    served = _served_on(_receipts(docs), notice)
    if served is None:
        yield (
            f"行政处罚告知书{notice.number or ''}尚未送达：请先签发记载送达日期的送达回证"
            "（行政处罚法 第四十四条）。"
        )
    elif ctx.on < served:
        yield f"陈述申辩阶段不能早于告知书送达之日（{cn_date(served)}）。"


def decision_problems(case, on: datetime.date) -> list[str]:
    """Why no decision may be made on `on` (行政处罚法 第四十四、四十五、六十二、六十四、六十五条); [] when it may.
    Applies to the penalty paths; a 不予行政处罚 case without a proposed penalty is decided on its report."""
    from wuding_enforcement.cases.models import ResponseKind

    if case.procedure != Procedure.ORDINARY or not order.case_paths(case) & PENALTY:
        return []
    waived = order.waived_steps(case)
    problems: list[str] = []
    docs = issued_documents(case)
    notice = _latest(docs, "penalty_notice")
    if notice is None:
        if "penalty_notice" not in waived:
            problems.append(
                "未告知当事人拟作出的行政处罚内容及事实、理由、依据和陈述申辩（听证）权利，不得作出行政处罚决定"
                "（行政处罚法 第四十四条、第六十二条）。"
            )
        return problems
    responses = list(case.party_responses.all())
    served = _served_on(_receipts(docs), notice)
    waiver = [r for r in responses if r.kind == ResponseKind.WAIVER]
    if served is None:
        if "notice_served" not in waived:
            problems.append(
                f"行政处罚告知书{notice.number or ''}尚未送达（须有记载送达日期的送达回证），不得作出决定"
                "（行政处罚法 第四十四条、第六十二条）。"
            )
        period_end = None
    else:
        period_end = calendar.add_working_days(served, STATEMENT_DAYS)
        if not waiver and on <= period_end and "statement_period" not in waived:
            problems.append(
                f"陈述、申辩（听证申请）期限自告知书送达之日（{cn_date(served)}）起五个工作日，至"
                f"{cn_date(period_end)}届满；期限届满前不得作出决定，当事人已陈述、申辩的亦同，书面放弃的除外"
                "（行政处罚法 第四十四条、第六十二条、第六十四条）。"
            )
    requests = [
        r
        for r in responses
        if r.kind == ResponseKind.HEARING_REQUEST and (period_end is None or r.received_on <= period_end)
    ]
    if requests and hearing_requested(responses) and "hearing" not in waived:
        held = {d.doc_type: d for d in docs if d.doc_type in ("hearing_record", "hearing_report")}
        missing = [title for key, title in (("hearing_record", "听证笔录"), ("hearing_report", "听证报告"))
                   if key not in held]  # fmt: skip
        if missing:
            problems.append(
                f"当事人于{cn_date(requests[0].received_on)}要求听证：须举行听证并签发"
                + "、".join(missing)
                + "，或记录当事人撤回听证申请、无正当理由不参加听证（行政处罚法 第六十四条、第六十五条）。"
            )
        for doc in held.values():
            if doc_day(doc) > on:
                problems.append(f"决定日期不得早于{doc.type_title}的日期（{cn_date(doc_day(doc))}）。")
    for response in responses:
        if response.received_on > on:
            problems.append(
                f"决定日期不得早于当事人{response.get_kind_display()}的日期（{cn_date(response.received_on)}）。"
            )
        if response.kind == ResponseKind.STATEMENT and "statements_answered" not in waived:
            if not response.answer:
                problems.append(
                    f"当事人于{cn_date(response.received_on)}提出的陈述、申辩尚未复核并记录采纳情况"
                    "（行政处罚法 第四十五条）。"
                )
            elif response.answered_on and response.answered_on > on:
                problems.append(f"决定日期不得早于复核日期（{cn_date(response.answered_on)}）。")
    proposal = _proposal(case)
    if proposal is not None and "not_heavier" not in waived:
        heavier = heavier_than_notified(notice.data or {}, proposal.data or {})
        if heavier:
            problems.append(
                f"拟作出的处罚重于告知书告知的处罚（{heavier}）：不得因当事人陈述、申辩而加重处罚；"
                "发现新的事实的，须重新告知（行政处罚法 第四十五条）。"
            )
    return problems


def heavier_than_notified(notice: dict, proposal: dict) -> str:
    """What the proposed decision adds to the 告知书 (penalty types, higher amounts), or ""."""
    from decimal import Decimal, InvalidOperation

    def amount(data, key):
        try:
            return Decimal(str(data.get(key) or "0"))
        except InvalidOperation:
            return Decimal("0")

    found = []
    notified = set(notice.get("penalty_types") or [])
    added = set(proposal.get("penalty_types") or []) - notified
    if notified:
        # 警告 is the lightest penalty (行政处罚法 第九条): putting it in place of a notified one is not heavier.
        added.discard("warning")
    if added:
        from wuding_enforcement.shared.penalties import PENALTY_LABELS

        found.append("增加" + "、".join(PENALTY_LABELS.get(t, t) for t in sorted(added)))
    for key, label in (
        ("fine_amount", "罚款"),
        ("confiscated_gains", "没收违法所得"),
        ("confiscated_property_value", "没收非法财物价值"),
    ):
        if amount(proposal, key) > amount(notice, key):
            found.append(f"{label}高于告知的{amount(notice, key):.2f}元")
    return "；".join(found)


def decision_gate(ctx: TransitionContext):
    yield from decision_problems(ctx.case, ctx.on)


def decision_document_gate(document, user):
    """Issuing a 决定书 is making the decision: the same prerequisites, on the date it states."""
    if document.supersedes_id:
        return
    decided = _as_date(document.data.get("decided_on")) or timezone.localdate()
    yield from decision_problems(document.case, decided)
    if document.case.decided_on and decided < document.case.decided_on:
        yield f"决定书的决定日期不得早于案件转入“决定”的日期（{cn_date(document.case.decided_on)}）。"


def decision_served(ctx: TransitionContext):
    """送达 (行政处罚法 第六十一条): the decision is served, recorded by a 送达回证, on or before the day entered."""
    if ctx.case.procedure != Procedure.ORDINARY or "decision_served" in order.waived_steps(ctx.case):
        return
    docs = issued_documents(ctx.case)
    decision = next((d for d in reversed(docs) if d.doc_type in DECISION_TYPES), None)
    if decision is None:
        return  # the table's step (penalty_decision / no_penalty_decision) names it
    served = _served_on(_receipts(docs), decision)
    if served is None:
        yield f"{decision.type_title}{decision.number or ''}尚未送达：请先签发送达回证（行政处罚法 第六十一条）。"
    elif ctx.on < served:
        yield f"送达阶段的日期不能早于送达回证记载的送达日期（{cn_date(served)}）。"


def transfer_approved(ctx: TransitionContext):
    """移送 of a filed case: the 涉嫌犯罪案件移送书 issued, approved by the bureau's 正职负责人 within 3 days of
    the report (《行政执法机关移送涉嫌犯罪案件的规定》国务院令第310号 第五条). A lead not yet filed may be handed
    to another agency with its reason (cases.reason_required)."""
    case = ctx.case
    if case.filed_on is None or "crime_transfer" in order.waived_steps(case):
        return
    transfer = _latest(issued_documents(case), "crime_transfer")
    if transfer is None:
        yield "移送涉嫌犯罪案件须先签发涉嫌犯罪案件移送书（国务院令第310号 第五条、第八条）。"
        return
    yield from transfer_problems(transfer.data or {})


def transfer_problems(data: dict):
    received, approved = _as_date(data.get("report_received_on")), _as_date(data.get("approved_on"))
    if received and approved and (approved - received).days > 3:
        yield (
            f"移送须由本局正职负责人自接到报告之日起3日内批准（国务院令第310号 第五条）："
            f"{cn_date(received)}接到报告，{cn_date(approved)}才批准。"
        )


def transfer_document_gate(document, user):
    yield from transfer_problems(document.data or {})


# --- 简易程序 (行政处罚法 第五十一条、第五十二条) ------------------------------------------------------------


def issued_on_its_procedure(document, user):
    """A document belongs to its procedure: a 简易程序 case issues only the types the registry declares for it
    (the 当场行政处罚决定书, not the ordinary 行政处罚决定书), and a type declared for 简易程序 alone is never issued
    on another procedure's case."""
    rules = order.all_issuing()
    procedure, key = document.case.procedure, document.doc_type
    if (procedure, key) in rules:
        return
    declared = {p for p, k in rules if k == key}
    title = document.doctype.title
    if procedure == Procedure.SIMPLE and declared:
        yield (
            f"简易程序（当场处罚）案件不能签发“{title}”：当场处罚以“当场行政处罚决定书”作出"
            "（行政处罚法 第五十一条、第五十二条）。"
        )
    elif declared == {Procedure.SIMPLE}:
        yield (
            f"“{title}”只适用于简易程序（当场处罚）；本案为{Procedure(procedure).label}案件，"
            "应当按该程序制作决定书（行政处罚法 第五十一条）。"
        )


def simple_decision_gate(document, user):
    """The 第五十一条 limits (warning, or a fine up to the RuleSettings limit for the party), 当场收缴 only where
    第六十八条 allows it, and the decision dated on the day the case was decided on the spot (第五十二条)."""
    from .doctypes.simple import penalty_problems

    yield from penalty_problems(document.data or {}, document.party)
    case = document.case
    if document.act_date and case.decided_on and document.act_date != case.decided_on:
        yield (
            f"当场行政处罚决定书须当场作出：当场处罚日期应为本案当场处罚之日（{cn_date(case.decided_on)}），"
            f"不能是{cn_date(document.act_date)}（行政处罚法 第五十二条）。"
        )


def simple_decision_delivered(ctx: TransitionContext):
    """第五十二条: the decision is handed to the party on the spot — its receipt (the party's signature, or the
    refusal noted with a witness) recorded, on the day of the decision."""
    case = ctx.case
    if case.procedure != Procedure.SIMPLE or SIMPLE_DECISION in order.waived_steps(case):
        return
    decision = _latest(issued_documents(case), SIMPLE_DECISION)
    if decision is None:
        return  # the table's step (simple_decision) names it
    if decision.party_signature not in ("signed", "refused"):
        yield (
            f"当场行政处罚决定书{decision.number or ''}应当当场交付当事人：请先记录当事人签收，"
            "或当事人拒绝签收的情况及见证人（行政处罚法 第五十二条）。"
        )
    elif decision.party_signed_at and timezone.localtime(decision.party_signed_at).date() != ctx.on:
        yield (
            f"当场行政处罚决定书的签收（拒签）日期为{cn_date(timezone.localtime(decision.party_signed_at).date())}，"
            "与送达日期不一致：应当当场交付当事人（行政处罚法 第五十二条）。"
        )


# --- helpers ---


def _latest(docs, doc_type):
    return next((d for d in reversed(docs) if d.doc_type == doc_type), None)


def _receipts(docs):
    return [d for d in docs if d.doc_type == "service_receipt"]


def _proposal(case):
    from .models import Document

    return (
        Document.objects.filter(case=case, doc_type="penalty_decision", superseded_by__isnull=True)
        .exclude(status="void")
        .order_by("-pk")
        .first()
    )


def _as_date(value):
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def register():
    from wuding_enforcement.cases.workflow import register_gate

    from .gates import register_document_gate

    order.declare_steps(recording_steps, name="recording.steps")
    order.declare_issuing(recording_issuing, name="recording.issuing")
    order.declare_path_detector(detect_paths, name="recording.paths")
    register_gate(documents_make_stage, name=GATE)
    register_gate(notice_served, targets=[S.STATEMENT], name="recording.notice_served")
    register_gate(decision_gate, targets=[S.DECIDED], name=DECISION_GATE)
    register_gate(decision_served, targets=[S.SERVED], name="recording.decision_served")
    register_gate(transfer_approved, targets=[S.TRANSFERRED], name="recording.transfer_approved")
    register_document_gate(issued_at_its_stage, name="recording.issued_at_its_stage")
    register_document_gate(issued_on_its_procedure, name="recording.issued_on_its_procedure")
    register_document_gate(
        simple_decision_gate, doc_types=[SIMPLE_DECISION], name="recording.simple_penalty_limits"
    )
    register_gate(simple_decision_delivered, targets=[S.SERVED], name="recording.simple_decision_delivered")
    register_document_gate(decision_document_gate, doc_types=PENALTY_DECISION_TYPES, name=DECISION_GATE)
    register_document_gate(
        transfer_document_gate, doc_types=["crime_transfer"], name="recording.transfer_approved"
    )


def procedure_gaps(case) -> list[Step]:
    """The steps a case under way lacks for the stages it has already reached (the report of cases the order
    would strand; a remedy is opened for each)."""
    return order.missing_in_file(case, issued_types(case), order.case_paths(case))


def remedy_still_missing(remedy) -> bool:
    """Whether the step a remedy is about is still missing (补正 is accepted only once it is not)."""
    return any(step.key == remedy.step for step in procedure_gaps(remedy.case))
