"""/admin/ is for active admins (管理员 role) or superusers who passed two-factor; is_staff alone gives nothing."""

import pytest

from tests.accounts.conftest import LOGIN_URL, OTP_VERIFY_URL
from tests.conftest import login_as, make_staff
from wuding_enforcement.audit.models import AuditEvent, Outcome


def test_an_officer_is_refused_the_admin(client, officer):
    login_as(client, officer)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action="auth.permission_denied", actor=officer, outcome=Outcome.DENIED
    ).exists()


def test_an_officer_ticked_is_staff_by_mistake_is_refused_too(client, staff_officer):
    assert staff_officer.is_staff
    login_as(client, staff_officer)

    assert client.get("/admin/", follow=True).status_code == 403
    assert client.get("/admin/roster/staff/", follow=True).status_code == 403


def test_an_admin_who_has_not_passed_two_factor_is_sent_to_it_not_into_the_admin(client, admin_user):
    login_as(client, admin_user, verified=False)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(OTP_VERIFY_URL)


def test_the_admin_site_itself_refuses_an_unverified_admin(rf, admin_user):
    # Defence in depth: even without AccountSecurityMiddleware in front, the site's own check wants two-factor.
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = admin_user
    admin_user.is_verified = lambda: False
    assert admin.site.has_permission(request) is False
    admin_user.is_verified = lambda: True
    assert admin.site.has_permission(request) is True


def test_an_admin_after_two_factor_may_use_the_admin(client, admin_user):
    login_as(client, admin_user)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "系统管理" in response.content.decode()


def test_an_admin_without_the_is_staff_flag_may_use_the_admin_too(client, units):
    from wuding_enforcement.roster.models import Role

    admin_without_flag = make_staff("feng_admin", "冯婷", units["policy"], Role.ADMIN, certificate=False)
    login_as(client, admin_without_flag)

    assert client.get("/admin/").status_code == 200


def test_a_verified_superuser_may_use_the_admin(client, units):
    superuser = make_staff("root_ops", "运维", units["office"], certificate=False, is_superuser=True)
    login_as(client, superuser)

    assert client.get("/admin/").status_code == 200


def test_a_superuser_must_pass_two_factor_as_well(client, units):
    superuser = make_staff("root_ops", "运维", units["office"], certificate=False, is_superuser=True)
    login_as(client, superuser, verified=False)

    assert client.get("/admin/")["Location"].startswith(OTP_VERIFY_URL)


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/"])
def test_a_visitor_is_sent_to_the_staff_login_page_not_the_admin_login_form(client, db, path):
    response = client.get(path, follow=True)

    assert response.redirect_chain[-1][0].startswith(LOGIN_URL)
    assert "工作人员登录" in response.content.decode()


def test_the_admin_login_form_cannot_be_used_to_sign_in(client, admin_user):
    from tests.conftest import PASSWORD

    client.post("/admin/login/", {"username": "zheng_admin", "password": PASSWORD})

    assert "_auth_user_id" not in client.session


def test_the_header_links_to_the_admin_for_whom_the_admin_opens_only(
    client, officer, bureau_head, admin_user
):
    # The bureau head's role carries roster.view_staff, but the admin site lets in the 管理员 role and
    # superusers only: the link follows the site's rule (roster/admin_site.holds_admin_role).
    admin_link = 'href="/admin/"'
    for person, shown in ((officer, False), (bureau_head, False), (admin_user, True)):
        login_as(client, person)
        assert (admin_link in client.get("/staff/cases/").content.decode()) is shown, person.username
