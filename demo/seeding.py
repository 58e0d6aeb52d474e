"""Loading the demo bureau (data.py) through the domain API: cases are registered with Case.register_lead,
filed, not filed and closed through approvals, and moved on with Case.advance — never by writing a stage.

Demo only: every entry point refuses unless settings.DEMO_MODE is on (it is off in production, DEBUG=False).
"""

import datetime
import json
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.models import (
    PENDING_APPROVAL,
    Approval,
    ApprovalKind,
    Case,
    CasePause,
    IdType,
    Party,
    PartyKind,
    PowerItem,
)
from wuding_enforcement.cases.workflow import Procedure, Stage, TransitionRefused
from wuding_enforcement.roster.models import (
    Certificate,
    CertificateKind,
    CertificateStatus,
    LegalQualification,
    Role,
    Staff,
    Unit,
)
from wuding_enforcement.roster.otp import issue_demo_backup_codes

from . import case_data, data

POWER_ITEMS_FILE = Path(settings.BASE_DIR) / "fixtures" / "power_items.json"


class DemoModeOff(ImproperlyConfigured):
    """Raised when demo data is asked for where settings.DEMO_MODE is off (production)."""


def require_demo_mode() -> None:
    if not getattr(settings, "DEMO_MODE", False):
        raise DemoModeOff(
            "演示数据只能在演示模式下载入（DEMO_MODE 关闭，即 DEBUG=False 的生产环境拒绝此操作）。"
        )


def existing_demo_marker() -> str:
    """What shows that demo data (or rows that would collide with it) is already there; "" if nothing."""
    if Unit.objects.filter(name=data.MARKER_UNIT).exists():
        return f"单位“{data.MARKER_UNIT}”"
    taken = list(
        Staff.objects.filter(username__in=[u for _, u in data.DEMO_ACCOUNTS]).values_list(
            "username", flat=True
        )
    )
    if taken:
        return "账号 " + "、".join(sorted(taken))
    return ""


# --- Fictitious identifiers with valid check digits -----------------------------------------------------

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def resident_id(birth: datetime.date, seq: int) -> str:
    """An 18-digit 居民身份证号码 of 武定县 with the GB 11643 check digit (fictitious: seq is made up)."""
    body = f"{data.COUNTY_CODE}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def credit_code(prefix: str, seq: int) -> str:
    """An 18-character 统一社会信用代码 (GB 32100) registered in 武定县: prefix 91 = enterprise, 92 = 个体工商户;
    the organisation-code part carries its own GB 11714 check character."""
    org = f"MA6{seq % 100000:05d}"
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(org, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    org += "X" if check == 10 else "0" if check == 11 else str(check)
    body = f"{prefix}{data.COUNTY_CODE}{org}"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS[:17], strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def _birth(value, today: datetime.date) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    # An age in years: the birthday passed about forty days ago, so the age holds on the seeding day.
    day = today - datetime.timedelta(days=40)
    return day.replace(year=day.year - value, day=min(day.day, 28))


def _party(spec: dict, today: datetime.date) -> Party:
    kind = spec["kind"]
    party = Party(kind=kind, name=spec["name"], address=spec["address"], phone=spec["phone"])
    if kind == PartyKind.PERSON:
        party.id_type = IdType.RESIDENT_ID
        party.id_number = resident_id(_birth(spec["birth"], today), spec["seq"])
        party.is_minor = spec.get("is_minor", False)
    elif kind == PartyKind.INDIVIDUAL_BUSINESS:
        party.operator = spec["operator"]
        party.credit_code = credit_code("92", spec["seq"])
    else:
        party.legal_representative = spec["legal_representative"]
        party.credit_code = credit_code("91", spec["seq"])
    return party


# --- The powers catalogue ---------------------------------------------------------------------------------


def load_power_items(path: Path = POWER_ITEMS_FILE) -> int:
    """Create or update the 权责清单 from the JSON file (matched by code; the responsible unit by name, left
    empty where no unit has that name). Returns the number of items in the file."""
    items = json.loads(Path(path).read_text(encoding="utf-8"))["items"]
    units = {u.name: u for u in Unit.objects.all()}
    for item in items:
        PowerItem.objects.update_or_create(
            code=item["code"],
            defaults={
                "kind": item["kind"],
                "field": item["field"],
                "name": item["name"],
                "legal_basis": item["legal_basis"],
                "violation_basis": item.get("violation_basis", ""),
                "penalty_basis": item.get("penalty_basis", ""),
                "responsible_unit": units.get(item["responsible_unit"]),
            },
        )
    return len(items)


# --- Seeding ----------------------------------------------------------------------------------------------


@dataclass
class Summary:
    units: int = 0
    staff: int = 0
    certificates: Counter = field(default_factory=Counter)
    power_items: int = 0
    cases: Counter = field(default_factory=Counter)
    pending_approvals: int = 0
    recording: str = ""
    legal_review: list[str] = field(default_factory=list)
    publications: list[str] = field(default_factory=list)
    supervision: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- Each step on its own day ------------------------------------------------------------------------------

# Working days after the lead on which each step of a demo case is taken: 立案 within the 15 working days of
# 立案审查, the 告知书 served two days after it is signed, the decision after the five working days of 陈述申辩
# have run (第六十二条), served within seven working days (第六十一条), 结案 and 组卷 a few weeks later.
ORDINARY_OFFSETS = {
    Stage.VERIFYING: 1,
    Stage.NOT_FILED: 3,
    Stage.FILED: 2,
    Stage.INVESTIGATING: 3,
    Stage.INVESTIGATION_CONCLUDED: 12,
    Stage.NOTIFIED: 14,
    Stage.STATEMENT: 16,
    Stage.LEGAL_REVIEW: 23,
    Stage.COLLECTIVE: 26,
    Stage.DECIDED: 28,
    Stage.SERVED: 30,
    Stage.EXECUTING: 31,
    Stage.CLOSED: 40,
    Stage.ARCHIVED: 44,
}
# With a hearing (held 10 working days after the 告知书 was served), the review and the decision come later.
HEARING_OFFSETS = {
    **ORDINARY_OFFSETS,
    Stage.LEGAL_REVIEW: 28,
    Stage.COLLECTIVE: 30,
    Stage.DECIDED: 32,
    Stage.SERVED: 33,
    Stage.EXECUTING: 34,
    Stage.CLOSED: 44,
    Stage.ARCHIVED: 48,
}
# 简易程序: decided and served on the spot on the lead day, reported two working days later (第五十二条).
SIMPLE_OFFSETS = {Stage.SERVED: 0, Stage.EXECUTING: 0, Stage.REPORTED: 2, Stage.ARCHIVED: 5}
SIDE_STEP_DAYS = 4
# What the decision of a heard case says of the party's statements (行政处罚法 第六十五条: on the 听证笔录).
HEARD = {
    "statements_answer": (
        "当事人要求举行听证并提出陈述、申辩。本局依法举行听证，经复核，当事人主动停止违法行为属实，"
        "根据听证笔录，在告知的处罚幅度内从轻处罚，未因当事人陈述、申辩而加重处罚。"
    )
}  # 中止, 终止, 移送: a few working days after the step before


def step_offsets(spec) -> dict[str, int]:
    """The working-day offset from the lead of each step of the spec's path, never running backwards."""
    if spec.procedure == Procedure.SIMPLE:
        table = SIMPLE_OFFSETS
    else:
        table = HEARING_OFFSETS if spec.hearing else ORDINARY_OFFSETS
    offsets, previous = {}, 0
    for target in spec.path:
        offset = max(table.get(target, previous + SIDE_STEP_DAYS), previous)
        if target == Stage.DECIDED and Stage.LEGAL_REVIEW in offsets:
            # The proposal the reviewer approves carries its 决定日期, which may not lie in the future when it
            # is submitted, and the decision may not be dated before the review: submitted, reviewed and
            # decided on one day.
            offset = offsets[Stage.LEGAL_REVIEW]
        offsets[target] = previous = offset
    return offsets


class DemoClock:
    """Stands the clock on a past day while a demo step is taken, so approvals, issued documents, their PDFs
    and seals, transitions and the audit log all carry that day. Moves forward only: a later step of the same
    case starts after the previous one ended. Today's steps run on the real clock. time-machine is a
    development dependency; the demo exists only in development (DEMO_MODE, DEBUG)."""

    def __init__(self, today: datetime.date):
        self.today = today
        self.last: datetime.datetime | None = None

    @contextmanager
    def on(self, day: datetime.date, hour: int = 9):
        if day >= self.today:
            yield
            return
        import time_machine

        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        if self.last is not None and self.last.date() == day and self.last >= moment:
            moment = self.last + datetime.timedelta(minutes=5)
        with time_machine.travel(moment, tick=True):
            yield
            self.last = timezone.localtime()


class _Seeder:
    def __init__(self, today: datetime.date):
        self.today = today
        self.summary = Summary()
        self.units: dict[str, Unit] = {}
        self.staff: dict[str, Staff] = {}
        self.bureau_heads: list[Staff] = []
        self.days: dict[str, datetime.date] = {}
        self.clock = DemoClock(today)

    def run(self) -> Summary:
        self.make_units()
        self.make_staff()
        self.summary.power_items = load_power_items()
        # Oldest lead first, so that the gapless 案源登记号 follow the lead dates as in a real register.
        for index, spec in enumerate(sorted(case_data.CASES, key=lambda c: -c.lead_ago)):
            self.make_case(index, spec)
        self.seed_systems()
        for username in data.OTP_DEMO_USERNAMES:
            issue_demo_backup_codes(self.staff[username], count=10)
        # 事前公开 content and last year's published statistics (after the cases, which the figures count).
        from demo.disclosure import seed_disclosure_demo

        seed_disclosure_demo(self.today)
        from demo.inspection import seed_inspection_demo  # 行政检查, on the 检查事项 seeded just above

        seed_inspection_demo(self)
        # 监督检查 last: its round samples the archived files and its reminders scan every open case.
        from demo.supervision import seed_supervision_demo

        self.summary.supervision = seed_supervision_demo(self.today)
        self.summary.pending_approvals = Approval.objects.filter(status__in=PENDING_APPROVAL).count()
        self.summary.cases = Counter(Case.objects.values_list("stage", flat=True))
        self.summary.certificates = Counter(c.status_on(self.today) for c in Certificate.objects.all())
        self.summary.certificates["expiring"] = Certificate.objects.expiring_within(30, self.today).count()
        record(
            "demo.seeded",
            detail={
                "units": self.summary.units,
                "staff": self.summary.staff,
                "cases": sum(self.summary.cases.values()),
            },
        )
        return self.summary

    def seed_systems(self):
        """The systems' own demo data on top of the cases (demo seeding is a top floor, like the root
        URLconf: it may call into the systems; the shared domain itself never imports them)."""
        from django.apps import apps

        from demo.roster import seed_demo_photos, seed_training_demo

        seed_training_demo(self.today)  # this year's training, two people behind the minimum
        seed_demo_photos()  # illustrated avatars on the certificates (verify pages, 核验卡)

        if apps.is_installed("recording"):
            from demo.recording import seed_recording_demo

            made = seed_recording_demo()
            self.summary.recording = (
                f"执法文书 {made.issued} 份已签发（含 PDF），草稿 {made.drafts} 份；音像记录 {made.media} 个"
            )
            self.summary.warnings.extend(made.notes)
        if apps.is_installed("legal_review"):
            from demo.legal_review import seed_review_demo

            self.summary.legal_review = seed_review_demo(self)
        if apps.is_installed("disclosure"):
            from demo.disclosure import seed_publication_demo

            self.summary.publications = seed_publication_demo(self.today)

    # --- roster ---

    def make_units(self):
        for spec in data.UNITS:
            self.units[spec.key] = Unit.objects.create(
                name=spec.name, kind=spec.kind, order=spec.order, address=spec.address, phone=spec.phone
            )
        self.summary.units = len(self.units)

    def make_staff(self):
        # One hash for every account: hashing ~40 passwords with the production hasher would take seconds.
        hashed = make_password(data.DEMO_PASSWORD)
        groups = {g.name: g for g in Group.objects.all()}
        demo_usernames = {u for _, u in data.DEMO_ACCOUNTS}
        for index, spec in enumerate(data.STAFF):
            user = Staff(
                username=spec.username,
                real_name=spec.real_name,
                unit=self.units[spec.unit],
                phone=f"1380000{2001 + index:04d}",
                is_staff=spec.is_staff,
                legal_review_started_on=spec.review_started,
            )
            if spec.username in demo_usernames:
                # The demo password must pass the same validators a real user's does.
                validate_password(data.DEMO_PASSWORD, user)
            user.password = hashed
            user.save()
            user.groups.add(*(groups[role.value] for role in spec.roles))
            self.staff[spec.username] = user
            if spec.head:
                unit = self.units[spec.unit]
                unit.head = user
                unit.save(update_fields=["head"])
            if spec.cert:
                self.make_certificate(index, user, spec)
            if spec.qualification:
                number, kind, granted_on = spec.qualification
                LegalQualification.objects.create(
                    holder=user, number=number, kind=kind, granted_on=granted_on
                )
        self.bureau_heads = [self.staff["bureau_head"], self.staff["deputy_head"]]
        self.summary.staff = len(self.staff)

    def make_certificate(self, index: int, user: Staff, spec: data.StaffSpec):
        today = self.today
        state = spec.cert
        if state == data.EXPIRING:
            expires = today + datetime.timedelta(days=spec.expiring_in)
        elif state == data.EXPIRED:
            expires = today - datetime.timedelta(days=20)
        else:
            # Well clear of the 30-day "expiring soon" window, spread over the next four years (and issued
            # five years before expiry, so always in the past).
            expires = today + datetime.timedelta(days=200 + (41 * index) % 1400)
        issued = expires - datetime.timedelta(days=5 * 365)
        status, since, why = {
            data.SUSPENDED: (CertificateStatus.SUSPENDED, 10, "执法过错责任追究期间暂扣证件"),
            data.REVOKED: (CertificateStatus.REVOKED, 60, "因严重违法违纪被吊销执法证件"),
            data.CANCELLED: (CertificateStatus.CANCELLED, 90, "调离行政执法岗位，证件注销"),
        }.get(state, (CertificateStatus.VALID, None, ""))
        prefix = "9" if spec.cert_kind == CertificateKind.ENTRUSTED else "0"
        Certificate.objects.create(
            kind=spec.cert_kind,
            number=f"{data.COUNTY_CODE}{prefix}{index + 1:04d}",
            holder=user,
            unit=self.units[spec.unit],
            fields=spec.cert_fields,
            issued_on=issued,
            expires_on=expires,
            status=status,
            status_since=today - datetime.timedelta(days=since) if since else None,
            status_reason=why,
            exam_passed_on=issued - datetime.timedelta(days=60),
            exam_score=80 + (index * 7) % 19,
        )

    # --- cases ---

    def make_case(self, index: int, spec: case_data.CaseSpec):
        today = self.today
        schedule = step_offsets(spec)
        # Far enough back for every step of its path on its own plausible day (docs/domain.md §6).
        lead_ago = max(spec.lead_ago, max(schedule.values(), default=0))
        lead_date = min(calendar.add_working_days(today, -lead_ago), today)
        self.days = {target: self.day_after(lead_date, offset) for target, offset in schedule.items()}
        self.clock = DemoClock(today)
        officers = [self.staff[u] for u in spec.officers]
        with self.clock.on(lead_date):
            case = Case.register_lead(
                by=officers[0],
                handling_unit=self.units[spec.unit],
                title=spec.title,
                lead_source=spec.source,
                lead_date=lead_date,
                procedure=spec.procedure,
                lead_summary=spec.summary,
                officers=officers,
                matters=list(PowerItem.objects.filter(code__in=spec.matters)),
                parties=[_party(p, today) for p in spec.parties],
            )
            approver = self.bureau_heads[index % 2]
            from demo import procedure as lawful

            lawful.on_registered(case, archived=Stage.ARCHIVED in spec.path, on_spot=spec.on_spot)
        try:
            if spec.approved_extension and spec.approved_extension[0] == ApprovalKind.FILING_EXTENSION:
                with self.clock.on(self.day_after(lead_date, 1)):
                    self.approve(
                        case,
                        ApprovalKind.FILING_EXTENSION,
                        officers[0],
                        approver,
                        days=spec.approved_extension[1],
                    )
            for target in spec.path:
                with self.clock.on(self.days[target]):
                    self.step(case, target, officers[0], approver, spec, lead_date)
            if spec.approved_extension and spec.approved_extension[0] == ApprovalKind.DECISION_EXTENSION:
                last = self.days[spec.path[-1]] if spec.path else lead_date
                with self.clock.on(last):
                    self.approve(
                        case,
                        ApprovalKind.DECISION_EXTENSION,
                        officers[0],
                        approver,
                        days=spec.approved_extension[1],
                    )
            if spec.pending:
                kind, waiting_for = spec.pending
                approval = case.request_approval(
                    kind, by=officers[0], reason=case_data.APPROVAL_REASONS[kind]
                )
                if waiting_for == "bureau_head":
                    approval.give_opinion(case.handling_unit.head, agree=True, opinion="情况属实，拟同意。")
        except TransitionRefused as refused:
            # A gate added by another system may refuse a step the demo cannot satisfy yet: keep the case
            # where it stopped and say so, rather than leaving the bureau without demo data.
            self.summary.warnings.append(
                f"{case.number}（{case.title}）停在“{case.get_stage_display()}”："
                + "；".join(refused.messages)
            )
        if spec.pause:
            kind, start, end, note = spec.pause
            # A pause of the decision clock starts on the filing day; one of the filing clock, after the lead.
            first = (case.filed_on or today) if start is None else calendar.add_working_days(lead_date, start)
            last = None if end is None else calendar.add_working_days(lead_date, end)
            CasePause.objects.create(
                case=case, kind=kind, note=note, created_by=officers[0], start=first, end=last
            )
        # No grant here: a reviewer sees a case under review only through a round assigned to them
        # (legal_review.lifecycle grants it then). The demo used to grant `reviewer` view on these cases while
        # their rounds were unassigned (issue 15); CaseSpec.reviewer_sees now grants nothing.

    def step(self, case, target, actor, approver, spec, lead_date):
        from demo import procedure as lawful

        reason = spec.reasons.get(target, case_data.REASONS.get(target, ""))
        # The statutory order (docs/domain.md §6): what makes the step is issued first.
        fine = "150000.00" if Stage.LEGAL_REVIEW in spec.path else "3000.00"
        day = self.date_of(case, target, lead_date)
        if spec.hearing and target == Stage.LEGAL_REVIEW:
            # The party asked for a hearing after the 告知: held before the review (第五十八条、第六十五条).
            self.hold_hearing(case, actor, self.days[Stage.STATEMENT])
        if spec.no_penalty and target == Stage.DECIDED:
            lawful.no_penalty(case, actor, day)
        elif spec.no_penalty and target == Stage.SERVED:
            lawful.serve(case, lawful.latest(case, "no_penalty_decision"), day)
        lawful.before(case, target, actor, day, fine=fine)
        if target == Stage.FILED:
            self.approve(case, ApprovalKind.FILING, actor, approver)
        elif target == Stage.NOT_FILED:
            self.approve(case, ApprovalKind.NOT_FILING, actor, approver, reason=reason)
        elif target == Stage.CLOSED:
            self.approve(case, ApprovalKind.CLOSING, actor, approver)
        elif target == Stage.ARCHIVED:
            self.archive(case)
        elif target in (Stage.LEGAL_REVIEW, Stage.COLLECTIVE) or case.stage == Stage.LEGAL_REVIEW:
            # 法制审核 is entered by submitting a package and left only after the reviewer's approval.
            from demo.legal_review import demo_step

            demo_step(
                case,
                target,
                actor=actor,
                reviewer=self.staff["reviewer"],
                approver=approver,
                reason=reason,
                today=day,
                decide_on=self.days.get(Stage.DECIDED),
                proposal=HEARD if spec.hearing else None,
            )
        else:
            case.advance(target, actor=actor, reason=reason, on=day)

    def archive(self, case):
        """归档 is the unit's records keeper's act, once recording has built the case file (正卷、副卷)."""
        from recording.archive import archive_case

        keeper = Staff.objects.with_role(Role.RECORDS_KEEPER).filter(unit=case.handling_unit).first()
        if keeper is None:
            raise TransitionRefused(f"{case.handling_unit}没有档案管理员，不能归档。")
        case_file = archive_case(case, by=keeper)
        if case_file.status != "done":
            raise TransitionRefused(case_file.error or "组卷失败。")
        case.refresh_from_db()

    def date_of(self, case, target, lead_date) -> datetime.date:
        """The step's own day (step_offsets): the demo clock stands on it while the step is taken, so 立案 and
        结案 take effect on the day the bureau head approves, and every record carries that day."""
        return self.days.get(target, self.today)

    def day_after(self, lead_date: datetime.date, offset: int) -> datetime.date:
        day = calendar.add_working_days(lead_date, offset) if offset else lead_date
        return min(day, self.today)

    def hold_hearing(self, case, actor, statement_day: datetime.date):
        """The party asks for a hearing and states its case the working day after the 告知书 was served; the
        statement is answered (复核); the 听证通知书 is served the next working day, the hearing held eight
        working days later (at least seven ahead, 第六十四条), its 笔录 and 听证报告 issued that day."""
        from demo import procedure as lawful

        asked = calendar.add_working_days(statement_day, 1)
        notified = calendar.add_working_days(statement_day, 2)
        held = calendar.add_working_days(notified, 8)
        with self.clock.on(asked):
            lawful.hearing_requested(case, actor, asked)
        with self.clock.on(notified):
            lawful.hearing_notified(case, actor, notified, held)
        with self.clock.on(held, hour=14):
            lawful.hearing_held(case, actor, held)

    def approve(self, case, kind, by, approver, *, reason="", days=None):
        approval = case.request_approval(
            kind, by=by, reason=reason or case_data.APPROVAL_REASONS[kind], days=days
        )
        approval.give_opinion(case.handling_unit.head, agree=True, opinion="情况属实，拟同意。")
        approval.give_opinion(approver, agree=True, opinion="同意。")
        case.refresh_from_db()


def seed() -> Summary:
    """Load the demo bureau in one transaction, dated relative to today (approvals take effect today, so
    the demo cannot be seeded "as of" another day). The caller checks existing_demo_marker() first."""
    require_demo_mode()
    with transaction.atomic(), calendar.cached():
        return _Seeder(timezone.localdate()).run()
