"""Training hours per person per year, who is behind the yearly minimum, and attendance import from Excel
(the same rules as the rosters: every bad row reported with its number, nothing half-imported)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from wuding_enforcement.audit.api import record

from .models import Certificate, Staff, TrainingAttendance, TrainingKind, TrainingRequirement, TrainingSession
from .xlsx import (
    ImportErrors,
    ImportResult,
    _date,
    _read_rows,
    _required,
    _run_import,
    _text,
    _workbook,
)

ATTENDANCE_HEADERS = ["培训日期", "培训主题", "类别", "学时", "授课人", "用户名", "计入学时"]
_KIND_BY_LABEL = {label: value for value, label in TrainingKind.choices}


@dataclass
class TrainingStatus:
    person: Staff
    hours: Decimal
    minimum: Decimal | None

    @property
    def behind(self) -> bool:
        return self.minimum is not None and self.hours < self.minimum

    @property
    def missing(self) -> Decimal:
        return max(Decimal("0"), (self.minimum or Decimal("0")) - self.hours)


def statuses(year: int, people=None) -> list[TrainingStatus]:
    """Hours of `year` for each active person, with the minimum of their roles. Two queries: the requirement;
    the people with their unit, hours, role names and whether they hold any certificate (subqueries on
    PostgreSQL; SQLite, for development, prefetches the roles and certificates: two more)."""
    requirement = TrainingRequirement.current()
    people = people if people is not None else Staff.objects.filter(is_active=True)
    people = people.with_training_hours(year).select_related("unit")
    # The role names as an array subquery: PostgreSQL's (SQLite, for development, prefetches them instead).
    arrays = connection.vendor == "postgresql"
    if arrays:
        people = people.annotate(
            group_names=ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name")),
            holds_certificate=Exists(Certificate.objects.filter(holder=OuterRef("pk"))),
        )
    else:
        people = people.prefetch_related("groups", "certificates")
    result = []
    for person in people:
        if arrays:
            names, certified = person.group_names, person.holds_certificate
        else:
            names, certified = [g.name for g in person.groups.all()], bool(person.certificates.all())
        person.__dict__["role_names"] = frozenset(names)
        minimum = requirement.minimum_for_roles(person.role_names, has_certificate=certified)
        result.append(TrainingStatus(person, person.training_hours, minimum))
    return result


def behind(year: int) -> list[TrainingStatus]:
    return [s for s in statuses(year) if s.behind]


def _hours(value, label: str, errors: list[str], *, required: bool) -> Decimal | None:
    text = _text(value)
    if not text:
        if required:
            errors.append(f"{label}不能为空。")
        return None
    try:
        hours = Decimal(text).quantize(Decimal("0.1"))
    except InvalidOperation:
        errors.append(f"{label}“{text}”不是有效数字。")
        return None
    if hours <= 0 or hours > 40:
        errors.append(f"{label}应在 0.1 至 40 之间。")
        return None
    return hours


def import_attendance(file, *, actor=None) -> ImportResult:
    return _run_import("training", _import_attendance, file, actor)


def _import_attendance(file, actor=None) -> ImportResult:
    rows = _read_rows(file, ATTENDANCE_HEADERS)
    people = {p.username: p for p in Staff.objects.all()}
    problems: list[tuple[int, str]] = []
    parsed = []
    seen = set()
    for number, row in rows:
        errors: list[str] = []
        day = _date(row["培训日期"], "培训日期", errors)
        if day is None and not errors:
            errors.append("培训日期不能为空。")
        if day and day > timezone.localdate():
            errors.append("培训日期不能晚于今天。")
        topic = _required(row, "培训主题", errors)
        kind_label = _required(row, "类别", errors)
        kind = _KIND_BY_LABEL.get(kind_label)
        if kind_label and kind is None:
            errors.append(f"类别“{kind_label}”无效，应为：{'、'.join(_KIND_BY_LABEL)}。")
        hours = _hours(row["学时"], "学时", errors, required=True)
        credited = _hours(row.get("计入学时"), "计入学时", errors, required=False)
        if hours and credited and credited > hours:
            errors.append("计入学时不能超过本次培训的学时。")
        username = _required(row, "用户名", errors)
        person = people.get(username)
        if username and person is None:
            errors.append(f"用户名“{username}”不在人员名册中。")
        if (day, topic, username) in seen:
            errors.append("同一人员同一培训在文件中重复出现。")
        seen.add((day, topic, username))
        if errors:
            problems += [(number, e) for e in errors]
        elif day is not None and kind is not None and hours is not None:  # always so once a row has no errors
            parsed.append((day, topic, kind, hours, _text(row["授课人"]), person, credited))
    if problems:
        raise ImportErrors(problems)
    result = ImportResult(rows=len(parsed))
    for day, topic, kind, hours, trainer, person, credited in parsed:
        session, _ = TrainingSession.objects.get_or_create(
            date=day, topic=topic, defaults={"kind": kind, "hours": hours, "trainer": trainer}
        )
        _, created = TrainingAttendance.objects.get_or_create(
            session=session, staff=person, defaults={"hours": credited}
        )
        if created:
            result.created += 1
        else:
            result.unchanged += 1
    return result


def export_attendance(year: int, *, actor=None) -> bytes:
    rows = (
        TrainingAttendance.objects.filter(session__date__year=year)
        .select_related("session", "staff")
        .order_by("session__date", "session__topic", "staff__username")
    )
    data = _workbook(
        f"{year}年培训记录",
        ATTENDANCE_HEADERS,
        [
            [
                a.session.date,
                a.session.topic,
                a.session.get_kind_display(),
                a.session.hours,
                a.session.trainer,
                a.staff.username,
                a.hours,
            ]
            for a in rows
        ],
    )
    record("roster.training.exported", actor=actor, detail={"year": year})
    return data
