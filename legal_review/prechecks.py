"""System pre-checks of the seven review points (docs/domain.md §3, "The review checks"): where the case's data can answer, the system checks and
shows its result with the evidence it read; the reviewer still decides each point."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from wuding_enforcement.cases.deadlines import Status
from wuding_enforcement.roster.certification import certified_officers, entitlement_on
from wuding_enforcement.shared.chinese import cn_date

from .benchmarks import compare_case
from .criteria import fmt, hearing_reasons, party_is_natural, yuan
from .package import Package

PASS, PROBLEM, MANUAL = "pass", "problem", "manual"
STATUS_LABELS = {PASS: "未发现问题", PROBLEM: "发现问题", MANUAL: "须人工审查"}


@dataclass
class PreCheck:
    point: int
    key: str
    title: str
    status: str = PASS
    lines: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # the problem lines only

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def problem(self, line: str):
        self.status = PROBLEM
        self.lines.append(line)
        self.found.append(line)

    @classmethod
    def from_json(cls, stored: dict) -> "PreCheck":
        """A pre-check as a closed round stored it (the result the reviewer saw when deciding)."""
        check = cls(point=stored["point"], key=stored["key"], title=stored["title"], status=stored["status"])
        check.lines = list(stored.get("lines", []))
        if check.status == PROBLEM:
            check.found = list(check.lines)
        return check

    def as_json(self) -> dict:
        return {
            "point": self.point,
            "key": self.key,
            "title": self.title,
            "status": self.status,
            "lines": self.lines,
        }


def run(case, pkg: Package, *, base_amount=None, today: datetime.date | None = None) -> list[PreCheck]:
    from wuding_enforcement.cases.models import RuleSettings

    today = today or timezone.localdate()
    rules = RuleSettings.current()
    acts = pkg.evidence_documents
    before = before_notice(case, pkg)
    return [
        certificates(acts),
        two_officers(acts),
        deadlines(case, today),
        hearing_notified(case, pkg, rules, before_notice=before),
        statements_answered(pkg, before_notice=before),
        not_heavier(pkg),
        audio_video(acts),
        benchmark(case, pkg, base_amount),
        authority(case),
        documents(pkg, before_notice=before),
        crime(case),
    ]


BEFORE_NOTICE = (
    "本轮审核在告知之前（调查终结后审核，再告知，为法定的通常顺序）：作出决定前须依法制作、送达行政处罚告知书"
    "（行政处罚法 第四十四条）。"
)


def before_notice(case, pkg: Package) -> bool:
    """The review precedes 告知 (SAMR's usual order: 调查终结 → 审核 → 告知): the case never entered 告知 and
    has no 告知书 yet, so what the 告知书 must show cannot be checked yet — a case that went through 告知
    without one is a problem, not this."""
    from wuding_enforcement.cases.workflow import Stage

    return pkg.notice is None and not case.transitions.filter(to_stage=Stage.NOTIFIED).exists()


def problems_by_point(checks) -> dict[int, list[str]]:
    """The problems the pre-checks found, by review point: {point: [lines of the checks that failed]}."""
    found: dict[int, list[str]] = {}
    for check in checks:
        if check.status == PROBLEM:
            found.setdefault(check.point, []).extend(
                f"{check.title}：{line}" for line in (check.found or [check.status_label])
            )
    return found


def _act(doc) -> str:
    return f"{doc.type_title}（{cn_date(doc.act_date) or '未填写日期'}）"


def certificates(acts) -> PreCheck:
    """行政处罚法 第四十二条: each officer of each act held a certificate valid on the act's date
    (roster/certification.py entitlement_on, the one certificate rule)."""
    check = PreCheck(1, "certificates", "执法人员在每项执法活动当日均持有效执法证件")
    for doc in acts:
        if doc.act_date is None:
            check.problem(f"{doc}：未填写执法活动日期，无法核对证件。")
            continue
        for officer in doc.officers.all():
            entitlement = entitlement_on(officer, doc.act_date)
            if entitlement.entitled:
                check.lines.append(
                    f"{_act(doc)}：{officer.display_name} 证件 {entitlement.certificate.number} 有效"
                )
            else:
                check.problem(f"{_act(doc)}：{entitlement.refusal}")
    if not acts:
        check.status = MANUAL
        check.lines.append("案件尚无记录执法活动的文书。")
    return check


def two_officers(acts) -> PreCheck:
    """行政处罚法 第四十二条: at least two officers with valid certificates per act
    (roster/certification.py certified_officers)."""
    check = PreCheck(1, "two_officers", "每项执法活动至少两名持证执法人员")
    for doc in acts:
        if doc.act_date is None:
            continue
        officers = certified_officers(doc.officers.all(), doc.act_date)
        line = f"{_act(doc)}：持有效证件的执法人员 {len(officers.certified)} 名"
        if not officers.enough:
            check.problem(line + "，不足两名。")
        else:
            check.lines.append(line)
    if not acts:
        check.status = MANUAL
    return check


def deadlines(case, today) -> PreCheck:
    """Statutory deadlines met: 立案审查, the 90-day decision limit and those other systems register."""
    check = PreCheck(2, "deadlines", "法定期限均未超过")
    for deadline in case.deadlines(today):
        if deadline.key == "legal_review":
            continue  # the review's own clock is the reviewer's, not the handling unit's
        late = (deadline.met_on and deadline.met_on > deadline.due) or (
            not deadline.met_on and deadline.status == Status.RED
        )
        line = f"{deadline.name}：期限至{cn_date(deadline.due)}，{deadline.status_label}"
        if deadline.met_on:
            line += f"（{cn_date(deadline.met_on)}完成）"
        if late:
            check.problem(line + "，已超过法定期限。")
        else:
            check.lines.append(line)
    return check


def hearing_notified(case, pkg: Package, rules, *, before_notice: bool = False) -> PreCheck:
    """行政处罚法 第六十三条、第六十四条: where the proposed penalty entitles the party to a hearing, the
    行政处罚告知书 told the party so."""
    check = PreCheck(2, "hearing", "依法告知听证权利")
    reasons = []
    for doc in pkg.proposals:
        reasons += hearing_reasons(doc.data or {}, party_is_natural(case, doc), rules)
    if not reasons:
        check.lines.append("拟作出的处罚不属于当事人有权要求听证的情形。")
        return check
    check.lines.append("当事人有权要求听证：" + "；".join(reasons))
    notice = pkg.notice
    if before_notice:
        check.status = MANUAL
        check.lines.append(BEFORE_NOTICE)
    elif notice is None:
        check.problem("未制作行政处罚告知书。")
    elif not notice.is_issued:
        check.problem("行政处罚告知书尚未签发。")
    elif not (notice.data or {}).get("hearing_right"):
        check.problem(f"行政处罚告知书{notice.number}未告知听证权利。")
    else:
        check.lines.append(f"行政处罚告知书{notice.number}已告知听证权利。")
    return check


def statements_answered(pkg: Package, *, before_notice: bool = False) -> PreCheck:
    """行政处罚法 第四十四条、第四十五条: the party was told of the right to state and defend, and the
    decision answers what it said (采纳情况)."""
    check = PreCheck(2, "statements", "已告知陈述申辩权利，当事人意见已听取并答复")
    notice = pkg.notice
    if before_notice:
        check.status = MANUAL
        check.lines.append(BEFORE_NOTICE)
        return check
    if notice is None or not notice.is_issued:
        check.problem("行政处罚告知书未签发，无法证明已告知陈述、申辩权利。")
    else:
        check.lines.append(f"已以行政处罚告知书{notice.number}告知陈述、申辩权利。")
    data = (pkg.proposal.data or {}) if pkg.proposal else {}
    answer = (data.get("statements_answer") or "").strip()
    if pkg.proposal is not None and pkg.proposal.doc_type == "penalty_decision":
        if answer:
            check.lines.append(f"决定书载明陈述申辩及采纳情况：{answer[:120]}")
        else:
            check.problem("拟作出的决定书未载明当事人陈述、申辩（听证）意见及采纳情况。")
    return check


def _severity(data: dict) -> tuple[set, dict]:
    types = set(data.get("penalty_types") or [])
    amounts = {
        "罚款": yuan(data.get("fine_amount")) or Decimal("0"),
        "没收违法所得": yuan(data.get("confiscated_gains")) or Decimal("0"),
        "没收非法财物价值": yuan(data.get("confiscated_property_value")) or Decimal("0"),
    }
    return types, amounts


def not_heavier(pkg: Package) -> PreCheck:
    """行政处罚法 第四十五条: no heavier penalty because the party stated or defended its case — the proposed
    decision may not add penalty types or raise amounts beyond the 行政处罚告知书."""
    from wuding_enforcement.shared.penalties import PENALTY_LABELS

    check = PreCheck(4, "not_heavier", "拟处罚未重于告知书所告知的处罚（不因陈述申辩加重）")
    if pkg.notice is None or pkg.proposal is None or pkg.proposal.doc_type != "penalty_decision":
        check.status = MANUAL
        check.lines.append("缺少行政处罚告知书或拟作出的处罚决定书，无法比对。")
        return check
    told_types, told = _severity(pkg.notice.data or {})
    types, amounts = _severity(pkg.proposal.data or {})
    added = types - told_types
    if added:
        check.problem(
            "决定书增加了告知书未告知的处罚种类："
            + "、".join(PENALTY_LABELS.get(t, t) for t in sorted(added))
        )
    for name, amount in amounts.items():
        if amount > told[name]:
            check.problem(f"{name}{fmt(amount)}元，高于告知书告知的{fmt(told[name])}元。")
        elif amount:
            check.lines.append(f"{name}{fmt(amount)}元，未超过告知书告知的{fmt(told[name])}元。")
    if check.status == PASS and not check.lines:
        check.lines.append("处罚种类与告知书一致。")
    return check


def audio_video(acts) -> PreCheck:
    """docs/domain.md §2: mandatory AV for 查封扣押 and acts in the 执法办案场所; otherwise AV or a written reason."""
    check = PreCheck(2, "audio_video", "音像记录齐全或已说明未录制理由")
    from recording.builtin_gates import AV_EXEMPT, AV_LINKED, AV_MISSING_MANDATORY, av_state

    for doc in acts:
        # The one AV rule is recording's (recording.builtin_gates.av_state), also its issuing gate.
        state = av_state(doc, doc.evidence.all())
        if state is None:
            continue
        if state == AV_LINKED:
            check.lines.append(f"{_act(doc)}：已关联音像记录")
        elif state == AV_MISSING_MANDATORY:
            check.problem(f"{_act(doc)}：须全程音像记录，未关联录像或录音。")
        elif state == AV_EXEMPT:
            check.lines.append(f"{_act(doc)}：未录制，理由：{doc.av_exemption[:80]}")
        else:
            check.problem(f"{_act(doc)}：既无音像记录，也未说明理由。")
    if not check.lines and check.status == PASS:
        check.lines.append("无须音像记录的执法活动。")
    return check


def benchmark(case, pkg: Package, base_amount) -> PreCheck:
    """行政处罚法 第三十四条: the proposed penalty within the benchmark of its circumstances."""
    check = PreCheck(4, "benchmark", "拟处罚符合裁量基准")
    comparisons = compare_case(case, pkg.proposals, base_amount)
    if not comparisons:
        check.status = MANUAL
        check.lines.append("本案涉及的权责清单事项尚无裁量基准，须人工审查。")
    for c in comparisons:
        head = f"{c.benchmark.power_item.code}：{c.level_label}，{c.proposed}；基准幅度 {c.range_text or '—'}"
        check.lines.append(head)
        for deviation in c.deviations:
            check.problem(deviation)
        check.lines += c.notes
    return check


def authority(case) -> PreCheck:
    """The decision is within the bureau's powers: the case's matters are active 行政处罚 items of the 权责清单."""
    from wuding_enforcement.cases.models import PowerKind

    check = PreCheck(5, "authority", "案件事项在本局权责清单之内")
    items = list(case.matters.all())
    penalties = [i for i in items if i.kind == PowerKind.PENALTY]
    for item in items:
        line = f"{item.code} {item.name}（{item.get_kind_display()}）"
        if not item.is_active:
            check.problem(line + "：该事项已停用。")
        else:
            check.lines.append(line)
    if not penalties:
        check.problem("本案未关联权责清单中的行政处罚事项。")
    return check


def documents(pkg: Package, *, before_notice: bool = False) -> PreCheck:
    """Documents present and issued: the report, the 告知书 (unless the review precedes 告知), the hearing
    record, every act record."""
    check = PreCheck(6, "documents", "文书齐全并已签发")
    required = [("案件调查终结报告", pkg.report)]
    if before_notice:
        check.lines.append(BEFORE_NOTICE)
    else:
        required.append(("行政处罚告知书", pkg.notice))
    if pkg.had_hearing:
        required.append(("听证笔录", pkg.hearing_record))
    for title, doc in required:
        if doc is None:
            check.problem(f"缺少{title}。")
        elif not doc.is_issued:
            check.problem(f"{title}尚未签发。")
        else:
            check.lines.append(f"{title}{doc.number or ''}已签发。")
    for doc in pkg.evidence_documents:
        if not doc.is_issued:
            check.problem(f"{doc.type_title}（{cn_date(doc.act_date)}）尚未签发。")
    return check


def crime(case) -> PreCheck:
    """国务院令第310号: a suspected crime is transferred; the system only shows what the unit flagged."""
    from .models import MajorFlag

    check = PreCheck(7, "crime", "是否涉嫌犯罪")
    check.status = MANUAL
    flagged = MajorFlag.objects.filter(case=case, removed_at__isnull=True, criterion__code="crime")
    for flag in flagged:
        check.lines.append(f"承办单位标记涉嫌犯罪：{flag.reason}")
    if not check.lines:
        check.lines.append("须审核人员根据案情判断（涉案金额、情节是否达到刑事立案追诉标准）。")
    return check
