"""双随机 draws anyone can verify: the commitment is published before the draw and covers the secret, the
名录库 snapshot, the 回避 pairs and the parameters; the seed needs a public value from after the commitment;
re-drawing is refused; the list stays hidden until the visits are over; then every input is revealed and the
draw re-runs to the same pairs; a deregistered entity is replaced by the same rule; every step is audited."""

import datetime
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from inspection.models import (
    ApprovalState,
    Conflict,
    Draw,
    DrawState,
    Inspection,
    MarketEntity,
    Result,
)
from tests.inspection.conftest import TODAY, make_entity, walk_to_inspected
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.shared import draws
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(food, frozen):
    """Twenty food businesses: five of each risk class; one deregistered, one of another trade."""
    rows = [make_entity(n, risk="ABCD"[n % 4], categories=[food]) for n in range(1, 21)]
    make_entity(90, risk="D", categories=[food], deregistered_on=datetime.date(2026, 3, 1))
    make_entity(91, risk="D")  # not a food business
    return rows


@pytest.fixture
def committed(plan, registry, officers, third_officer, admin_user):
    return Draw.commit(
        by=admin_user,
        entry=plan.entries.get(),
        draw_on=TODAY,
        public_source="2026年5月12日中国福利彩票双色球开奖号码",
    )


def test_the_commitment_covers_the_hashes_of_the_secret_snapshot_exclusions_and_the_parameters(
    committed, registry
):
    assert committed.state == DrawState.COMMITTED and committed.seed == ""
    assert committed.secret_sha256 == draws.sha256_hex(committed.secret)
    assert committed.snapshot_sha256 == draws.sha256_hex(committed.snapshot)
    assert committed.commitment == draws.commitment_of(
        secret_sha256=committed.secret_sha256,
        snapshot_sha256=committed.snapshot_sha256,
        exclusions_sha256=committed.exclusions_sha256,
        parameters=committed.parameters,
    )
    # The snapshot: the 20 active food businesses (not the deregistered one, not the other trade), sorted.
    lines = committed.snapshot.split("\n")
    assert len(lines) == 20 and lines == sorted(lines)
    assert {line.split(" ")[0] for line in lines} == {e.credit_code for e in registry}
    assert committed.parameters["proportions"] == {"A": "10.00", "B": "20.00", "C": "50.00", "D": "100.00"}
    assert committed.parameters["public_source"] == "2026年5月12日中国福利彩票双色球开奖号码"
    event = AuditEvent.objects.get(action="inspection.draw.committed")
    assert event.detail["commitment"] == committed.commitment


def test_the_officer_pool_is_the_day_s_certified_roster_and_conflicts_are_committed_as_exclusions(
    plan, registry, officer, colleague, third_officer, admin_user, unit_head
):
    Conflict.objects.create(
        officer=colleague, entity=registry[0], reason="亲属", declared_on=TODAY, declared_by=unit_head
    )
    draw = Draw.commit(by=admin_user, entry=plan.entries.get(), draw_on=TODAY, public_source="汇率中间价")
    keys = {o.certificates.get().number for o in (officer, colleague, third_officer)}
    assert keys <= set(draw.parameters["officers"])
    assert f"{registry[0].credit_code} {colleague.certificates.get().number}" in draw.exclusions.split("\n")


def test_the_secret_is_never_in_the_history_tables(committed):
    assert not hasattr(committed.history.first(), "secret")


def test_re_drawing_is_refused_once_committed(committed, plan, admin_user):
    with pytest.raises(Refused, match="已公布抽取承诺，不能重新抽取"):
        Draw.commit(by=admin_user, entry=plan.entries.get(), draw_on=TODAY, public_source="另一个值")
    committed.secret = "00" * 32
    with pytest.raises(Refused, match="不能再修改"):
        committed.save()
    assert AuditEvent.objects.filter(action="inspection.draw.commit_refused").exists()


def test_the_draw_needs_the_public_value_of_the_day_and_runs_once(plan, registry, officers, admin_user):
    draw = Draw.commit(
        by=admin_user,
        entry=plan.entries.get(),
        draw_on=datetime.date(2026, 5, 13),
        public_source="次日开奖号码",
    )
    with pytest.raises(Refused, match="该日之前不能抽取"):
        draw.run(by=admin_user, public_value="01 02 03", note="福彩官网")
    with time_machine.travel(datetime.datetime(2026, 5, 13, 13, 0, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(Refused, match="请写明公开随机值的出处"):
            draw.run(by=admin_user, public_value="01 02 03", note="")
        draw.run(by=admin_user, public_value="01 02 03", note="中国福利彩票官网 第2026054期")
        with pytest.raises(Refused, match="该抽取已完成，不能重新抽取"):
            draw.run(by=admin_user, public_value="04 05 06", note="再抽一次")
    assert draw.seed == draws.seed_from(draw.secret, "01 02 03")


def test_the_draw_takes_the_share_of_each_class_and_makes_tasks_awaiting_approval(
    committed, admin_user, plan, item
):
    committed.run(by=admin_user, public_value="03 07 12 19 25 31 + 09", note="福彩官网第2026053期")
    # 5 per class: 10% → 1, 20% → 1, 50% → 3, 100% → 5.
    assert committed.result["quotas"] == {"A": 1, "B": 1, "C": 3, "D": 5}
    picks = list(committed.picks.order_by("order"))
    assert len(picks) == 10
    for pick in picks:
        inspection = pick.inspection
        assert inspection.approval == ApprovalState.PENDING and inspection.plan == plan
        assert inspection.kind == "random" and inspection.counts_in_cap and inspection.item == item
        assert len(set(pick.officer_keys)) == 2
        assert {o.certificates.get().number for o in inspection.proposed_officers.all()} == set(
            pick.officer_keys
        )
    event = AuditEvent.objects.get(action="inspection.draw.drawn")
    assert event.detail["seed"] == committed.seed and event.detail["picks"] == 10


def test_the_revealed_draw_re_runs_to_the_same_pairs(committed, admin_user, bureau_head, tmp_path):
    committed.run(by=admin_user, public_value="03 07 12 19 25 31 + 09", note="福彩官网")
    stored = [(p.credit_code, tuple(p.officer_keys)) for p in committed.picks.order_by("order")]
    _finish_every_inspection(committed, bureau_head)
    committed.reveal(by=admin_user)
    bundle = committed.bundle()
    problems, rerun = draws.verify(json.loads(json.dumps(bundle)))
    assert problems == []
    assert rerun.pairs() == stored
    call_command("verify_draw", committed.pk)  # the management command agrees


def test_a_forged_result_is_caught_by_the_verification(committed, admin_user, bureau_head):
    committed.run(by=admin_user, public_value="03 07 12 19 25 31 + 09", note="福彩官网")
    Draw.objects.filter(pk=committed.pk).update(public_value="another")  # what a tampered record would say
    committed.refresh_from_db()
    assert committed.verify()
    with pytest.raises(CommandError, match="核验未通过"):
        call_command("verify_draw", committed.pk)


def test_the_list_stays_hidden_until_every_visit_is_over(committed, admin_user, bureau_head):
    committed.run(by=admin_user, public_value="03 07 12 19 25 31 + 09", note="福彩官网")
    with pytest.raises(Refused, match="检查全部结束后才能公布抽取名单"):
        committed.reveal(by=admin_user)
    assert "inspection.draw.reveal_refused" in AuditEvent.objects.values_list("action", flat=True)


def test_a_deregistered_entity_is_replaced_by_the_next_ranked_one_of_its_class(
    committed, admin_user, bureau_head
):
    committed.run(by=admin_user, public_value="03 07 12 19 25 31 + 09", note="福彩官网")
    pick = committed.picks.filter(risk_class="C").order_by("order").first()
    with pytest.raises(Refused, match="只有注销（吊销）的对象可以按规则替换"):
        committed.replace(by=admin_user, pick=pick, reason="企业已注销。")
    MarketEntity.objects.filter(pk=pick.entity_id).update(deregistered_on=TODAY)
    new = committed.replace(by=admin_user, pick=pick, reason="经核实，企业已于今日注销。")
    assert new.replaces == pick and new.risk_class == "C"
    seed = committed.seed
    class_c = sorted(
        (line.split(" ")[0] for line in committed.snapshot.split("\n") if line.endswith(" C")),
        key=lambda c: draws.rank(seed, c),
    )
    assert new.credit_code == class_c[3]  # three were drawn; the fourth replaces
    pick.inspection.refresh_from_db()
    assert pick.inspection.approval == ApprovalState.WITHDRAWN
    assert new.inspection.approval == ApprovalState.PENDING
    committed.refresh_from_db()
    assert committed.replacements == [pick.credit_code]
    assert draws.verify(committed.bundle())[0] == []
    assert AuditEvent.objects.filter(action="inspection.draw.replaced").count() == 1


def test_only_planners_draw(plan, registry, officer):
    with pytest.raises(Refused, match="只有政策法规股、管理员或局负责人"):
        Draw.commit(by=officer, entry=plan.entries.get(), draw_on=TODAY, public_source="x")


def test_entities_at_their_cap_are_left_out_of_the_snapshot(
    plan, registry, officers, officer, admin_user, item
):
    a_class = next(e for e in registry if e.risk_class == "A")  # cap 1 a year
    Inspection.register(
        by=officer,
        kind="key",
        entity=a_class,
        item=item,
        officers=officers,
        planned_on=TODAY,
        reason="重点检查。",
        plan=plan,
    )
    draw = Draw.commit(by=admin_user, entry=plan.entries.get(), draw_on=TODAY, public_source="x")
    assert a_class.credit_code not in draw.snapshot
    assert draw.parameters["snapshot_counts"] == {"candidates": 20, "at_cap": 1, "no_cap": 0}


def _finish_every_inspection(draw, bureau_head):
    """Two visits carried out to their result; the other tasks called off before approval (each PDF costs)."""
    for n, pick in enumerate(draw.picks.select_related("inspection").order_by("order")):
        inspection = pick.inspection
        if n >= 2:
            inspection.withdraw(by=bureau_head, reason="本批次改由下季度检查。")
            continue
        inspection.approve(by=bureau_head, opinion="同意。")
        officers = [a.officer for a in inspection.case.assignments.select_related("officer")]
        walk_to_inspected(inspection, officers)
        inspection.form_result(by=officers[0], result=Result.NONE_FOUND, summary="未发现问题。")
    assert Inspection.objects.filter(case__stage="insp_result").count() == 2
