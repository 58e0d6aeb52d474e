"""Discretion benchmarks and the system pre-checks (docs/domain.md §3): each with a failing and a passing case."""

import datetime
from decimal import Decimal

import pytest

from legal_review import package as packaging
from legal_review import prechecks
from legal_review.benchmarks import load_benchmarks
from legal_review.criteria import major_status
from legal_review.models import DiscretionBenchmark
from recording.models import Document, Evidence
from tests.legal_review.conftest import issued_row
from wuding_enforcement.roster.models import CertificateStatus

pytestmark = pytest.mark.django_db


def check(case, key, base_amount=None):
    pkg = packaging.build(case)
    return next(c for c in prechecks.run(case, pkg, base_amount=base_amount) if c.key == key)


@pytest.fixture
def benchmark(power_item):
    loaded, skipped = load_benchmarks()
    assert loaded == 1 and "CF-SP-005" not in skipped  # only this item exists in the test catalogue
    return DiscretionBenchmark.objects.get(power_item=power_item)


def test_the_fixture_has_realistic_benchmarks_for_at_least_fifteen_penalty_matters():
    import json

    from legal_review.benchmarks import BENCHMARKS_FILE

    items = json.loads(BENCHMARKS_FILE.read_text(encoding="utf-8"))["items"]
    powers = json.loads((BENCHMARKS_FILE.parent / "power_items.json").read_text(encoding="utf-8"))["items"]
    penalty_codes = {p["code"] for p in powers if p["kind"] == "penalty"}
    assert len(items) >= 15 and {i["code"] for i in items} <= penalty_codes
    for item in items:
        assert set(item["ranges"]) == {"lenient", "ordinary", "severe"} and "第" in item["legal_basis"]


def test_a_fine_within_the_level_shows_no_deviation(build_case, benchmark):
    case = build_case(fine_amount="70000.00", notice={"fine_amount": "70000.00"})  # 一般: 65,000–85,000
    result = check(case, "benchmark")
    assert result.status == prechecks.PASS


def test_a_fine_outside_the_level_is_a_deviation_and_makes_the_case_major(build_case, benchmark):
    case = build_case(fine_amount="95000.00", notice={"fine_amount": "95000.00"})
    result = check(case, "benchmark")
    assert result.status == prechecks.PROBLEM
    assert any("高于“一般处罚”阶次上限85,000.00元" in line for line in result.lines)
    assert "outside_benchmark" in {m.criterion.code for m in major_status(case).matches}


def test_a_mitigated_fine_must_be_below_the_statutory_minimum(build_case, benchmark):
    case = build_case(discretion="mitigated", fine_amount="60000.00", notice={"fine_amount": "60000.00"})
    assert check(case, "benchmark").status == prechecks.PROBLEM
    case2 = build_case(discretion="mitigated", fine_amount="30000.00", notice={"fine_amount": "30000.00"})
    assert check(case2, "benchmark").status == prechecks.PASS


def test_multiples_are_compared_with_the_submitted_base(build_case, benchmark):
    rng = benchmark.ranges.get(level="ordinary")
    rng.fine_min = rng.fine_max = None
    rng.multiple_min, rng.multiple_max, rng.base = Decimal("13"), Decimal("17"), "goods_value"
    rng.save()
    case = build_case(fine_amount="150000.00")
    assert check(case, "benchmark", base_amount=Decimal("10000")).status == prechecks.PASS
    assert check(case, "benchmark", base_amount=Decimal("5000")).status == prechecks.PROBLEM


def test_certificates_must_be_valid_on_the_act_date(build_case, colleague):
    case = build_case()
    assert check(case, "certificates").status == prechecks.PASS
    cert = colleague.certificates.get()
    cert.status, cert.status_since = CertificateStatus.SUSPENDED, datetime.date(2026, 11, 1)
    cert.save()
    result = check(case, "certificates")
    assert result.status == prechecks.PROBLEM and any("王志强" in line for line in result.lines)
    assert check(case, "two_officers").status == prechecks.PROBLEM


def test_the_deadlines_check_reports_an_overdue_decision_limit(build_case, time_machine):
    case = build_case()
    assert check(case, "deadlines").status == prechecks.PASS
    time_machine.move_to(datetime.datetime(2027, 3, 1, 10))
    assert check(case, "deadlines").status == prechecks.PROBLEM


def test_hearing_rights_must_be_notified_when_the_party_is_entitled(build_case):
    case = build_case(hearing_right=False)  # a 150,000 元 fine on an organisation: entitled
    assert check(case, "hearing").status == prechecks.PROBLEM
    assert check(build_case(hearing_right=True), "hearing").status == prechecks.PASS


def test_statements_must_be_answered_in_the_decision(build_case):
    assert check(build_case(statements_answer=""), "statements").status == prechecks.PROBLEM
    assert check(build_case(), "statements").status == prechecks.PASS


def test_the_decision_may_not_be_heavier_than_the_notice(build_case):
    """行政处罚法 第四十五条."""
    heavier = build_case(fine_amount="150000.00", notice={"fine_amount": "120000.00"})
    result = check(heavier, "not_heavier")
    assert result.status == prechecks.PROBLEM and any("高于告知书" in line for line in result.lines)
    added = build_case(
        penalty_types=["fine", "suspend_business"],
        notice={"penalty_types": ["fine"], "fine_amount": "150000.00"},
    )
    assert check(added, "not_heavier").status == prechecks.PROBLEM
    assert check(build_case(), "not_heavier").status == prechecks.PASS


def test_audio_video_must_be_present_or_exempted(build_case, officer, colleague):
    case = build_case()
    assert check(case, "audio_video").status == prechecks.PASS
    issued_row(
        case, "onsite_record", by=officer, act_date=datetime.date(2026, 11, 4), officers=[officer, colleague]
    )
    result = check(case, "audio_video")
    assert result.status == prechecks.PROBLEM and any("既无音像记录" in line for line in result.lines)


def test_documents_must_be_present_and_issued(build_case, officer):
    case = build_case()
    assert check(case, "documents").status == prechecks.PASS
    Document.objects.create(
        case=case, doc_type="inquiry_record", act_date=datetime.date(2026, 11, 5), created_by=officer
    )
    result = check(case, "documents")
    assert result.status == prechecks.PROBLEM and any("尚未签发" in line for line in result.lines)


def test_authority_needs_a_penalty_matter_of_the_catalogue(build_case):
    case = build_case()
    assert check(case, "authority").status == prechecks.PASS
    case.matters.clear()
    assert check(case, "authority").status == prechecks.PROBLEM


def test_evidence_files_count_for_the_package(build_case, officer):
    case = build_case()
    Document.objects.filter(case=case, doc_type="onsite_record").update(doc_type="unrelated")
    assert any("证据材料" in m for m in packaging.build(case).missing)
    Evidence.objects.create(
        case=case,
        kind="photo",
        title="货架照片",
        file="evidence/x",
        mime="image/jpeg",
        size=10,
        sha256="a" * 64,
        uploaded_by=officer,
    )
    assert not any("证据材料" in m for m in packaging.build(case).missing)
