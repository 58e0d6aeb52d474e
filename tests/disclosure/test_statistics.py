# ruff: noqa: F811  (pytest fixtures imported from publication_factories are redefined as arguments)
"""年度行政执法统计: figures computed from the portal's rows ("0" where none), entered figures marked as such,
published by 31 January (flagged on the staff side), frozen once published, downloadable as CSV and PDF."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from disclosure.models import AnnualReport
from disclosure.statistics import compute_year, due_state
from tests.conftest import login_as
from tests.disclosure.publication_factories import decided_case, fake_pdf, now  # noqa: F401 - fixtures
from tests.disclosure.support import empty_cache, issued_document  # noqa: F401 - autouse fixture
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import Approval, ApprovalKind, ApprovalStatus, PowerItem, PowerKind
from wuding_enforcement.cases.workflow import Procedure

pytestmark = pytest.mark.django_db


def at(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 10, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def penalty_item(units):
    return PowerItem.objects.create(
        code="CF-T-1",
        kind=PowerKind.PENALTY,
        field="食品安全",
        name="对经营超过保质期食品的行政处罚",
        legal_basis="食品安全法第一百二十四条",
    )


@pytest.fixture
def year_2025(make_case, officer, bureau_head, penalty_item):
    """Rows of 2025 (and some of 2024 that must not count)."""
    inspection_item = PowerItem.objects.create(
        code="JC-T-1", kind=PowerKind.INSPECTION, field="食品安全", name="检查", legal_basis="x"
    )
    simple = {"procedure": Procedure.SIMPLE, "matters": [penalty_item]}
    on_the_spot = make_case(lead_date=datetime.date(2025, 3, 2), **simple)
    make_case(lead_date=datetime.date(2025, 12, 30), **simple)
    last_year = make_case(lead_date=datetime.date(2024, 12, 30), **simple)  # another year
    # 简易程序 fines count by their 当场行政处罚决定书's act date.
    issued_document(
        on_the_spot,
        officer,
        doc_type="simple_decision",
        code="SPOT000001",
        act_date=datetime.date(2025, 3, 2),
        data={"penalty_types": ["fine"], "fine_amount": "200.00"},
    )
    issued_document(
        last_year,
        officer,
        doc_type="simple_decision",
        code="SPOT000002",
        act_date=datetime.date(2024, 12, 30),
        data={"penalty_types": ["fine"], "fine_amount": "100.00"},
    )
    make_case(
        lead_date=datetime.date(2025, 5, 5), procedure=Procedure.SIMPLE, matters=[inspection_item]
    )  # not a penalty power
    case = make_case(lead_date=datetime.date(2025, 1, 5))
    other = make_case(lead_date=datetime.date(2025, 1, 6))
    for status, when in [
        (ApprovalStatus.APPROVED, datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)),
        (ApprovalStatus.APPROVED, datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)),
    ]:
        Approval.objects.create(
            case=case,
            kind=ApprovalKind.SEIZURE,
            status=status,
            reason="扣押",
            requested_by=officer,
            decided_at=when,
        )
    Approval.objects.create(
        case=other,
        kind=ApprovalKind.SEIZURE,
        status=ApprovalStatus.AWAITING_BUREAU_HEAD,
        reason="扣押",
        requested_by=officer,
    )
    issued_document(
        case, officer, doc_type="onsite_record", code="INSP000001", act_date=datetime.date(2025, 2, 1)
    )
    issued_document(
        case, officer, doc_type="onsite_record", code="INSP000002", act_date=datetime.date(2025, 2, 3)
    )
    issued_document(
        other, officer, doc_type="onsite_record", code="INSP000003", act_date=datetime.date(2025, 9, 1)
    )
    issued_document(
        other, officer, doc_type="onsite_record", code="INSP000004", act_date=datetime.date(2024, 9, 1)
    )
    issued_document(
        case,
        officer,
        code="FINE000001",
        number="武市监处罚〔2025〕1号",
        data={"decided_on": "2025-03-01", "fine_amount": "5000.00"},
    )
    original = issued_document(
        other,
        officer,
        code="FINE000002",
        number="武市监处罚〔2025〕2号",
        data={"decided_on": "2025-07-01", "fine_amount": "1200.50"},
    )
    issued_document(
        other,
        officer,
        code="FINE000003",
        number="武市监处罚〔2025〕3号",
        data={"decided_on": "2025-07-01", "fine_amount": "1000.50"},
        supersedes=original,
    )
    issued_document(
        other,
        officer,
        code="FINE000004",
        number="武市监处罚〔2024〕9号",
        data={"decided_on": "2024-12-01", "fine_amount": "800.00"},
    )
    issued_document(
        other,
        officer,
        code="FINE000005",
        number="武市监处罚〔2025〕5号",
        data={"decided_on": "2025-08-01", "penalty_types": ["warning"]},
    )


def values(figures):
    return {f.key: f.value for f in figures.figures}


def test_the_figures_are_computed_from_the_rows_of_the_year(year_2025):
    report = AnnualReport.objects.create(year=2025, licensing=12, inspections_outside_cases=30)
    got = values(compute_year(2025, report=report))
    assert got["penalty"] == "2"
    assert got["coercion"] == "1"
    assert got["inspection"] == "32"  # 2 cases with an on-site inspection + 30 entered
    # A corrected decision counts once, with its corrected amount; the 2025 on-the-spot fine counts (200.00).
    assert got["fines"] == "6200.50"
    assert got["licensing"] == "12"
    assert got["expropriation"] == "0" and got["requisition"] == "0"


def test_entered_figures_are_marked_as_entered(year_2025):
    figures = compute_year(2025, report=AnnualReport.objects.create(year=2025, licensing=3))
    sources = {f.key: f.source_label for f in figures.figures}
    assert sources["licensing"] == sources["expropriation"] == sources["requisition"] == "填报"
    assert sources["penalty"] == sources["coercion"] == sources["fines"] == "系统统计"
    assert sources["inspection"] == "系统统计＋填报"


def test_a_year_without_any_rows_says_zero_everywhere(db):
    got = values(compute_year(2023))
    assert got.pop("fines") == "0.00"
    assert set(got.values()) == {"0"}
    assert set(got) >= {
        "licensing",
        "penalty",
        "coercion",
        "inspection",
        "expropriation",
        "requisition",
        "publications",
        "reviews",
    }


def test_the_flag_is_raised_in_january_and_turns_overdue_after_the_31st(admin_user):
    with at(2026, 1, 10):
        state = due_state()
        assert (state.year, state.state) == (2025, "near") and "2026年1月31日前" in state.message
    with at(2026, 1, 31):
        assert due_state().state == "near"
    with at(2026, 2, 1):
        assert due_state().state == "overdue" and "逾期" in due_state().message
    report = AnnualReport.objects.create(year=2025)
    report.publish(by=admin_user, on=datetime.date(2026, 1, 20))
    with at(2026, 2, 1):
        assert due_state().state == "published"


def test_the_staff_page_shows_the_flag_to_admins_only(client, admin_user, officer):
    with at(2026, 2, 3):
        login_as(client, admin_user)
        text = client.get(reverse("disclosure:statistics_staff")).content.decode()
        assert "2025年度行政执法统计应于2026年1月31日前公开，现已逾期" in text
        login_as(client, officer)
        assert client.get(reverse("disclosure:statistics_staff")).status_code == 403


def test_publishing_freezes_the_figures_and_writes_the_audit_log(
    client, year_2025, admin_user, make_case, penalty_item
):
    AnnualReport.objects.create(year=2025, licensing=12)
    with at(2026, 1, 15):
        login_as(client, admin_user)
        response = client.post(reverse("disclosure:statistics_publish", args=[2025]), follow=True)
        assert "2025年度行政执法统计已发布" in response.content.decode()
        client.logout()
        report = AnnualReport.objects.get(year=2025)
        assert report.published_on == datetime.date(2026, 1, 15) and report.published_by == admin_user
        assert AuditEvent.objects.filter(action="disclosure.annual_report.published").exists()
        make_case(lead_date=datetime.date(2025, 12, 31), procedure=Procedure.SIMPLE, matters=[penalty_item])
        assert values(compute_year(2025))["penalty"] == "3"  # the live computation moved on ...
        text = client.get(reverse("disclosure:statistics_year", args=[2025])).content.decode()
    assert "2025年度行政执法统计" in text and "<svg" in text
    assert '<td class="num">2 件</td>' in text  # ... the published report did not
    assert '<td class="num">6200.50 元</td>' in text


def test_a_report_cannot_be_published_twice_or_before_its_year_ends(admin_user):
    with at(2026, 6, 1):
        current = AnnualReport.objects.create(year=2026)
        with pytest.raises(ValidationError, match="尚未结束"):
            current.publish(by=admin_user)
        last = AnnualReport.objects.create(year=2025)
        last.publish(by=admin_user)
        with pytest.raises(ValidationError, match="已于"):
            last.publish(by=admin_user)


def test_an_unpublished_year_is_not_shown(client, admin_user):
    AnnualReport.objects.create(year=2025, licensing=5)
    response = client.get(reverse("disclosure:statistics_year", args=[2025]))
    assert response.status_code == 404 and "尚未发布" in response.content.decode()
    assert client.get(reverse("disclosure:statistics_csv", args=[2025])).status_code == 404
    assert client.get(reverse("disclosure:statistics_pdf", args=[2025])).status_code == 404


@pytest.fixture
def published_2025(year_2025, admin_user):
    report = AnnualReport.objects.create(year=2025, licensing=12, note="本局未实施行政征收、征用。")
    report.publish(by=admin_user, on=datetime.date(2026, 1, 20))
    return report


def test_the_published_report_downloads_as_csv(client, published_2025):
    response = client.get(reverse("disclosure:statistics_csv", args=[2025]))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff项目,数值,单位,数据来源,说明")
    assert "行政许可,12,件,填报," in text and "罚款金额,6200.50,元,系统统计" in text
    assert "行政征用,0,件,填报" in text


def test_the_published_report_downloads_as_pdf(client, published_2025):
    response = client.get(reverse("disclosure:statistics_pdf", args=[2025]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_the_live_page_shows_the_current_year_so_far(client, make_case, penalty_item):
    year = timezone.localdate().year
    make_case(lead_date=timezone.localdate(), procedure=Procedure.SIMPLE, matters=[penalty_item])
    text = client.get(reverse("disclosure:statistics_live")).content.decode()
    assert f"{year}年行政执法数据（实时）" in text and '<td class="num">1 件</td>' in text
    assert Decimal(values(compute_year(year))["fines"]) == Decimal("0")


# --- Figures other systems hold: read through explicit dependencies, never guessed -------------------------


def test_completed_legal_reviews_are_counted_through_the_cases_hook(make_case, officer, reviewer):
    """legal_review registers its count into cases.annual_counts from ready(); the statistics read the hook.
    Rounds decided in 2025 count, whatever their outcome; open rounds and other years do not."""
    from legal_review.models import ReviewRound, RoundStatus

    def review_round(case, number, status, decided_on=None):
        return ReviewRound.objects.create(
            case=case,
            number=number,
            status=status,
            proposal_hash="p" * 64,
            confirmation="承办单位对送审材料的真实性、完整性负责。",
            submitted_by=officer,
            submitted_on=datetime.date(2025, 3, 1),
            due_on=datetime.date(2025, 3, 20),
            reviewer=reviewer,
            decided_on=decided_on,
            approved_hash="p" * 64 if status == RoundStatus.APPROVED else "",
        )

    case, other, third = make_case(), make_case(), make_case()
    review_round(case, 1, RoundStatus.RETURNED, datetime.date(2025, 3, 10))
    review_round(case, 2, RoundStatus.APPROVED, datetime.date(2025, 4, 2))
    review_round(other, 1, RoundStatus.APPROVED, datetime.date(2024, 12, 30))  # another year
    review_round(third, 1, RoundStatus.IN_REVIEW)  # not completed
    figure = compute_year(2025).get("reviews")
    assert (figure.value, figure.note) == ("2", "")


def test_a_figure_no_system_reports_says_so(monkeypatch, db):
    from wuding_enforcement.cases.annual import annual_counts

    monkeypatch.setattr(annual_counts, "_entries", [])
    figure = compute_year(2025).get("reviews")
    assert (figure.value, figure.note) == ("0", "本系统尚未启用法制审核")


def test_published_decisions_are_counted_from_the_publications_of_the_year(
    decided_case, officer, bureau_head
):
    from disclosure.models import Publication
    from tests.disclosure.publication_factories import issue_decision, serve

    case = decided_case()
    for _ in range(2):
        pub = Publication.objects.get(document=issue_decision(case, officer))
        serve(pub.document, officer)
        pub.publish(by=bureau_head)
    Publication.objects.get(document=issue_decision(case, officer))  # a draft: not published
    assert compute_year(2026).get("publications").value == "2"
    assert compute_year(2025).get("publications").value == "0"
