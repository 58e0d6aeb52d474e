"""Reminders: every close or past statutory deadline and every certificate expiring within 30 days notifies
the responsible people once per threshold, in the portal and by e-mail."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from supervision.models import Notification
from supervision.reminders import scan
from tests.conftest import login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster.models import Certificate

pytestmark = pytest.mark.django_db


def at(day):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def mailboxes(officer, colleague, unit_head, bureau_head):
    for person, address in [
        (officer, "li@example.cn"),
        (colleague, "wang@example.cn"),
        (unit_head, "zhou@example.cn"),
        (bureau_head, "sun@example.cn"),
    ]:
        person.email = address
        person.save()


def test_a_filing_deadline_close_after_national_day_reminds_the_officers_and_head_once(
    make_case, officer, colleague, unit_head, bureau_head, mailboxes
):
    # Lead received Tue 2025-09-23: 15 working days, skipping 国庆 2025-10-01..08 and counting the
    # adjusted working Sunday 09-28 and Saturday 10-11 -> due Mon 2025-10-20 (see tests/cases/test_deadlines.py).
    with at(datetime.date(2025, 9, 23)):
        case = make_case(lead_date=datetime.date(2025, 9, 23))
    with at(datetime.date(2025, 10, 9)):  # 7 working days left: nothing yet
        assert scan().created == 0
    with at(datetime.date(2025, 10, 16)):  # amber: within 3 working days of the due date
        first = scan()
        again = scan()
    notes = Notification.objects.filter(case=case)
    assert {n.recipient for n in notes} == {officer, colleague, unit_head}
    assert {n.level for n in notes} == {"amber"}
    assert first.created == 3 and again.created == 0
    assert len(mail.outbox) == 3
    assert "即将到期" in mail.outbox[0].subject and case.lead_number in mail.outbox[0].subject
    due = case.deadlines(datetime.date(2025, 10, 16))[0].due
    assert f"{due.year}年{due.month}月{due.day}日" in notes.first().body


def test_an_overdue_deadline_reminds_again_at_the_red_threshold_and_tells_the_bureau_heads(
    make_case, officer, unit_head, bureau_head, mailboxes
):
    with at(datetime.date(2026, 2, 2)):
        case = make_case(lead_date=datetime.date(2026, 2, 2))
    deadline = case.deadlines(datetime.date(2026, 2, 2))[0]
    with at(deadline.due - datetime.timedelta(days=1)):
        scan()
    with at(deadline.due + datetime.timedelta(days=1)):
        scan()
        scan()
    red = Notification.objects.filter(case=case, level="red")
    assert bureau_head in {n.recipient for n in red}
    assert red.filter(recipient=officer).count() == 1
    assert Notification.objects.filter(case=case, level="amber", recipient=officer).count() == 1


def test_a_certificate_expiring_within_30_days_reminds_its_holder_and_the_admins(officer, admin_user):
    certificate = officer.certificates.get()
    certificate.expires_on = datetime.date(2026, 12, 20)
    certificate.save()
    with at(datetime.date(2026, 11, 10)):  # 40 days ahead: not yet
        scan()
    assert not Notification.objects.exists()
    with at(datetime.date(2026, 11, 25)):
        scan()
        scan()
    notes = Notification.objects.filter(key__startswith="certificate:")
    assert {n.recipient for n in notes} == {officer, admin_user}
    assert "2026年12月20日" in notes.first().body


def test_the_command_and_the_notifications_page(client, make_case, officer, mailboxes):
    with at(datetime.date(2026, 3, 2)):
        make_case(lead_date=datetime.date(2026, 1, 5))
        call_command("send_reminders")
        login_as(client, officer)
        page = client.get("/staff/")
        assert "条未读" in page.content.decode()
        listing = client.get("/staff/supervision/notifications/")
        assert "已逾期" in listing.content.decode()
        note = Notification.objects.filter(recipient=officer).first()
        response = client.post(f"/staff/supervision/notifications/{note.pk}/read/")
        assert response.status_code == 302 and response["Location"] == note.url
        note.refresh_from_db()
        assert note.read_at is not None


def test_nobody_reads_or_marks_another_persons_notification(client, make_case, officer, outsider):
    with at(datetime.date(2026, 3, 2)):
        make_case(lead_date=datetime.date(2026, 1, 5))
        scan()
    note = Notification.objects.filter(recipient=officer).first()
    login_as(client, outsider)
    assert client.post(f"/staff/supervision/notifications/{note.pk}/read/").status_code == 404
    assert AuditEvent.objects.filter(action="supervision.notification.access_denied", actor=outsider).exists()
    note.refresh_from_db()
    assert note.read_at is None
    assert "已逾期" not in client.get("/staff/supervision/notifications/").content.decode()


def test_a_certificate_already_renewed_is_not_reminded(officer, admin_user):
    # The same rule as the dashboard (roster/certification.py): a newer certificate takes over the day after.
    old = officer.certificates.get()
    old.expires_on = datetime.date(2026, 12, 20)
    old.save()
    renewed = Certificate.objects.create(
        number="5323099999",
        holder=officer,
        unit=old.unit,
        fields=old.fields,
        issued_on=datetime.date(2026, 11, 1),
        expires_on=datetime.date(2031, 10, 31),
    )
    with at(datetime.date(2026, 11, 25)):
        scan()
    assert not Notification.objects.filter(key__startswith="certificate:").exists()
    renewed.issued_on = datetime.date(2026, 12, 22)  # a gap of one day: the old one must be renewed
    renewed.save()
    with at(datetime.date(2026, 11, 25)):
        scan()
    assert Notification.objects.filter(key__startswith=f"certificate:{old.pk}:").count() == 2


def test_mail_that_fails_is_logged_and_sent_by_the_next_scan(
    make_case, officer, mailboxes, monkeypatch, caplog
):
    import smtplib

    from supervision import reminders

    with at(datetime.date(2025, 9, 23)):
        make_case(lead_date=datetime.date(2025, 9, 23))

    def down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("邮件服务器无响应")

    with at(datetime.date(2025, 10, 16)):
        monkeypatch.setattr(reminders, "send_mass_mail", down)
        first = scan()
        monkeypatch.undo()
        assert first.created == 3 and first.emailed == 0 and not mail.outbox
        assert any(r.name == "wuding.supervision" and r.levelname == "ERROR" for r in caplog.records)
        assert not Notification.objects.filter(emailed=True).exists()
    with at(datetime.date(2025, 10, 17)):
        second = scan()
    assert second.emailed == 3 and len(mail.outbox) == 3
    assert not Notification.objects.filter(emailed=False).exists()
