"""Training records (定期培训): hours per person per year against the yearly minimum of their roles, the
roster shows who is behind, attendance imports from Excel like the rosters."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from tests.conftest import login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster import training
from wuding_enforcement.roster.models import TrainingAttendance, TrainingRequirement, TrainingSession
from wuding_enforcement.roster.xlsx import ImportErrors

pytestmark = pytest.mark.django_db


def session(day, topic, hours, kind="law"):
    return TrainingSession.objects.create(date=day, topic=topic, hours=Decimal(hours), kind=kind)


def test_hours_count_only_the_year_and_partial_attendance(officer, reviewer):
    a = session(datetime.date(2026, 3, 1), "行政处罚法专题", "8")
    b = session(datetime.date(2026, 6, 1), "食品安全抽检业务", "6", kind="business")
    old = session(datetime.date(2025, 12, 30), "年终培训", "10")
    TrainingAttendance.objects.create(session=a, staff=officer)
    TrainingAttendance.objects.create(session=b, staff=officer, hours=Decimal("3"))
    TrainingAttendance.objects.create(session=old, staff=officer)
    by_person = {s.person: s for s in training.statuses(2026)}
    assert by_person[officer].hours == Decimal("11.0")
    assert by_person[reviewer].hours == Decimal("0")


def test_who_is_behind_follows_the_minimum_of_their_roles(officer, reviewer, admin_user):
    rules = TrainingRequirement.current()
    rules.officer_min_hours, rules.reviewer_min_hours = Decimal("10"), Decimal("20")
    rules.save()
    course = session(datetime.date(2026, 4, 1), "法制审核实务", "12", kind="review")
    TrainingAttendance.objects.create(session=course, staff=officer)
    TrainingAttendance.objects.create(session=course, staff=reviewer)
    behind = {s.person: s for s in training.behind(2026)}
    assert officer not in behind  # 12 ≥ 10
    assert behind[reviewer].missing == Decimal("8.0")  # 12 < 20
    assert admin_user not in behind  # no minimum for an admin without certificate


def _attendance_file(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(training.ATTENDANCE_HEADERS)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_attendance_imports_and_groups_rows_into_sessions(officer, colleague):
    result = training.import_attendance(
        _attendance_file(
            [
                ["2026-05-10", "广告法执法实务", "业务知识", 4, "省局讲师", officer.username, None],
                ["2026-05-10", "广告法执法实务", "业务知识", 4, "省局讲师", colleague.username, 2],
            ]
        )
    )
    assert result.created == 2
    course = TrainingSession.objects.get()
    assert course.kind == "business" and course.hours == Decimal("4.0")
    assert TrainingAttendance.objects.get(staff=colleague).hours == Decimal("2.0")
    assert AuditEvent.objects.filter(action="roster.training.imported").exists()


def test_bad_rows_are_all_reported_and_nothing_is_imported(officer):
    with pytest.raises(ImportErrors) as refused:
        training.import_attendance(
            _attendance_file(
                [
                    ["2026-05-10", "广告法执法实务", "业务知识", 4, "", officer.username, None],
                    ["2026-05-11", "价格监管", "唱歌", 4, "", officer.username, None],
                    ["2026-05-12", "计量", "业务知识", 50, "", "nobody", None],
                    ["2026-05-13", "特种设备", "业务知识", 2, "", officer.username, 3],
                ]
            )
        )
    rows = {row for row, _ in refused.value.errors}
    assert rows == {3, 4, 5}
    messages = " ".join(m for _, m in refused.value.errors)
    assert "类别“唱歌”无效" in messages and "不在人员名册中" in messages and "计入学时不能超过" in messages
    assert not TrainingSession.objects.exists() and not TrainingAttendance.objects.exists()


def test_the_staff_roster_shows_hours_and_filters_who_is_behind(client, admin_user, officer, colleague):
    rules = TrainingRequirement.current()
    rules.officer_min_hours = Decimal("10")
    rules.save()
    course = session(datetime.date.today().replace(month=1, day=2), "年度执法培训", "12")
    TrainingAttendance.objects.create(session=course, staff=colleague)
    login_as(client, admin_user)
    page = client.get("/admin/roster/staff/?training=behind").content.decode()
    assert officer.username in page and "wang_colleague" not in page
    assert client.get("/admin/roster/staff/").status_code == 200
