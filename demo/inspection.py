"""Demo data of 行政检查, through the domain: the lists (subjects, the 检查事项 seeded by the disclosure demo made
complete with their 权责清单 item, 检查表单 and caps), a 名录库 of about 300 fictitious market entities (made-up
names, valid GB 32100 credit codes), this year's annual plan, two completed 双随机 draws (committed, drawn with a
stated public value, inspected, results published, revealed — one entity replaced after it was deregistered),
a rectification with its follow-up, a finding that became a penalty lead, an inspection the enterprise rated and
complained about, and an emergency inspection awaiting its after-the-fact approval.

Everything happens on the seeding day (a draw is committed before it is run, and the rules refuse a draw dated in
the past); only the plan's approval, filing and publication carry earlier dates of the year — the one history
the domain cannot write for a past day, set with .update() and said so below.
Called from demo/seeding.py (demo mode only).
"""

import datetime

from django.utils import timezone

from inspection import creditcode
from inspection.feedback import complain, rate
from inspection.models import (
    ChecklistEntry,
    Draw,
    EntityCategory,
    EntityKind,
    FrequencyCap,
    Inspection,
    InspectionItem,
    InspectionKind,
    InspectionPlan,
    InspectionSubject,
    MarketEntity,
    PlanEntry,
    PlanKind,
    Result,
)
from wuding_enforcement.cases.models import PowerItem, PowerKind
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.roster.models import Staff, Unit

from . import data

CATEGORIES = [
    "食品经营者",
    "食品生产者",
    "特种设备使用单位",
    "计量器具使用者",
    "广告经营者",
    "工业产品生产销售者",
]
# The 检查事项 of the disclosure demo (by code): their 名录库 category, 检查表单 and caps per risk class.
ITEMS = {
    "SC-SP-01": (
        "食品经营者",
        [
            "食品经营许可证件是否有效、是否在经营场所公示",
            "从业人员健康证明",
            "进货查验记录和票证",
            "食品贮存条件和温度控制",
            "过期、变质食品清理情况",
        ],
        (1, 2, 3, 4),
    ),
    "SC-SP-02": ("食品生产者", ["生产许可和生产条件", "原辅料进货查验", "出厂检验记录"], (1, 1, 2, 3)),
    "SC-CP-01": (
        "工业产品生产销售者",
        ["产品标识标注", "产品质量检验合格证明", "生产许可证（认证）情况"],
        (1, 1, 2, 2),
    ),
    "SC-JL-01": ("计量器具使用者", ["强制检定计量器具登记和检定合格", "计量器具是否擅自改装"], (1, 1, 2, 2)),
    "SC-TS-01": (
        "特种设备使用单位",
        ["使用登记和定期检验", "安全管理人员、作业人员持证", "维护保养和自行检查记录", "应急预案和演练"],
        (1, 2, 2, 3),
    ),
    "SC-GG-01": ("广告经营者", ["广告内容审查制度", "广告业务档案"], (1, 1, 1, 2)),
}
SHOP_WORDS = [
    "鑫源",
    "康达",
    "顺丰",
    "福林",
    "兴旺",
    "和盛",
    "金穗",
    "滇味",
    "彝乡",
    "恒泰",
    "润丰",
    "佳禾",
    "云岭",
    "瑞祥",
    "永安",
]
SHOP_KINDS = ["食品店", "便利店", "餐馆", "超市", "粮油店", "药店", "五金店", "广告部", "加油站", "汽修厂"]
TOWNS = [
    "狮山镇",
    "高桥镇",
    "猫街镇",
    "插甸镇",
    "白路镇",
    "万德镇",
    "环州乡",
    "东坡乡",
    "田心乡",
    "发窝乡",
    "己衣镇",
]
STATIONS = [
    "shishan",
    "gaoqiao",
    "maojie",
    "chadian",
    "bailu",
    "wande",
    "huanzhou",
    "dongpo",
    "tianxin",
    "fawo",
    "jiyi",
]
ENTITY_COUNT = 300
AV_EXEMPTION = "检查过程简单、企业无异议，现场检查笔录经企业负责人签字确认，足以全面记录检查活动。"


def _category_for(n: int) -> list[str]:
    """Most shops sell food; every fifth also uses special equipment; a few do other trades."""
    names = ["食品经营者"] if n % 10 < 7 else ["工业产品生产销售者"]
    if n % 5 == 0:
        names.append("特种设备使用单位")
    if n % 9 == 0:
        names.append("计量器具使用者")
    if n % 23 == 0:
        names.append("广告经营者")
    if n % 31 == 0:
        names.append("食品生产者")
    return names


def seed_entities(units, today) -> list[MarketEntity]:
    categories = {c.name: c for c in EntityCategory.objects.all()}
    made = []
    for n in range(1, ENTITY_COUNT + 1):
        town = TOWNS[n % len(TOWNS)]
        individual = n % 3 != 0
        word, shop = SHOP_WORDS[n % len(SHOP_WORDS)], SHOP_KINDS[(n // len(SHOP_WORDS)) % len(SHOP_KINDS)]
        name = (
            f"武定县{town}{word}{shop}（演示{n}号）" if individual else f"武定{word}商贸有限公司（演示{n}号）"
        )
        entity = MarketEntity(
            credit_code=creditcode.make("92" if individual else "91", data.COUNTY_CODE, f"MA7{n:05d}"),
            name=name,
            kind=EntityKind.INDIVIDUAL if individual else EntityKind.ENTERPRISE,
            representative=f"{'张王李赵刘陈杨黄周吴'[n % 10]}某",
            address=f"武定县{town}演示街{n}号",
            phone=f"{data.AREA_PHONE}-87{n:05d}"[:13],
            risk_class="ABBBCCCD"[n % 8],
            credit_class="AAABBC"[n % 6],
            unit=units.get(STATIONS[n % len(STATIONS)]),
            registered_on=today.replace(year=today.year - 1 - n % 9, day=1),
        )
        if n % 47 == 0:  # a few closed businesses, kept with their end date
            entity.deregistered_on = today - datetime.timedelta(days=30 + n)
            entity.deregistration_note = "申请注销登记"
        entity.save()
        entity.categories.set([categories[c] for c in _category_for(n)])
        made.append(entity)
    return made


def seed_lists(units):
    for order, name in enumerate(CATEGORIES):
        EntityCategory.objects.get_or_create(name=name, defaults={"order": order})
    bureau = InspectionSubject.objects.create(
        name="武定县市场监督管理局",
        nature="行政执法机关",
        legal_basis="《中华人民共和国食品安全法》《中华人民共和国产品质量法》《中华人民共和国特种设备安全法》等法律法规；"
        "武定县人民政府机构改革方案。",
        scope="本县市场监管领域行政检查。",
        order=0,
    )
    for order, unit in enumerate(
        Unit.objects.filter(kind__in=["brigade", "station"]).order_by("order"), start=1
    ):
        InspectionSubject.objects.create(
            name=unit.name,
            nature="以武定县市场监督管理局名义实施检查的内设执法机构或派出机构",
            legal_basis="《武定县市场监督管理局职能配置、内设机构和人员编制规定》",
            unit=unit,
            order=order,
        )
    categories = {c.name: c for c in EntityCategory.objects.all()}
    powers = {p.field: p for p in PowerItem.objects.filter(kind=PowerKind.INSPECTION).order_by("code")}
    for item in InspectionItem.objects.all():
        spec = ITEMS.get(item.code)
        if spec is None:
            continue
        category, lines, caps = spec
        item.category = categories[category]
        item.power_item = powers.get(item.field)
        item.subject = bureau
        item.standard = "按检查表单逐项检查，依据见各项。"
        item.save()
        for order, text in enumerate(lines, start=1):
            ChecklistEntry.objects.create(item=item, order=order, text=text, standard=item.basis[:300])
        for risk, cap in zip("ABCD", caps, strict=True):
            FrequencyCap.objects.create(item=item, risk_class=risk, per_year=cap)


def seed_plan(today, planner, bureau_head) -> InspectionPlan:
    plan = InspectionPlan.objects.create(
        kind=PlanKind.ANNUAL,
        year=today.year,
        title=f"武定县市场监督管理局{today.year}年度行政检查计划",
        summary="以“双随机、一公开”为主要方式，按风险等级确定抽查比例；对投诉举报、转办交办和监测发现的问题开展个案检查；"
        "同一企业的检查按公布的频次上限控制，能合并的检查“综合查一次”。",
        created_by=planner,
    )
    # Shares kept small so that the demo's draws inspect a handful of entities (each visit issues two PDFs).
    shares = {
        "SC-SP-01": ("0", "1", "1", "5"),
        "SC-TS-01": ("0", "2", "3", "10"),
        "SC-JL-01": ("2", "3", "5", "10"),
    }
    for code, (a, b, c, d) in shares.items():
        PlanEntry.objects.create(
            plan=plan,
            item=InspectionItem.objects.get(code=code),
            period="第二、三季度",
            share_a=a,
            share_b=b,
            share_c=c,
            share_d=d,
        )
    approved_on = min(today, datetime.date(today.year, 2, 20))
    plan.approve(by=bureau_head, on=approved_on)
    plan.record_filing(
        by=planner,
        justice_on=min(today, datetime.date(today.year, 2, 26)),
        superior_on=min(today, datetime.date(today.year, 2, 27)),
    )
    plan.publish(by=planner)
    # Demo history: the plan was published in March. publish() records the real moment of the act, so the
    # date is set here, once, for the demo (never done by the portal itself).
    march = timezone.make_aware(datetime.datetime(today.year, 3, 15, 9, 30))
    if march < timezone.now():
        InspectionPlan.objects.filter(pk=plan.pk).update(published_at=march)
    return plan


def _issue(case, key, values, by, *, officers=(), act_date=None, av_exemption=""):
    from recording.doctypes import get_type
    from recording.models import Document

    doctype = get_type(key)
    form = doctype.form(values, case=case)
    if not form.is_valid():
        raise ValueError(f"{key}: {form.errors.as_text()}")
    document = Document.objects.create(
        case=case,
        doc_type=key,
        data=doctype.to_json(form.cleaned_data),
        party=case.parties.first() if doctype.to_party or doctype.act else None,
        act_date=act_date,
        av_exemption=av_exemption,
        party_signature="pending" if doctype.to_party or doctype.act else "na",
        created_by=by,
    )
    document.officers.set(officers)
    return document.issue(by=by)


def carry_out(
    inspection,
    today,
    *,
    result=Result.NONE_FOUND,
    summary="检查表单各项符合要求，未发现问题。",
    fail=False,
    **extra,
):
    """Notice, 笔录 against the checklist, the result — each through the domain and its gates."""
    case = inspection.case
    officers = [a.officer for a in case.assignments.select_related("officer")]
    lead = officers[0]
    now = timezone.localtime()
    start = now.replace(hour=9, minute=0, second=0, microsecond=0)
    if start >= now:
        start = now - datetime.timedelta(hours=2)
    _issue(
        case,
        "inspection_notice",
        {
            "inspect_at": start.strftime("%Y-%m-%dT%H:%M"),
            "place": inspection.entity.address,
            "basis": inspection.item.basis,
            "content": inspection.item.item,
            "contact": f"{inspection.unit.name} {inspection.unit.phone}",
        },
        lead,
    )
    case.advance(Stage.INSPECTION_NOTIFIED, actor=lead, on=today)
    values = {
        "started_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ended_at": (start + datetime.timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M"),
        "place": inspection.entity.address,
        "present_person": f"{inspection.entity.representative}（负责人）",
        "certificates_shown": "on",
        "findings": "执法人员出示执法证件和检查码，对照检查表单逐项检查。",
        "problems": "进货查验记录不全，部分票证缺失。" if fail else "",
    }
    for n, entry in enumerate(inspection.item.checklist.filter(is_active=True)):
        failed = fail and n == min(2, inspection.item.checklist.count() - 1)
        values[f"check_{entry.pk}"] = "fail" if failed else "ok"
        values[f"note_{entry.pk}"] = "近一个月进货票证缺失" if failed else ""
    _issue(
        case, "inspection_record", values, lead, officers=officers, act_date=today, av_exemption=AV_EXEMPTION
    )
    case.advance(Stage.INSPECTED, actor=lead, on=today)
    inspection.form_result(by=lead, result=result, summary=summary, on=today, **extra)
    return lead


def _draw(entry, today, planner, public_value, note, *, replace_first=False):
    draw = Draw.commit(
        by=planner,
        entry=entry,
        draw_on=today,
        public_source=f"{today.year}年{today.month}月{today.day}日中国外汇交易中心公布的人民币对美元汇率中间价",
    )
    draw.run(by=planner, public_value=public_value, note=note)
    if replace_first:
        pick = draw.picks.order_by("order").first()
        entity = pick.entity
        entity.deregistered_on = today
        entity.deregistration_note = "抽取后核实：已于今日注销登记"
        entity.save()
        draw.replace(by=planner, pick=pick, reason="经核实，检查对象已注销。")
    return draw


def seed_inspection_demo(seeder) -> list[str]:
    """Called by demo/seeding.py after the disclosure demo (which seeded the 检查事项). Returns notes."""
    today = seeder.today
    units = {u.key: Unit.objects.get(name=u.name) for u in data.UNITS}
    staff = {s.username: Staff.objects.get(username=s.username) for s in data.STAFF}
    planner, bureau_head = staff["reviewer_senior"], staff["bureau_head"]
    seed_lists(units)
    entities = seed_entities(units, today)
    plan = seed_plan(today, planner, bureau_head)

    food, equipment = plan.entries.get(item__code="SC-SP-01"), plan.entries.get(item__code="SC-TS-01")
    draws = [
        _draw(food, today, planner, "7.1035", "中国外汇交易中心网站 9:15 公布", replace_first=True),
        _draw(equipment, today, planner, "7.1035", "中国外汇交易中心网站 9:15 公布"),
    ]
    done = []
    for draw in draws:
        for pick in draw.picks.order_by("order").select_related("entity"):
            inspection = getattr(pick, "inspection", None)
            if inspection is None or inspection.approval != "pending":
                continue
            inspection.approve(by=bureau_head, opinion="同意按抽取结果实施检查。")
            done.append(inspection)
    # The second draw's first inspection orders a rectification (with its follow-up); its second becomes a case.
    rectified, referred = [i for i in done if i.draw_pick.draw == draws[1]][:2]
    for inspection in done:
        if inspection == rectified:
            lead = carry_out(
                inspection,
                today,
                result=Result.RECTIFY,
                summary="特种设备维护保养记录不全，责令限期整改。",
                fail=True,
                rectify_by=today + datetime.timedelta(days=3),
            )
            inspection.register_follow_up(by=lead, planned_on=today + datetime.timedelta(days=4))
        elif inspection == referred:
            carry_out(
                inspection,
                today,
                result=Result.REFER,
                summary="电梯超期未检验仍在使用，涉嫌违反《中华人民共和国特种设备安全法》第四十条。",
                fail=True,
                lead_title="涉嫌使用未经定期检验的特种设备案",
            )
        else:
            carry_out(inspection, today)
        inspection.publish(
            by=planner,
            public_summary=f"{inspection.item.item}：{inspection.get_result_display()}。",
        )
        if inspection not in (rectified,):
            inspection.close(by=inspection.case.assignments.first().officer)
    for draw in draws:
        draw.reveal(by=planner)

    # The enterprise of one inspection rated it — and complained.
    rated = done[0]
    rate(rated, score=2, comment="检查人员要求提供与检查无关的资料。")
    complain(rated, kind="complaint", text="检查人员要求提供与本次检查无关的财务资料，耽误营业。", contact="")

    # An emergency inspection today, approved afterwards (flagged until then).
    brigade = [staff["officer"], staff["maj"]]
    target = next(e for e in entities if e.deregistered_on is None and e.risk_class == "D")
    Inspection.register(
        by=staff["officer"],
        kind=InspectionKind.CASE,
        entity=target,
        item=InspectionItem.objects.get(code="SC-SP-01"),
        officers=brigade,
        planned_on=today,
        reason="群众举报该店正在销售疑似病死畜禽肉。",
        source="complaint",
        source_note="12345 转办单 No.2026-118",
        emergency_reason="举报称正在销售，需立即到场固定证据。",
    )
    return [
        f"名录库 {len(entities)} 户；{plan.title}已公布；双随机抽取 {len(draws)} 次已公布结果，"
        f"检查 {len(done)} 户（整改复查 1 户，移交立案 1 件）；紧急检查 1 件待补办审批。"
    ]
