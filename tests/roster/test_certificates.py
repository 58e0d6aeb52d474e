"""Certificates: validity on a date (行政处罚法 第四十二条), 过期 by the date itself, reviewer eligibility
(第五十八条)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.conftest import make_staff
from wuding_enforcement.roster.models import Certificate, CertificateStatus, LegalQualification, Role, Staff

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def certificate(officer):
    cert = officer.certificates.get()
    cert.issued_on, cert.expires_on = D(2024, 3, 1), D(2026, 12, 31)
    cert.save()
    return cert


@pytest.mark.parametrize(
    ("status", "since", "day", "expected"),
    [
        (
            CertificateStatus.VALID,
            None,
            D(2024, 2, 29),
            CertificateStatus.VALID,
        ),  # status only; not yet issued
        (CertificateStatus.VALID, None, D(2026, 12, 31), CertificateStatus.VALID),  # last day still valid
        (CertificateStatus.VALID, None, D(2027, 1, 1), CertificateStatus.EXPIRED),  # the day after: 过期
        (CertificateStatus.SUSPENDED, D(2026, 6, 1), D(2026, 5, 31), CertificateStatus.VALID),
        (CertificateStatus.SUSPENDED, D(2026, 6, 1), D(2026, 6, 1), CertificateStatus.SUSPENDED),
        (CertificateStatus.REVOKED, D(2026, 6, 1), D(2027, 2, 1), CertificateStatus.REVOKED),
        (CertificateStatus.CANCELLED, D(2025, 1, 1), D(2025, 6, 1), CertificateStatus.CANCELLED),
    ],
)
def test_status_on_a_date_follows_the_stored_status_and_the_expiry_date(
    certificate, status, since, day, expected
):
    certificate.status, certificate.status_since = status, since
    certificate.save()
    assert certificate.status_on(day) == expected


def test_is_valid_on_and_the_queryset_agree_on_every_day_around_the_changes(certificate):
    certificate.status, certificate.status_since = CertificateStatus.SUSPENDED, D(2026, 6, 1)
    certificate.save()
    day = D(2024, 2, 25)
    while day <= D(2027, 1, 5):
        in_queryset = Certificate.objects.valid_on(day).filter(pk=certificate.pk).exists()
        assert certificate.is_valid_on(day) == in_queryset, day
        day += datetime.timedelta(days=23 if D(2024, 3, 5) < day < D(2026, 5, 25) else 1)
    assert certificate.is_valid_on(D(2026, 5, 31)) and not certificate.is_valid_on(D(2026, 6, 1))
    assert not certificate.is_valid_on(D(2024, 2, 29))


def test_the_invalid_reason_names_the_certificate_and_the_date(certificate):
    assert certificate.invalid_reason_on(D(2027, 1, 2)) == f"证件 {certificate.number} 已于2026年12月31日过期"
    certificate.status, certificate.status_since = CertificateStatus.REVOKED, D(2026, 6, 1)
    certificate.save()
    assert (
        certificate.invalid_reason_on(D(2026, 7, 1)) == f"证件 {certificate.number} 已吊销（2026年6月1日起）"
    )
    assert certificate.invalid_reason_on(D(2026, 5, 1)) == ""


def test_expiring_within_lists_valid_certificates_ending_in_the_window(certificate, colleague):
    other = colleague.certificates.get()
    other.expires_on = D(2027, 3, 1)
    other.save()
    today = D(2026, 12, 5)
    assert list(Certificate.objects.expiring_within(30, today)) == [certificate]
    certificate.status, certificate.status_since = CertificateStatus.CANCELLED, D(2026, 12, 1)
    certificate.save()
    assert list(Certificate.objects.expiring_within(30, today)) == []


def test_the_database_refuses_an_expiry_before_issue_and_a_stored_expired_status(officer):
    base = {"holder": officer, "unit": officer.unit, "fields": "食品安全", "issued_on": D(2025, 1, 1)}
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(number="X1", expires_on=D(2024, 1, 1), **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            number="X2", expires_on=D(2027, 1, 1), status=CertificateStatus.EXPIRED, **base
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            number="X3", expires_on=D(2027, 1, 1), status=CertificateStatus.REVOKED, **base
        )
    bad = Certificate(number="X4", expires_on=D(2024, 1, 1), **base)
    with pytest.raises(ValidationError, match="有效期至必须晚于发证日期"):
        bad.full_clean()


def test_a_reviewer_who_began_after_july_2021_needs_a_legal_qualification(units):
    newcomer = make_staff(
        "new_reviewer",
        "冯新",
        units["policy"],
        Role.LEGAL_REVIEWER,
        certificate=False,
        legal_review_started_on=D(2023, 5, 1),
    )
    ok, reason = newcomer.review_eligibility_on(D(2026, 11, 25))
    assert not ok and "须取得国家法律职业资格" in reason and "第五十八条" in reason
    LegalQualification.objects.create(holder=newcomer, number="A2024001", granted_on=D(2024, 12, 1))
    assert newcomer.review_eligibility_on(D(2026, 11, 25)) == (True, "")
    # Not before the qualification was granted.
    assert not newcomer.review_eligibility_on(D(2024, 11, 30))[0]


def test_a_reviewer_who_began_before_the_cutoff_may_review_without_the_qualification(units):
    veteran = make_staff(
        "old_reviewer",
        "陈老",
        units["policy"],
        Role.LEGAL_REVIEWER,
        certificate=False,
        legal_review_started_on=D(2018, 3, 1),
    )
    assert veteran.review_eligibility_on(D(2026, 11, 25)) == (True, "")


def test_someone_who_is_not_a_legal_reviewer_may_not_review(officer):
    ok, reason = officer.review_eligibility_on(D(2026, 11, 25))
    assert not ok and "不是法制审核人员" in reason


def test_one_person_may_hold_several_roles(unit_head):
    assert unit_head.has_role(Role.UNIT_HEAD) and unit_head.has_role(Role.OFFICER)
    assert not unit_head.has_role(Role.ADMIN)
    assert set(Staff.objects.with_role(Role.UNIT_HEAD)) == {unit_head}
    unit_head.is_active = False
    unit_head.save()
    gone = Staff.objects.get(pk=unit_head.pk)
    assert not gone.has_role(Role.UNIT_HEAD)  # a deactivated account holds no role
    assert set(Staff.objects.with_role(Role.UNIT_HEAD)) == set()
