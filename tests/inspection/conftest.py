"""The world an inspection needs, built through the domain: a 权责清单 item of kind 行政检查, a published
检查事项 with its 检查表单 and caps, a published annual plan, a 名录库 of entities with valid credit codes, and
the personas of tests/conftest.py (李桂芬 and 王志强 hold 食品安全 certificates valid 2024–2028)."""

import datetime

import pytest
import time_machine

from inspection import creditcode
from inspection.models import (
    ChecklistEntry,
    EntityCategory,
    EntityKind,
    FrequencyCap,
    InspectionItem,
    InspectionMode,
    InspectionPlan,
    MarketEntity,
    PlanEntry,
    PlanKind,
)
from tests.conftest import make_staff
from wuding_enforcement.cases.models import PowerItem, PowerKind
from wuding_enforcement.roster.models import Role

TODAY = datetime.date(2026, 5, 12)


def code(n: int, prefix: str = "91") -> str:
    """A fictitious 统一社会信用代码 of 武定县 with correct check characters."""
    return creditcode.make(prefix, "532329", f"MA6{n:05d}")


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 5, 12, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@pytest.fixture
def food(db):
    return EntityCategory.objects.create(name="食品经营者")


@pytest.fixture
def item(units, food):
    """SC-SP-01, a 双随机 item from the 权责清单, caps A:1 B:2 C:3 D:4, three checklist lines."""
    power = PowerItem.objects.create(
        code="JC-SP-001",
        kind=PowerKind.INSPECTION,
        field="食品安全",
        name="食品生产经营监督检查",
        legal_basis="《中华人民共和国食品安全法》第一百一十条",
    )
    item = InspectionItem.objects.create(
        code="SC-SP-01",
        field="食品安全",
        item="食品经营者经营条件和食品安全管理制度落实情况的检查",
        target="辖区内食品经营者",
        basis="《中华人民共和国食品安全法》第一百一十条",
        method="现场检查",
        ratio="按风险等级抽取",
        unit=units["shishan"],
        power_item=power,
        mode=InspectionMode.RANDOM,
        category=food,
    )
    for n, text in enumerate(["经营许可证件是否有效", "从业人员健康证明", "进货查验记录"], start=1):
        ChecklistEntry.objects.create(item=item, order=n, text=text, standard="食品安全法")
    for risk, cap in zip("ABCD", (1, 2, 3, 4), strict=True):
        FrequencyCap.objects.create(item=item, risk_class=risk, per_year=cap)
    return item


def make_entity(n: int, *, risk="B", categories=(), kind=EntityKind.ENTERPRISE, **extra) -> MarketEntity:
    entity = MarketEntity.objects.create(
        credit_code=code(n, "92" if kind == EntityKind.INDIVIDUAL else "91"),
        name=extra.pop("name", f"武定县演示{n}号商贸有限公司"),
        kind=kind,
        representative="陈某",
        address=f"武定县狮山镇演示路{n}号",
        risk_class=risk,
        **extra,
    )
    entity.categories.set(categories)
    return entity


@pytest.fixture
def entity(food):
    return make_entity(1, risk="B", categories=[food])


@pytest.fixture
def plan(item, bureau_head, admin_user, frozen):
    """This year's annual plan with the item, approved, filed and published."""
    plan = InspectionPlan.objects.create(
        kind=PlanKind.ANNUAL,
        year=2026,
        title="2026年度行政检查计划",
        summary="双随机为主。",
        created_by=admin_user,
    )
    PlanEntry.objects.create(
        plan=plan, item=item, period="第二季度", share_a="10", share_b="20", share_c="50", share_d="100"
    )
    plan.approve(by=bureau_head, on=datetime.date(2026, 2, 20))
    plan.record_filing(
        by=admin_user, justice_on=datetime.date(2026, 2, 25), superior_on=datetime.date(2026, 2, 26)
    )
    plan.publish(by=admin_user)
    return plan


@pytest.fixture
def officers(officer, colleague):
    return [officer, colleague]


@pytest.fixture
def third_officer(units, unit_head):
    return make_staff("ma_third", "马俊", units["shishan"], Role.OFFICER)


# --- Walking an inspection along its path, through the domain --------------------------------------------


def register_case_inspection(entity, item, officers, *, by, planned_on=TODAY, **extra):
    """A 个案检查 (a complaint), registered by `by` (pending approval)."""
    from inspection.models import Inspection, InspectionKind

    fields = {
        "kind": InspectionKind.CASE,
        "source": "complaint",
        "source_note": "12315投诉 No.2026-0512-001",
        "reason": "投诉反映该店销售过期食品，需现场核查。",
    }
    fields.update(extra)
    return Inspection.register(
        by=by, entity=entity, item=item, officers=officers, planned_on=planned_on, **fields
    )


def approved(inspection, bureau_head):
    return inspection.approve(by=bureau_head, opinion="同意检查。")


def form_data(key, case, data):
    from recording.doctypes import get_type

    doctype = get_type(key)
    form = doctype.form(data, case=case)
    assert form.is_valid(), form.errors
    return doctype.to_json(form.cleaned_data)


def issue(case, key, data, *, by, officers=(), act_date=None, av_exemption=""):
    from recording.doctypes import get_type
    from recording.models import Document

    doctype = get_type(key)
    document = Document.objects.create(
        case=case,
        doc_type=key,
        data=form_data(key, case, data),
        party=case.parties.first() if doctype.to_party or doctype.act else None,
        act_date=act_date,
        av_exemption=av_exemption,
        party_signature="pending" if doctype.to_party or doctype.act else "na",
        created_by=by,
    )
    document.officers.set(officers)
    return document.issue(by=by)


def notice_data(**overrides):
    data = {
        "inspect_at": "2026-05-12T10:00",
        "place": "武定县狮山镇演示路1号",
        "basis": "《中华人民共和国食品安全法》第一百一十条",
        "content": "食品经营条件和进货查验记录",
        "contact": "狮山市场监督管理所 0878-8700210",
    }
    data.update(overrides)
    return data


def record_data(case, *, fail=False, **overrides):
    from inspection.models import Inspection

    inspection = Inspection.objects.get(case=case)
    data = {
        "started_at": "2026-05-12T10:00",
        "ended_at": "2026-05-12T11:00",
        "place": "武定县狮山镇演示路1号店内",
        "present_person": "陈某（店长）",
        "certificates_shown": "on",
        "findings": "店内环境整洁，证照齐全。",
        "problems": "进货查验记录不全。" if fail else "",
    }
    for n, entry in enumerate(inspection.item.checklist.all()):
        data[f"check_{entry.pk}"] = "fail" if fail and n == 2 else "ok"
        data[f"note_{entry.pk}"] = "缺少5月进货记录" if fail and n == 2 else ""
    data.update(overrides)
    return data


def walk_to_inspected(inspection, officers, *, on=TODAY):
    """Notice issued, case notified; 笔录 issued (AV exemption given), case inspected."""
    from wuding_enforcement.cases.workflow import Stage

    case = inspection.case
    lead = officers[0]
    issue(case, "inspection_notice", notice_data(), by=lead)
    case.advance(Stage.INSPECTION_NOTIFIED, actor=lead, on=on)
    issue(
        case,
        "inspection_record",
        record_data(case),
        by=lead,
        officers=officers,
        act_date=on,
        av_exemption="检查过程简单，现场笔录经当事人签字确认，足以全面记录。",
    )
    case.advance(Stage.INSPECTED, actor=lead, on=on)
    inspection.refresh_from_db()
    return inspection
