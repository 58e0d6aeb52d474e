"""Login, failed login and logout reach the audit log; no password, session key or full ID number reaches any
log (the audit table, django-axes' attempts table, or Python logging)."""

import logging

from axes.models import AccessAttempt

from tests.accounts.conftest import sign_in
from tests.conftest import PASSWORD
from wuding_enforcement.audit.models import AuditEvent

WRONG_PASSWORD = "Guess-Her-Password-77"
ID_NUMBER = "532329199001011234"


def everything_logged(caplog) -> str:
    rows = []
    for event in AuditEvent.objects.order_by("seq"):
        rows.append(
            " ".join([repr(event), str(event), event.object_repr, event.actor_name, str(event.detail)])
        )
    for attempt in AccessAttempt.objects.all():
        rows.append(" ".join([repr(attempt), attempt.username, attempt.get_data, attempt.post_data]))
    return "\n".join(rows + [caplog.text])


def test_auth_events_are_recorded_without_passwords_session_keys_or_id_numbers(client, officer, caplog):
    caplog.set_level(logging.DEBUG)

    sign_in(client, "li_officer", WRONG_PASSWORD)
    sign_in(client, ID_NUMBER, WRONG_PASSWORD)
    sign_in(client, "li_officer")
    session_key = client.cookies["sessionid"].value
    client.get("/staff/")
    client.post("/accounts/logout/")

    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert [a for a in actions if a.startswith("auth.")] == [
        "auth.login_failed",
        "auth.login_failed",
        "auth.login",
        "auth.logout",
    ]
    logged = everything_logged(caplog)
    assert "li_officer" in logged  # the search does look at the rows
    for secret in (PASSWORD, WRONG_PASSWORD, session_key, ID_NUMBER):
        assert secret not in logged
    assert "532329********1234" in logged


def test_a_locked_out_attempt_logs_no_password_either(client, officer, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(5):
        sign_in(client, "li_officer", WRONG_PASSWORD)

    sign_in(client, "li_officer")

    logged = everything_logged(caplog)
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
    assert PASSWORD not in logged
    assert WRONG_PASSWORD not in logged
