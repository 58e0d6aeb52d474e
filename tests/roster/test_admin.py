"""The admin of the shared domain (roster/admin.py, cases/admin.py), driven as the admin persona 郑丽."""

import datetime
import io

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.conftest import login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import Case, CaseTransition
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.roster import xlsx
from wuding_enforcement.roster.models import Certificate, CertificateStatus, Role, Staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Frozen so that the personas' certificates (2024-01-01 to 2028-12-31) are valid and sessions stay fresh.
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def admin_client(client, admin_user):
    return login_as(client, admin_user)


def upload(data: bytes, name="名册.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return file


def workbook_bytes(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- Export and import pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["staff", "certificate"])
def test_the_admin_downloads_a_valid_workbook_from_the_change_list(admin_client, officer, model):
    changelist = admin_client.get(f"/admin/roster/{model}/")
    assert f'href="/admin/roster/{model}/export/"'.encode() in changelist.content
    assert f'href="/admin/roster/{model}/import/"'.encode() in changelist.content

    response = admin_client.get(f"/admin/roster/{model}/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    headers = xlsx.STAFF_HEADERS if model == "staff" else xlsx.CERTIFICATE_HEADERS
    assert list(rows[0]) == headers
    assert any("li_officer" in row for row in rows[1:])
    assert AuditEvent.objects.filter(action__endswith="exported", actor_name="郑丽").exists()


def test_the_import_page_lists_every_bad_row_by_number_and_imports_nothing(admin_client, officer):
    data = workbook_bytes(
        [
            xlsx.STAFF_HEADERS,
            ["chen_new", "陈晓燕", "狮山市场监督管理所", "", "执法人员", "是"],
            ["zhang", "张三", "不存在的所", "", "执法人员", "是"],
            ["huang", "黄六", "狮山市场监督管理所", "", "执法人员", "明天"],
        ]
    )
    count = Staff.objects.count()

    response = admin_client.post("/admin/roster/staff/import/", {"file": upload(data)})

    assert response.status_code == 200
    errors = [str(e) for e in response.context["import_errors"]]
    assert [e[:3] for e in errors] == ["第3行", "第4行"]
    assert "不存在的所" in response.content.decode()
    assert Staff.objects.count() == count


def test_the_import_page_refuses_a_file_that_is_not_a_workbook(admin_client):
    response = admin_client.post(
        "/admin/roster/certificate/import/", {"file": upload(b"%PDF-1.7 not a spreadsheet", "证件.xlsx")}
    )

    assert "文件不是有效的 Excel (.xlsx) 文件。" in response.content.decode()


def test_a_clean_import_reports_its_counts_and_returns_to_the_list(admin_client, officer):
    data = workbook_bytes(
        [xlsx.STAFF_HEADERS, ["chen_new", "陈晓燕", "狮山市场监督管理所", "", "执法人员", "是"]]
    )

    response = admin_client.post("/admin/roster/staff/import/", {"file": upload(data)}, follow=True)

    assert response.redirect_chain[-1][0] == "/admin/roster/staff/"
    assert "新增人员1条" in response.content.decode()
    assert Staff.objects.get(username="chen_new").must_change_password


@pytest.mark.parametrize(
    "url",
    [
        "/admin/roster/staff/export/",
        "/admin/roster/certificate/export/",
        "/admin/roster/staff/import/",
        "/admin/roster/certificate/import/",
    ],
)
def test_an_officer_cannot_reach_the_admin_export_or_import(client, officer, url):
    login_as(client, officer)

    response = client.get(url)

    assert response.status_code in (302, 403)
    assert response.get("Content-Type") != XLSX
    assert not AuditEvent.objects.filter(action__endswith="exported").exists()


def test_an_admin_whose_role_cannot_add_staff_may_export_but_not_import(admin_client):
    Group.objects.get(name=Role.ADMIN).permissions.remove(Permission.objects.get(codename="add_staff"))

    assert admin_client.get("/admin/roster/staff/export/")["Content-Type"] == XLSX
    assert admin_client.get("/admin/roster/staff/import/").status_code == 403
    assert b"/admin/roster/staff/import/" not in admin_client.get("/admin/roster/staff/").content


# --- Staff -------------------------------------------------------------------------------------------------------


def test_the_add_form_requires_name_and_unit(admin_client):
    response = admin_client.post(
        "/admin/roster/staff/add/",
        {
            "username": "chen_new",
            "usable_password": "true",
            "password1": "Chen-Xiao-2026!",
            "password2": "Chen-Xiao-2026!",
        },
    )

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"real_name", "unit"}
    assert not Staff.objects.filter(username="chen_new").exists()


def test_an_account_created_by_an_admin_must_change_its_password(admin_client, units):
    admin_client.post(
        "/admin/roster/staff/add/",
        {
            "username": "chen_new",
            "real_name": "陈晓燕",
            "unit": units["gaoqiao"].pk,
            "phone": "",
            "usable_password": "true",
            "password1": "Chen-Xiao-2026!",
            "password2": "Chen-Xiao-2026!",
        },
    )

    person = Staff.objects.get(username="chen_new")
    assert person.must_change_password
    assert person.check_password("Chen-Xiao-2026!")


def test_a_password_reset_by_an_admin_must_be_changed_by_its_owner(admin_client, officer):
    assert not officer.must_change_password

    response = admin_client.post(
        f"/admin/roster/staff/{officer.pk}/password/",
        {"password1": "Reset-Li-2026!", "password2": "Reset-Li-2026!", "usable_password": "true"},
    )

    officer.refresh_from_db()
    assert response.status_code == 302
    assert officer.check_password("Reset-Li-2026!")
    assert officer.must_change_password
    assert AuditEvent.objects.filter(
        action="roster.staff.password_set_by_admin", object_id=str(officer.pk)
    ).exists()


def test_the_staff_page_shows_the_certificates_and_qualifications_read_only(admin_client, reviewer, officer):
    officer_page = admin_client.get(f"/admin/roster/staff/{officer.pk}/change/").content.decode()
    reviewer_page = admin_client.get(f"/admin/roster/staff/{reviewer.pk}/change/").content.decode()

    assert officer.certificates.get().number in officer_page
    assert 'name="certificates-0-number"' not in officer_page
    assert "A20195300001" in reviewer_page


def test_the_deactivate_action_deactivates_without_deleting(admin_client, officer):
    response = admin_client.post(
        "/admin/roster/staff/", {"action": "deactivate_selected", "_selected_action": [officer.pk]}
    )

    officer.refresh_from_db()
    assert response.status_code == 302
    assert not officer.is_active
    assert AuditEvent.objects.filter(action="roster.staff.deactivated", object_id=str(officer.pk)).exists()


def staff_form(person, **changes):
    data = {
        "username": person.username,
        "real_name": person.real_name,
        "unit": person.unit_id or "",
        "phone": person.phone,
        "email": person.email,
        "groups": [g.pk for g in person.groups.all()],
        "is_active": "on" if person.is_active else "",
        "must_change_password": "",
        "legal_review_started_on": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        **{
            f"{prefix}-{key}": value
            for prefix in ("certificates", "legal_qualifications")
            for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0), ("MAX_NUM_FORMS", 0))
        },
    }
    data.update(changes)
    return data


def test_nobody_deactivates_their_own_account_by_any_path(admin_client, admin_user, officer):
    from wuding_enforcement.shared.refusals import Refused

    with pytest.raises(Refused, match="不能停用自己的账号"):
        admin_user.deactivate(by=admin_user)
    action = admin_client.post(
        "/admin/roster/staff/",
        {"action": "deactivate_selected", "_selected_action": [admin_user.pk]},
        follow=True,
    )
    assert "不能停用自己的账号。" in action.content.decode()
    form = admin_client.post(
        f"/admin/roster/staff/{admin_user.pk}/change/", staff_form(admin_user, is_active="")
    )
    assert form.status_code == 200 and "不能停用自己的账号。" in form.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active
    # Anyone else's account is deactivated through the same form.
    other = admin_client.post(f"/admin/roster/staff/{officer.pk}/change/", staff_form(officer, is_active=""))
    officer.refresh_from_db()
    assert other.status_code == 302 and not officer.is_active


def test_an_admin_who_is_not_a_superuser_cannot_make_a_superuser(admin_client, officer):
    page = admin_client.get(f"/admin/roster/staff/{officer.pk}/change/").content.decode()

    assert 'name="is_superuser"' not in page


# --- Certificates ---------------------------------------------------------------------------------------------


def certificate_form(cert, **changes):
    data = {
        "kind": cert.kind,
        "number": cert.number,
        "holder": cert.holder_id,
        "unit": cert.unit_id,
        "fields": cert.fields,
        "issuing_authority": cert.issuing_authority,
        "issued_on": cert.issued_on.isoformat(),
        "expires_on": cert.expires_on.isoformat(),
        "status": cert.status,
        "status_since": "",
        "status_reason": "",
        "exam_passed_on": "",
        "exam_score": "",
        "exam_note": "",
    }
    data.update(changes)
    return data


def test_the_history_page_of_a_certificate_shows_a_change_made_in_the_admin(admin_client, officer):
    cert = officer.certificates.get()

    response = admin_client.post(
        f"/admin/roster/certificate/{cert.pk}/change/",
        certificate_form(
            cert, status=CertificateStatus.SUSPENDED, status_since="2026-11-20", status_reason="涉嫌违规执法"
        ),
    )
    history = admin_client.get(f"/admin/roster/certificate/{cert.pk}/history/").content.decode()

    assert response.status_code == 302
    assert "涉嫌违规执法" in history
    assert "郑丽" in history  # who changed it
    assert cert.history.count() == 2


def test_the_certificate_form_explains_its_rules_in_chinese(admin_client, officer):
    cert = officer.certificates.get()

    response = admin_client.post(
        f"/admin/roster/certificate/{cert.pk}/change/", certificate_form(cert, expires_on="2023-12-31")
    )
    suspended = admin_client.post(
        f"/admin/roster/certificate/{cert.pk}/change/",
        certificate_form(cert, status=CertificateStatus.REVOKED),
    )

    assert "有效期至必须晚于发证日期。" in response.content.decode()
    assert "暂扣、吊销、注销须填写状态变更日期。" in suspended.content.decode()
    cert.refresh_from_db()
    assert cert.status == CertificateStatus.VALID


def test_the_certificate_list_shows_and_filters_the_status_as_of_today(admin_client, officer, colleague):
    expired = colleague.certificates.get()
    expired.issued_on, expired.expires_on = datetime.date(2020, 1, 1), datetime.date(2026, 6, 30)
    expired.save()

    everything = admin_client.get("/admin/roster/certificate/")
    only_expired = admin_client.get("/admin/roster/certificate/?status_today=expired")

    assert "过期" in everything.content.decode()
    assert [c.pk for c in only_expired.context["cl"].result_list] == [expired.pk]


def test_the_status_filter_agrees_with_each_certificates_own_status(officer, colleague, outsider, unit_head):
    """The list filter (SQL) and Certificate.status_on (Python) must never disagree, whatever the mix."""
    setups = [
        (officer, CertificateStatus.VALID, None, datetime.date(2028, 12, 31)),
        (colleague, CertificateStatus.VALID, None, datetime.date(2026, 1, 31)),  # expired
        (outsider, CertificateStatus.SUSPENDED, datetime.date(2026, 11, 1), datetime.date(2028, 12, 31)),
        (
            unit_head,
            CertificateStatus.REVOKED,
            datetime.date(2026, 12, 20),
            datetime.date(2028, 12, 31),
        ),  # later
    ]
    for person, status, since, expires in setups:
        Certificate.objects.filter(holder=person).update(
            status=status, status_since=since, expires_on=expires
        )
    certificates = list(Certificate.objects.all())
    today = datetime.date(2026, 11, 25)

    for status in CertificateStatus.values:
        by_sql = set(Certificate.objects.with_status_on(status, today))
        by_python = {c for c in certificates if c.status_on(today) == status}
        assert by_sql == by_python, status
    assert {c.status_on(today) for c in certificates} == {"valid", "expired", "suspended"}


def test_the_certificate_list_is_searchable_by_holder_name(admin_client, officer, colleague):
    response = admin_client.get("/admin/roster/certificate/", {"q": "王志强"})

    assert [c.holder for c in response.context["cl"].result_list] == [colleague]


# --- Units -----------------------------------------------------------------------------------------------------


def test_a_unit_head_is_chosen_among_staff_holding_the_unit_head_role(
    admin_client, units, unit_head, officer
):
    response = admin_client.get(f"/admin/roster/unit/{units['gaoqiao'].pk}/change/")

    choices = list(response.context["adminform"].form.fields["head"].queryset)
    assert unit_head in choices
    assert officer not in choices


# --- Cases: view only, the stage untouchable ---------------------------------------------------------------------


def test_the_case_admin_cannot_change_the_stage(admin_client, make_case):
    case = make_case()
    page = admin_client.get(f"/admin/cases/case/{case.pk}/change/")

    response = admin_client.post(
        f"/admin/cases/case/{case.pk}/change/",
        {"stage": Stage.CLOSED, "title": "改过的案由", "_save": "保存"},
    )

    case.refresh_from_db()
    assert page.status_code == 200
    assert 'name="stage"' not in page.content.decode()
    assert Stage(case.stage).label in page.content.decode()  # shown, read-only
    assert response.status_code == 403
    assert case.stage != Stage.CLOSED
    assert case.title == "涉嫌销售过期食品案"
    assert not CaseTransition.objects.filter(case=case).exists()


def test_an_old_version_of_a_case_cannot_be_restored_from_its_history(
    admin_client, make_case, unit_head, bureau_head, officer
):
    from tests.conftest import file_case

    case = file_case(make_case(), unit_head, bureau_head, officer)
    assert case.stage == Stage.FILED
    first_version = case.history.order_by("history_id").first()

    response = admin_client.post(
        f"/admin/cases/case/{case.pk}/history/{first_version.history_id}/",
        {"title": case.title, "_change_history": "1"},
    )

    case.refresh_from_db()
    assert response.status_code == 403
    assert case.stage == Stage.FILED


def test_the_case_page_masks_party_id_numbers(admin_client, make_case):
    case = make_case(
        parties=[
            {
                "kind": "person",
                "name": "张某某",
                "id_type": "resident_id",
                "id_number": "532329198001011234",
                "address": "武定县狮山镇某村",
            }
        ]
    )

    page = admin_client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()

    assert "张某某" in page
    assert "532329198001011234" not in page
    assert "武定县狮山镇某村" not in page


def test_nothing_in_the_domain_can_be_deleted_through_the_admin(admin_user, rf: RequestFactory):
    request = rf.get("/admin/")
    request.user = admin_user
    domain = [m for m in admin.site._registry if m._meta.app_label in {"roster", "cases"}]

    assert {m.__name__ for m in domain} >= {
        "Unit",
        "Staff",
        "Certificate",
        "LegalQualification",
        "PowerItem",
        "CalendarDay",
        "Case",
        "Approval",
    }
    for model in domain:
        model_admin = admin.site._registry[model]
        assert not model_admin.has_delete_permission(request), model
        assert "delete_selected" not in model_admin.get_actions(request), model


@pytest.mark.parametrize(
    "path", ["roster/staff/{officer}", "roster/certificate/{cert}", "roster/unit/{unit}", "cases/case/{case}"]
)
def test_the_delete_pages_refuse(admin_client, officer, make_case, path):
    case = make_case()
    url = (
        "/admin/"
        + path.format(
            officer=officer.pk, cert=officer.certificates.get().pk, unit=officer.unit_id, case=case.pk
        )
        + "/delete/"
    )

    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 403
    assert Staff.objects.filter(pk=officer.pk).exists()
    assert Certificate.objects.filter(holder=officer).exists()
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:roster_trainingsession_changelist",
        "admin:roster_trainingsession_add",
        "admin:supervision_evaluationcriterion_changelist",
        "admin:supervision_evaluationcriterion_add",
    ],
)
def test_the_admin_role_maintains_training_records_and_the_scoring_sheet(admin_client, url_name):
    assert admin_client.get(reverse(url_name)).status_code == 200


def test_the_admin_role_sets_the_yearly_minimum_hours(admin_client):
    # The requirement is a single row: its list page opens that row's change form.
    page = admin_client.get(reverse("admin:roster_trainingrequirement_changelist"), follow=True)
    assert page.status_code == 200
    assert page.redirect_chain and "/change/" in page.redirect_chain[-1][0]
