"""Demo data of legal review (demo mode only, called from demo/seeding.py): the discretion
benchmarks, the review steps of the bureau's demo cases, and major cases in every review state — waiting,
returned with problems, resubmitted, approved with its 法制审核意见书 PDF, refused, and one settled by 集体讨论.
Everything goes through the domain API (submit, assign, decide, hold), never by writing a status."""

from django.utils import timezone

from legal_review import package as packaging
from legal_review import prechecks
from legal_review.benchmarks import load_benchmarks
from legal_review.models import (
    CollectiveConclusion,
    CollectiveDiscussion,
    MajorCriterion,
    MajorFlag,
    ReviewRound,
    RoundStatus,
)
from recording.doctypes import REGISTRY
from recording.doctypes.decision import matter_bases
from recording.models import Document
from wuding_enforcement.cases.models import LeadSource, PartyKind, PowerItem
from wuding_enforcement.cases.workflow import Stage

FACTS = (
    "经查，当事人于{month}月期间销售涉案商品，执法人员现场检查时发现上述情况并依法制作现场笔录、提取证据。"
)


def _proposal(case, fine: str, **extra) -> dict:
    data = dict(REGISTRY["penalty_decision"].initial(case))
    data.update(
        facts=FACTS.format(month=case.lead_date.month),
        evidence="现场笔录、询问笔录、进货单据复印件、现场照片。",
        violation_type=case.title.removeprefix("涉嫌").removesuffix("案"),
        # The matter's own articles, as the powers catalogue keeps them apart (never a placeholder).
        **matter_bases(case),
        discretion="ordinary",
        discretion_reason="当事人无从轻、减轻或从重处罚情节，按一般处罚阶次裁量。",
        statements_answer="当事人在法定期限内未提出陈述、申辩意见。",
        penalty_types=["fine"],
        fine_amount=fine,
        performance="自收到本决定书之日起十五日内缴纳罚款。",
        performance_deadline_days=15,
        # Decided the day the demo is seeded: after the 告知, its service and the party's written waiver.
        decided_on=timezone.localdate().isoformat(),
    )
    data.update(extra)
    return data


def prepare_package(case, actor, *, fine="150000.00", **extra):
    """Draft documents a submission needs (recording's demo may later issue its own records)."""
    party = case.parties.first()
    officers = [a.officer for a in case.assignments.select_related("officer")]
    if not Document.objects.filter(case=case, doc_type="onsite_record").exists():
        onsite = Document.objects.create(
            case=case,
            doc_type="onsite_record",
            act_date=case.filed_on or case.lead_date,
            av_exemption="现场检查过程简单，文字记录和照片足以全面记录。",
            data={"place": party.address if party else "", "findings": case.lead_summary or case.title},
            created_by=actor,
        )
        onsite.officers.set(officers[:2])
    if not Document.objects.filter(case=case, doc_type="investigation_report").exists():
        Document.objects.create(
            case=case,
            doc_type="investigation_report",
            data={"facts": FACTS.format(month=case.lead_date.month), "opinion": "建议依法给予行政处罚。"},
            created_by=actor,
        )
    if not Document.objects.filter(case=case, doc_type="penalty_decision").exists():
        Document.objects.create(
            case=case,
            doc_type="penalty_decision",
            party=party,
            data=_proposal(case, fine, **extra),
            created_by=actor,
        )


def _approve(review_round, reviewer, today, *, problems=None, outcome=RoundStatus.APPROVED, opinion="同意。"):
    points = dict.fromkeys(range(1, 8), ("pass", ""))
    for point, comment in (problems or {}).items():
        points[point] = ("problem", comment)
    # A point the system's pre-check flags is passed only with a written reason, printed in the 意见书 and
    # counted on the supervision dashboard (ReviewRound.decide): the demo says why, plainly.
    case = review_round.case
    checks = prechecks.run(case, packaging.build(case), base_amount=review_round.base_amount, today=today)
    reasons = {
        point: "演示数据：系统预审提示的事项已由审核人员查阅纸质卷宗核实。"
        for point in prechecks.problems_by_point(checks)
        if points[point][0] == "pass"
    }
    review_round.decide(
        by=reviewer,
        outcome=outcome,
        opinion=opinion,
        points=points,
        override_reasons=reasons,
        confirm_overrides=True,
        on=today,
    )


def demo_step(case, target, *, actor, reviewer, approver, reason, today, decide_on=None, proposal=None):
    """The review-related steps of a demo case's path: 法制审核 by submitting, 集体讨论 and 决定 after the
    reviewer's approval. `decide_on`: the day the case will be decided, written into the proposed decision
    the reviewer approves (a decision is never dated before its review); `proposal`: other fields of it."""
    if target == Stage.LEGAL_REVIEW:
        extra = dict(proposal or {})
        if decide_on:
            extra["decided_on"] = decide_on.isoformat()
        prepare_package(case, actor, **extra)
        ReviewRound.submit(case, by=actor, confirmed=True, note=reason, on=today)
        return
    latest = case.review_rounds.order_by("-number").first()
    if latest is not None and latest.is_open:
        if latest.reviewer_id is None:
            latest.assign(reviewer, by=approver, on=today)
        _approve(
            latest, reviewer, today, opinion="事实清楚，证据充分，适用法律正确，裁量适当，程序合法，同意。"
        )
    if target == Stage.DECIDED:
        _issue_decision(case, actor)
    case.advance(target, actor=actor, reason=reason, on=today)


def _issue_decision(case, actor):
    """The approved draft becomes the issued 行政处罚决定书 (numbered, PDF) before the case is decided."""
    for draft in Document.objects.filter(case=case, doc_type="penalty_decision", status="draft"):
        draft.issue(by=actor)


# --- Cases in every review state ------------------------------------------------------------------------

REVIEW_CASES = [
    # (title, party name, legal rep, power item, state)
    ("涉嫌销售不合格电动自行车头盔案", "武定县安途车行有限公司", "罗安途", "CF-CP-001", "waiting"),
    ("涉嫌使用未经检验的锅炉案", "武定县宏达食品加工有限公司", "杨宏达", "CF-TZ-002", "returned"),
    ("涉嫌发布虚假保健食品广告案", "武定县康寿堂商贸有限公司", "李康寿", "CF-GG-001", "resubmitted"),
    ("涉嫌无证经营食品生产案", "武定县顺发食品厂有限公司", "赵顺发", "CF-SP-001", "approved"),
    ("涉嫌价格欺诈（虚构原价）案", "武定县百汇商场有限公司", "马百汇", "CF-JG-002", "refused"),
    (
        "涉嫌销售腐败变质食品并造成多人腹泻案",
        "武定县佳味餐饮管理有限公司",
        "陈佳味",
        "CF-SP-004",
        "collective",
    ),
]


def seed_review_demo(seeder) -> list[str]:
    """Load the benchmarks and make the review-state cases through the seeder's own case helpers. Returns
    one line per case for the seeding summary."""
    load_benchmarks()
    staff = seeder.staff
    reviewer, senior = staff["reviewer"], staff["reviewer_senior"]
    head, deputy = seeder.bureau_heads
    today = seeder.today
    lines = []
    for n, (title, name, rep, code, state) in enumerate(REVIEW_CASES):
        fine = "180000.00" if state != "collective" else "90000.00"
        case = _statement_case(seeder, n, title, name, rep, code, fine)
        officer = case.assignments.order_by("-is_lead", "pk").first().officer
        prepare_package(case, officer, fine=fine)
        first = ReviewRound.submit(case, by=officer, confirmed=True, on=today)
        if state == "waiting":
            lines.append(f"{case.number} 待分配审核人员")
            continue
        first.assign(reviewer if n % 2 else senior, by=head, on=today)
        who = first.reviewer
        if state in ("returned", "resubmitted"):
            _approve(
                first,
                who,
                today,
                outcome=RoundStatus.RETURNED,
                problems={
                    3: "缺少当事人进货来源的书面证据，货值金额认定依据不足。",
                    6: "询问笔录未由当事人逐页签名。",
                },
                opinion="事实认定的证据不足，请补充证据、完善文书后再报。",
            )
            if state == "resubmitted":
                second = ReviewRound.submit(
                    case, by=officer, confirmed=True, note="已补充进货单据和签名。", on=today
                )
                second.assign(who, by=head, on=today)
        elif state == "approved":
            _approve(
                first, who, today, opinion="事实清楚，证据确凿，适用法律正确，裁量适当，程序合法，同意。"
            )
        elif state == "refused":
            _approve(
                first,
                who,
                today,
                outcome=RoundStatus.REFUSED,
                problems={
                    4: "虚构原价的违法所得可以计算，应适用违法所得五倍以下罚款的规定，拟处罚适用法律错误。"
                },
                opinion="适用法律错误，不同意按拟定意见作出处罚决定。",
            )
        elif state == "collective":
            MajorFlag.add(
                case,
                by=officer,
                criterion=MajorCriterion.objects.get(code="social_risk"),
                reason="多名消费者就医，社会关注度高，可能引发社会风险。",
            )
            _approve(first, who, today, opinion="事实清楚，证据充分，同意；本案须提请局负责人集体讨论。")
            case.advance(Stage.COLLECTIVE, actor=officer, reason="情节重大，提请局负责人集体讨论。", on=today)
            CollectiveDiscussion.hold(
                case,
                by=head,
                held_on=today,
                participants=[head, deputy],
                place="局三楼会议室",
                attendees=f"{officer.display_name}（承办人）、{who.display_name}（法制审核人员）",
                opinions=f"{head.display_name}：同意法制审核意见。{deputy.display_name}：同意，并要求跟踪整改。",
                conclusion=CollectiveConclusion.AGREE,
                conclusion_text="同意对当事人罚款九万元。",
            )
            _issue_decision(case, officer)
            case.advance(Stage.DECIDED, actor=officer, reason="依集体讨论结论作出行政处罚决定。", on=today)
        case.refresh_from_db()
        lines.append(f"{case.number} {state}")
    return lines


def _statement_case(seeder, n, title, name, rep, code, fine):
    from demo import seeding
    from wuding_enforcement.cases import calendar

    unit = seeder.units["brigade"]
    officers = [seeder.staff[u] for u in ("officer", "zhoum") if u in seeder.staff]
    if len(officers) < 2:
        officers = [
            s
            for s in seeder.staff.values()
            if s.unit_id == unit.pk and s.valid_certificate_on(seeder.today) and not s.is_head_of(unit)
        ][:2]
    # Each step on its own past day (demo/seeding.py DemoClock): the 告知书 served well before today, so its
    # five working days have run when the case is submitted for review today.
    lead_date = calendar.add_working_days(seeder.today, -(22 + n % 3))
    clock = seeding.DemoClock(seeder.today)

    def day(offset):
        return calendar.add_working_days(lead_date, offset)

    with clock.on(lead_date):
        case = _register(seeder, n, title, name, rep, code, unit, officers, lead_date)
    with clock.on(day(2)):
        seeder.approve(case, "filing", officers[0], seeder.bureau_heads[n % 2])
    from demo import procedure as lawful

    offsets = {
        Stage.INVESTIGATING: 3,
        Stage.INVESTIGATION_CONCLUDED: 8,
        Stage.NOTIFIED: 10,
        Stage.STATEMENT: 12,
    }
    for target, offset in offsets.items():
        with clock.on(day(offset)):
            lawful.before(case, target, officers[0], day(offset), fine=fine)
            case.advance(target, actor=officers[0], reason="", on=day(offset))
    with clock.on(day(18)):
        lawful.before(case, Stage.LEGAL_REVIEW, officers[0], day(18), fine=fine)
    return case


def _register(seeder, n, title, name, rep, code, unit, officers, lead_date):
    from demo import seeding
    from wuding_enforcement.cases.models import Case

    return Case.register_lead(
        by=officers[0],
        handling_unit=unit,
        title=title,
        lead_source=LeadSource.INSPECTION,
        lead_date=lead_date,
        officers=officers,
        matters=list(PowerItem.objects.filter(code=code)),
        parties=[
            {
                "kind": PartyKind.ORGANISATION,
                "name": name,
                "legal_representative": rep,
                "credit_code": seeding.credit_code("91", 900 + n),
                "address": f"武定县狮山镇演示路{200 + n}号",
            }
        ],
    )
