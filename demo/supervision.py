"""Demo data of 监督检查: a finished 案卷评查 round over this year's archived case files, an open 通报 with
items at each step of rectification, and the reminders the nightly scan would have sent — so the supervision
pages are alive after `make run`. Called by the demo seeder (the top floor), never by production code."""

import datetime
from decimal import Decimal

from supervision import evaluation, notices, reminders
from supervision.models import EvaluationCriterion, SupervisionNotice
from wuding_enforcement.roster.models import Staff, Unit

# A fixed seed, so that anyone can re-draw the demo round and get the same case files.
DEMO_SEED = 20261101

# Deductions the demo evaluator makes, by criterion group: (points taken off, the note).
DEDUCTIONS = {
    "documents": (Decimal("1"), "现场笔录当事人签名处未注明日期。"),
    "archive": (Decimal("0.5"), "卷内目录页码与实际页码不一致一处。"),
}


def seed_supervision_demo(today: datetime.date) -> list[str]:
    if SupervisionNotice.objects.exists():
        return []
    reviewer = Staff.objects.get(username="reviewer")
    head = Staff.objects.get(username="bureau_head")
    lines = [_evaluation_round(today, reviewer), _open_notice(today, reviewer, head)]
    result = reminders.scan(today)
    lines.append(f"到期提醒 {result.created} 条（{result.cases} 件在办案件已扫描）")
    return [line for line in lines if line]


def _evaluation_round(today: datetime.date, reviewer: Staff) -> str:
    round_ = evaluation.start_round(
        title=f"{today.year}年度第一批行政处罚案卷评查",
        year=today.year,
        per_unit=2,
        by=reviewer,
        seed=DEMO_SEED,
    )
    criteria = list(EvaluationCriterion.objects.filter(is_active=True))
    for index, item in enumerate(round_.evaluations.select_related("case")):
        points, notes = {}, {}
        for criterion in criteria:
            taken, note = DEDUCTIONS.get(criterion.group, (Decimal("0"), ""))
            # Every other file is faultless, so the roll-up tells units apart.
            if index % 2 == 0 and taken:
                points[criterion.pk] = max(Decimal(criterion.points) - taken, Decimal("0"))
                notes[criterion.pk] = note
            else:
                points[criterion.pk] = Decimal(criterion.points)
        evaluation.score(
            item,
            by=reviewer,
            points=points,
            notes=notes,
            comment="案卷材料齐全，程序合法。" if index % 2 else "总体规范，文书细节有待改进。",
        )
    return f"案卷评查“{round_.title}”：{round_.evaluations.count()} 卷已评分（随机种子 {round_.seed}）"


def _open_notice(today: datetime.date, reviewer: Staff, head: Staff) -> str:
    brigade = Unit.objects.get(name="综合执法大队")
    gaoqiao = Unit.objects.get(name="高桥市场监督管理所")
    maojie = Unit.objects.get(name="猫街市场监督管理所")
    notice = SupervisionNotice.objects.create(
        title=f"关于{today.year}年第三季度行政执法“三项制度”执行情况的督查通报",
        summary=(
            "政策法规股对各执法单位第三季度行政执法公示、执法全过程记录和重大执法决定法制审核制度执行情况"
            "进行了督查。现将发现的问题通报如下，请责任单位在整改期限内完成整改并反馈整改情况。"
        ),
        created_by=reviewer,
    )
    items = [
        notices.add_item(
            notice,
            by=reviewer,
            unit=gaoqiao,
            problem="案件线索超过十五个工作日未作出是否立案的决定，未报请延长核查期限。",
            due_on=today + datetime.timedelta(days=10),
        ),
        notices.add_item(
            notice,
            by=reviewer,
            unit=maojie,
            problem="个别执法人员执法证件即将到期，未及时申请换证，仍被指派办理案件。",
            due_on=today + datetime.timedelta(days=20),
        ),
        notices.add_item(
            notice,
            by=reviewer,
            unit=brigade,
            problem="现场检查未按规定进行音像记录，且未在笔录中说明理由。",
            due_on=today + datetime.timedelta(days=15),
        ),
    ]
    notice = notices.issue(notice, by=head)
    notices.answer(
        items[2],
        by=brigade.head,
        text="已组织全队学习《全过程记录办法》，执法记录仪实行出队登记，今后现场检查全程录像。",
    )
    gaoqiao_answer = notices.answer(
        items[0],
        by=gaoqiao.head,
        text="已对该线索完成核查并报请立案审批，建立线索台账，每周由所长检查核查期限。",
    )
    notices.close(gaoqiao_answer, by=reviewer, note="整改措施具体，予以销号。")
    return f"督查通报 {notice.number}：3 项整改事项（1 项已销号，1 项已反馈，1 项待整改）"
