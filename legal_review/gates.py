"""The gate (docs/domain.md §3, "Without a passed review, no decision is made"): no decision of a major case until the latest review round is 同意, the required 集体讨论 is
concluded, and the proposed decision has not changed since (行政处罚法 第五十七条、第五十八条). Registered
into the shared case (Case.advance) and into document issuing (Document.issue) from LegalReviewConfig.ready:
every path — pages, admin, model methods, tasks — goes through one of those two methods."""

from django.utils import timezone

from wuding_enforcement.cases.deadlines import WORKING_DAYS, make_deadline
from wuding_enforcement.cases.workflow import Stage, TransitionContext

from .criteria import DECISION_TYPES, hash_documents, major_status, proposal_documents

REVIEW_BASIS = "《行政处罚法》第五十八条；法制审核期限为规则参数“法制审核期限（工作日）”"


def review_problems(case, documents=None, status=None) -> list[str]:
    """Why the review does not (yet) let a decision through; [] when it does or the case is not major."""
    from .models import CollectiveConclusion, RoundStatus

    documents = proposal_documents(case) if documents is None else documents
    status = status or major_status(case, documents)
    if not status.is_major:
        return []
    latest = case.review_rounds.order_by("-number").first()
    if latest is None:
        why = "；".join([m.criterion.name for m in status.matches] + [f.criterion.name for f in status.flags])
        return [f"本案属于重大执法决定（{why}），未经法制审核不得作出决定（行政处罚法 第五十八条）。"]
    if latest.is_open:
        return [f"第{latest.number}轮法制审核尚未完成，不得作出决定（行政处罚法 第五十八条）。"]
    if latest.status != RoundStatus.APPROVED:
        return [
            f"最近一轮（第{latest.number}轮）法制审核结论为“{latest.get_status_display()}”，"
            "审核未通过不得作出决定（行政处罚法 第五十八条）。"
        ]
    heard = hearing_report_day(case)
    if heard is not None and latest.decided_on and latest.decided_on < heard:
        return [
            f"本案举行了听证：法制审核须在听证报告（{heard:%Y-%m-%d}）之后进行，"
            "请就听证后的拟决定重新送审（行政处罚法 第五十八条、第六十五条）。"
        ]
    current = hash_documents(documents)
    if current != latest.approved_hash:
        return ["法制审核同意后，拟作出的决定已被修改：须重新送审法制审核。"]
    if status.requires_collective:
        discussion = latest.discussions.order_by("-recorded_at").first()
        if discussion is None:
            return [
                "本案属于情节复杂或者重大违法行为（"
                + "；".join(status.collective_reasons)
                + "），须经局负责人集体讨论决定（行政处罚法 第五十七条）。"
            ]
        if discussion.conclusion != CollectiveConclusion.AGREE or discussion.proposal_hash != current:
            return [
                f"集体讨论的结论为“{discussion.get_conclusion_display()}”，拟作出的决定须依结论修改并重新送审。"
            ]
    return []


def hearing_report_day(case):
    """The day of the case's issued 听证报告 (recording's document), or None."""
    from recording.clocks import doc_day
    from recording.models import Document

    report = (
        Document.objects.issued().filter(case=case, doc_type="hearing_report").order_by("-issued_at").first()
    )
    return doc_day(report) if report else None


def decision_date_problems(case, on) -> list[str]:
    """The decision's date is never before the review that let it through nor the 集体讨论 (第五十七、五十八条)."""
    latest = case.review_rounds.order_by("-number").first()
    if latest is None or latest.decided_on is None:
        return []
    problems = []
    if on < latest.decided_on:
        problems.append(
            f"决定日期不得早于法制审核同意之日（{latest.decided_on:%Y-%m-%d}；行政处罚法 第五十八条）。"
        )
    discussion = latest.discussions.order_by("-recorded_at").first()
    if discussion is not None and on < discussion.held_on:
        problems.append(
            f"决定日期不得早于集体讨论之日（{discussion.held_on:%Y-%m-%d}；行政处罚法 第五十七条）。"
        )
    return problems


def approval_problems(case) -> list[str]:
    """For 集体讨论: the review passed and nothing changed since (the discussion itself comes next)."""
    from .models import RoundStatus

    latest = case.review_rounds.order_by("-number").first()
    if latest is None or latest.status != RoundStatus.APPROVED:
        return ["集体讨论须在法制审核同意之后进行（行政处罚法 第五十七条、第五十八条）。"]
    if proposal_hash_now(case) != latest.approved_hash:
        return ["法制审核同意后，拟作出的决定已被修改：须重新送审法制审核。"]
    return []


def proposal_hash_now(case) -> str:
    return hash_documents(proposal_documents(case))


def case_gate(ctx: TransitionContext):
    """Case.advance: 法制审核 only through 送审 (an open round); 集体讨论 only after approval; 决定 only with
    a passed review and, where required, a concluded 集体讨论."""
    case = ctx.case
    if ctx.target == Stage.LEGAL_REVIEW:
        if not case.review_rounds.open().exists():
            yield "转入法制审核须通过“送审”提交送审材料。"
    elif ctx.target == Stage.COLLECTIVE:
        yield from approval_problems(case)
    elif ctx.target == Stage.DECIDED:
        problems = review_problems(case)
        yield from problems or decision_date_problems(case, ctx.on)


def document_gate(document, user):
    """Document.issue: a decision document of a major case cannot be issued (numbered, printed, served,
    published) before the review lets it through."""
    problems = review_problems(document.case)
    if problems:
        yield from problems
        return
    decided = document.data.get("decided_on")
    if decided:
        import datetime

        yield from decision_date_problems(document.case, datetime.date.fromisoformat(str(decided)[:10]))


def review_steps():
    """legal_review's steps of the statutory order (cases/procedure.py): the 法制审核意见书 of a major case and
    the 集体讨论记录 where 第五十七条 requires one, both before the decision (held by legal_review.review_passed)."""
    from wuding_enforcement.cases.procedure import Path, Step

    return [
        Step("review_opinion", "法制审核意见书", Stage.DECIDED, ("review_opinion",), "行政处罚法 第五十八条",
             "legal_review.review_passed", paths=frozenset({Path.MAJOR}), enters=False, order=75),
        Step("collective_record", "集体讨论记录", Stage.DECIDED, ("collective_record",), "行政处罚法 第五十七条",
             "legal_review.review_passed", paths=frozenset({Path.COLLECTIVE}), enters=False, order=76),
    ]  # fmt: skip


def review_issuing():
    from wuding_enforcement.cases.procedure import Issuing

    stages = frozenset(
        {Stage.INVESTIGATING, Stage.INVESTIGATION_CONCLUDED, Stage.STATEMENT, Stage.LEGAL_REVIEW,
         Stage.COLLECTIVE, Stage.DECIDED}
    )  # fmt: skip
    return [
        Issuing("review_opinion", "法制审核意见书", stages),
        Issuing("collective_record", "集体讨论记录", stages),
    ]


def detect_paths(case):
    """A major case (法制审核) and one whose 集体讨论 is mandatory (第五十七条)."""
    from wuding_enforcement.cases.procedure import Path

    status = major_status(case)
    if status.is_major:
        yield Path.MAJOR
        if status.requires_collective:
            yield Path.COLLECTIVE


def review_deadline(case, today):
    """The review's time limit: due within RuleSettings.review_working_days of submission (shown on the
    case page with the other deadlines). Only cases under review carry one, to keep list pages cheap."""
    if case.stage not in (Stage.LEGAL_REVIEW, Stage.COLLECTIVE):
        return []
    # Reads the prefetched rounds (registered below), so list pages cost no query per case.
    latest = max(case.review_rounds.all(), key=lambda r: r.number, default=None)
    if latest is None:
        return []
    limit = max(1, len_working(latest))
    return [
        make_deadline(
            key="legal_review",
            name=f"法制审核期限（第{latest.number}轮）",
            basis=REVIEW_BASIS,
            start=latest.submitted_on,
            due=latest.due_on,
            unit=WORKING_DAYS,
            limit=limit,
            today=today or timezone.localdate(),
            met_on=latest.decided_on,
        )
    ]


def len_working(review_round) -> int:
    from wuding_enforcement.cases import calendar

    return calendar.working_days_between(review_round.submitted_on, review_round.due_on)


def register():
    from recording.gates import register_document_gate
    from wuding_enforcement.cases.deadlines import register_deadline_provider
    from wuding_enforcement.cases.workflow import register_gate

    register_gate(
        case_gate,
        targets=[Stage.LEGAL_REVIEW, Stage.COLLECTIVE, Stage.DECIDED],
        name="legal_review.review_passed",
    )
    register_document_gate(document_gate, doc_types=DECISION_TYPES, name="legal_review.review_passed")
    from wuding_enforcement.cases import procedure

    procedure.declare_steps(review_steps, name="legal_review.steps")
    procedure.declare_issuing(review_issuing, name="legal_review.issuing")
    procedure.declare_path_detector(detect_paths, name="legal_review.paths")
    register_deadline_provider(
        review_deadline, name="legal_review.review_deadline", prefetch=["review_rounds"]
    )
