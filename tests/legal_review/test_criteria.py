"""Which decisions are major (docs/domain.md §3, "Scope"): the catalogue matched against the case's data, manual flags, removal."""

import pytest

from legal_review.criteria import major_status
from legal_review.models import MajorCriterion, MajorFlag
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import PartyKind, RuleSettings
from wuding_enforcement.cases.workflow import TransitionRefused

pytestmark = pytest.mark.django_db


def codes(status):
    return {m.criterion.code for m in status.matches}


def test_the_default_catalogue_is_installed_with_the_domain_criteria():
    assert set(MajorCriterion.objects.values_list("code", flat=True)) >= {
        "fine_person",
        "fine_organisation",
        "suspend_business",
        "revoke_licence",
        "hearing",
        "outside_benchmark",
        "public_interest",
        "social_risk",
        "complex",
        "crime",
    }


def test_it_flags_a_large_fine_on_an_organisation_and_lists_the_value_that_matched(build_case):
    case = build_case(fine_amount="150000.00")

    status = major_status(case)

    assert "fine_organisation" in codes(status)
    values = next(m.values for m in status.matches if m.criterion.code == "fine_organisation")
    assert any("150,000.00" in v and "100,000.00" in v for v in values)
    assert status.is_major


def test_a_fine_below_the_organisation_threshold_is_not_major(build_case):
    case = build_case(fine_amount="5000.00", notice={"fine_amount": "5000.00"})

    status = major_status(case)

    assert codes(status) == set()
    assert not status.is_major


def test_the_threshold_is_read_from_the_rule_settings(build_case):
    rules = RuleSettings.current()
    rules.major_fine_organisation = "4000.00"
    rules.hearing_fine_organisation = "4000.00"
    rules.save()
    case = build_case(fine_amount="5000.00", notice={"fine_amount": "5000.00"})

    assert {"fine_organisation", "hearing"} <= codes(major_status(case))


def test_a_natural_person_is_major_from_ten_thousand_yuan(build_case):
    case = build_case(fine_amount="12000.00", notice={"fine_amount": "12000.00"})
    party = case.parties.first()
    party.kind = PartyKind.PERSON
    party.id_number = "532329199001010011"
    party.save()

    assert "fine_person" in codes(major_status(case))


def test_suspending_business_and_revoking_a_licence_are_major_and_need_collective_discussion(build_case):
    case = build_case(
        penalty_types=["fine", "suspend_business", "revoke_licence"],
        fine_amount="5000.00",
        licence_action="食品经营许可证 JY15323290000001",
    )

    status = major_status(case)

    assert {"suspend_business", "revoke_licence", "hearing"} <= codes(status)
    assert status.requires_collective


def test_a_hearing_right_in_the_notice_makes_the_case_major(build_case):
    case = build_case(fine_amount="5000.00", notice={"fine_amount": "5000.00"}, hearing_right=True)

    status = major_status(case)

    assert "hearing" in codes(status)


def test_an_inactive_criterion_is_not_matched(build_case):
    MajorCriterion.objects.filter(code__in=["fine_organisation", "hearing"]).update(is_active=False)
    case = build_case(fine_amount="150000.00")

    assert not major_status(case).is_major


def test_the_unit_flags_a_case_by_hand_with_a_reason(build_case, officer):
    case = build_case(fine_amount="5000.00", notice={"fine_amount": "5000.00"})
    complex_ = MajorCriterion.objects.get(code="complex")

    flag = MajorFlag.add(case, by=officer, criterion=complex_, reason="涉及多个经营主体和多个法律关系。")

    status = major_status(case)
    assert status.is_major and status.requires_collective
    assert [f.pk for f in status.flags] == [flag.pk]
    assert AuditEvent.objects.filter(action="legal_review.flag.added").exists()


def test_it_refuses_a_manual_flag_without_a_reason_or_from_outside_the_unit(build_case, officer, outsider):
    case = build_case()
    criterion = MajorCriterion.objects.get(code="complex")

    with pytest.raises(TransitionRefused, match="理由"):
        MajorFlag.add(case, by=officer, criterion=criterion, reason="  ")
    with pytest.raises(TransitionRefused, match="承办人员"):
        MajorFlag.add(case, by=outsider, criterion=criterion, reason="案情复杂")
    assert not MajorFlag.objects.exists()


def test_removing_a_flag_needs_the_bureau_head_and_is_logged(build_case, officer, unit_head, bureau_head):
    case = build_case(fine_amount="5000.00", notice={"fine_amount": "5000.00"})
    flag = MajorFlag.add(
        case, by=officer, criterion=MajorCriterion.objects.get(code="complex"), reason="复杂"
    )

    with pytest.raises(TransitionRefused, match="局负责人"):
        flag.remove(by=unit_head, reason="并不复杂")
    flag.remove(by=bureau_head, reason="经核实案情简单，不属于疑难复杂案件。")

    flag.refresh_from_db()
    assert flag.removed_by == bureau_head and flag.removal_reason
    assert not major_status(case).is_major
    event = AuditEvent.objects.get(action="legal_review.flag.removed")
    assert event.actor_id == bureau_head.pk
