"""The named personas every test speaks of, in one place, and small factories.

Each persona is a real Staff row with real role groups and (where the role enforces) a real certificate.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from wuding_enforcement.cases.models import Case, LeadSource, PartyKind
from wuding_enforcement.roster.models import Certificate, LegalQualification, Role, Staff, Unit, UnitKind

PASSWORD = "Wuding-Test-2026!"
CERT_ISSUED = datetime.date(2024, 1, 1)
CERT_EXPIRES = datetime.date(2028, 12, 31)


def make_staff(username, real_name, unit, *roles, certificate=True, **extra):
    user = Staff.objects.create_user(
        username=username, password=PASSWORD, real_name=real_name, unit=unit, **extra
    )
    if roles:
        user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
    if certificate:
        Certificate.objects.create(
            number=f"53230{Staff.objects.count():05d}",
            holder=user,
            unit=unit,
            fields="食品安全、产品质量",
            issued_on=CERT_ISSUED,
            expires_on=CERT_EXPIRES,
            exam_passed_on=datetime.date(2023, 10, 1),
        )
    user.__dict__.pop("role_names", None)
    return user


@pytest.fixture
def units(db):
    return {
        "shishan": Unit.objects.create(name="狮山市场监督管理所", kind=UnitKind.STATION, order=10),
        "gaoqiao": Unit.objects.create(name="高桥市场监督管理所", kind=UnitKind.STATION, order=11),
        "policy": Unit.objects.create(name="政策法规股", kind=UnitKind.OFFICE, order=2),
        "office": Unit.objects.create(name="办公室", kind=UnitKind.OFFICE, order=1),
    }


@pytest.fixture
def unit_head(units):
    """Head of 狮山所: gives the unit's opinion on 立案, extensions, closing; sees all the unit's cases."""
    head = make_staff("zhou_head", "周建华", units["shishan"], Role.UNIT_HEAD, Role.OFFICER)
    units["shishan"].head = head
    units["shishan"].save()
    return head


@pytest.fixture
def officer(units, unit_head):
    """李桂芬, officer of 狮山所: files and works on the cases she is assigned to."""
    return make_staff("li_officer", "李桂芬", units["shishan"], Role.OFFICER)


@pytest.fixture
def colleague(units, unit_head):
    """王志强, her colleague at 狮山所: the second certified officer on her cases."""
    return make_staff("wang_colleague", "王志强", units["shishan"], Role.OFFICER)


@pytest.fixture
def outsider(units):
    """赵敏, officer of 高桥所: must not see 狮山所's cases (404)."""
    return make_staff("zhao_outsider", "赵敏", units["gaoqiao"], Role.OFFICER)


@pytest.fixture
def reviewer(units):
    """钱立新, legal reviewer of 政策法规股 with 法律职业资格: reviews major decisions; TOTP required."""
    user = make_staff(
        "qian_reviewer",
        "钱立新",
        units["policy"],
        Role.LEGAL_REVIEWER,
        certificate=False,
        legal_review_started_on=datetime.date(2022, 3, 1),
    )
    LegalQualification.objects.create(
        holder=user, number="A20195300001", granted_on=datetime.date(2019, 12, 1)
    )
    return user


@pytest.fixture
def bureau_head(units):
    """孙卫东, deputy head of the bureau designated 局负责人: approves 立案, extensions, 结案; sees all cases."""
    return make_staff("sun_bureau", "孙卫东", units["office"], Role.BUREAU_HEAD, Role.OFFICER)


@pytest.fixture
def records_keeper(units):
    """吴静, records keeper of 狮山所: sees the unit's finished cases."""
    return make_staff("wu_records", "吴静", units["shishan"], Role.RECORDS_KEEPER, certificate=False)


@pytest.fixture
def admin_user(units):
    """郑丽, admin of 办公室: keeps units, staff, certificates and catalogues in /admin/; TOTP required."""
    return make_staff("zheng_admin", "郑丽", units["office"], Role.ADMIN, certificate=False, is_staff=True)


def otp_static_device(user, tokens=("11111111", "22222222", "33333333")):
    device = StaticDevice.objects.create(user=user, name="备用码", confirmed=True)
    for token in tokens:
        device.token_set.create(token=token)
    return device


def login_as(client, user, *, verified=True):
    """Sign a test client in; for roles that require TOTP, also mark the session as OTP-verified."""
    client.force_login(user)
    if verified:
        device = StaticDevice.objects.filter(user=user).first() or otp_static_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def make_case(officer, colleague):
    """A 狮山所 lead registered by the officer, with her colleague assigned too."""

    def factory(**overrides):
        fields = {
            "by": officer,
            "handling_unit": officer.unit,
            "title": "涉嫌销售过期食品案",
            "lead_source": LeadSource.COMPLAINT,
            "lead_date": datetime.date(2026, 11, 2),
            "officers": [officer, colleague],
            "parties": [
                {
                    "kind": PartyKind.ORGANISATION,
                    "name": "武定县某某商贸有限公司",
                    "credit_code": "91532329MA6K000001",
                    "legal_representative": "陈某",
                    "address": "武定县狮山镇某路1号",
                }
            ],
        }
        fields.update(overrides)
        return Case.register_lead(**fields)

    return factory


def file_case(case, unit_head, bureau_head, by):
    """Take a lead through 立案 approval (unit head's opinion, bureau head's approval)."""
    approval = case.request_approval("filing", by=by, reason="经核查，有违法事实，符合立案条件。")
    approval.give_opinion(unit_head, agree=True, opinion="拟同意立案。")
    approval.give_opinion(bureau_head, agree=True, opinion="同意立案。")
    case.refresh_from_db()
    return case


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Before pytest-django drops the PostgreSQL test database, report (and end) any session a thread
    left open on it, so the drop cannot fail with "database is being accessed by other users"."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 200) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        leftovers = cursor.fetchall()
        for pid, *_ in leftovers:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    if leftovers:
        import sys

        print(f"\nended {len(leftovers)} leftover test-database session(s): {leftovers}", file=sys.stderr)


# --- Real-browser fixtures (one chromium per test process, shared by every journey) ------------------------


@pytest.fixture(scope="session")
def browser():
    import os
    import shutil
    from pathlib import Path

    # Playwright's sync API runs an event loop in this thread; the ORM calls the journeys make between page
    # steps are synchronous and safe here (docs/stack.md trap 6).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def factory(*, phone=False):
        options = {"base_url": live_server.url, "locale": "zh-CN", "accept_downloads": True}
        if phone:
            options.update(
                viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
            )
        else:
            options.update(viewport={"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


# --- Lawful cases (docs/domain.md §6): every factory walks the statutory order, documents before stages ------


def issued_row(case, doc_type, *, by, data=None, act_date=None, party=None, at=None, pdf=False):
    """A supporting document stored as already issued (number, hash, issue time), bypassing rendering: for
    fixtures that need the document on file, not its PDF. Issuing itself is tested through Document.issue.
    `pdf=True` stores a one-page PDF naming the type and number (for 组卷, which reads every issued PDF)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from recording.doctypes import REGISTRY
    from recording.models import Document, DocumentStatus
    from wuding_enforcement.shared.pdf import render_html_to_pdf

    n = Document.objects.count() + 1
    number = f"测试{doc_type}〔2026〕{n}号"
    if pdf:
        title = REGISTRY[doc_type].title
        content = render_html_to_pdf(
            f'<html><head><meta charset="utf-8"></head><body><h1>{title}</h1><p>{number}</p></body></html>',
            pdf_variant=None,
        )
        document = issued_row(case, doc_type, by=by, data=data, act_date=act_date, party=party, at=at)
        document.pdf.save(f"{doc_type}-{document.pk}.pdf", ContentFile(content), save=False)
        document.pdf_sha256 = hashlib.sha256(content).hexdigest()
        Document.objects.filter(pk=document.pk).update(pdf=document.pdf.name, pdf_sha256=document.pdf_sha256)
        return document
    return Document.objects.create(
        case=case,
        doc_type=doc_type,
        data=data or {},
        status=DocumentStatus.ISSUED,
        act_date=act_date,
        number=number,
        number_year=2026,
        number_seq=n,
        pdf_sha256=hashlib.sha256(f"{doc_type}{n}".encode()).hexdigest(),
        issued_by=by,
        issued_at=at or timezone.now(),
        party=party,
        created_by=by,
    )


def served_row(case, document, *, by, on, pdf=False):
    """The 送达回证 of `document`, served directly on `on` at 10:00."""
    return issued_row(
        case,
        "service_receipt",
        by=by,
        data={
            "served_document": document.pk,
            "served_at": f"{on.isoformat()}T10:00:00+08:00",
            "method": "direct",
            "recipient": "陈某",
        },
        at=datetime.datetime.combine(on, datetime.time(10), tzinfo=ZoneInfo("Asia/Shanghai")),
        pdf=pdf,
    )


def walk_lawfully(case, to, *, by, unit_head, bureau_head, dates, fine="3000.00", notice=None):
    """Walk a lead along the ordinary penalty path up to stage `to`, issuing what makes each stage first.
    `dates` maps stages to their days (docs/domain.md §6; dates never run backwards)."""
    from wuding_enforcement.cases.workflow import Stage

    if case.stage == Stage.LEAD:
        file_case(case, unit_head, bureau_head, by)
    party = case.parties.first()
    order = [
        Stage.INVESTIGATING,
        Stage.INVESTIGATION_CONCLUDED,
        Stage.NOTIFIED,
        Stage.STATEMENT,
        Stage.DECIDED,
        Stage.SERVED,
    ]
    for target in order:
        day = dates[target]
        at = datetime.datetime.combine(day, datetime.time(9), tzinfo=ZoneInfo("Asia/Shanghai"))
        if target == Stage.INVESTIGATION_CONCLUDED:
            issued_row(case, "investigation_report", by=by, data={"facts": "查明事实"}, at=at)
        elif target == Stage.NOTIFIED:
            issued_row(
                case,
                "penalty_notice",
                by=by,
                party=party,
                at=at,
                data={
                    "penalty_types": ["fine"],
                    "fine_amount": fine,
                    "hearing_right": False,
                    **(notice or {}),
                },
            )
        elif target == Stage.STATEMENT:
            notice = case.documents.filter(doc_type="penalty_notice").latest("pk")
            served_row(case, notice, by=by, on=day)
        elif target == Stage.DECIDED:
            issued_row(case, "decision_approval", by=by, data={"proposed_summary": "罚款"}, at=at)
        elif target == Stage.SERVED:
            decision = issued_row(
                case,
                "penalty_decision",
                by=by,
                party=party,
                at=at,
                data={
                    "penalty_types": ["fine"],
                    "fine_amount": fine,
                    "decided_on": dates[Stage.DECIDED].isoformat(),
                },
            )
            served_row(case, decision, by=by, on=day)
        case.advance(target, actor=by, on=day)
        if target == to:
            break
    return case


@pytest.fixture
def broker(settings, monkeypatch):
    """A configured broker (no in-process run of `.delay()`): `down = True` refuses every publish as Redis
    refusing connections does; up, its "worker" runs each published task at once, in this process. Tests that
    need to see what was published without running it define their own (tests/ops/test_outbox.py)."""
    from kombu.exceptions import OperationalError

    from wuding_enforcement.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False

    class Broker:
        down = False

        def send_task(self, name, args=None, kwargs=None, **options):
            if self.down:
                raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")
            app.tasks[name].apply(args=args, kwargs=kwargs, throw=True)

    class NoConnection:  # the drain's per-batch connection (outbox/api.py): nothing to open here
        def __enter__(self):
            return None

        def __exit__(self, *exc):
            return False

    fake = Broker()
    monkeypatch.setattr(app, "send_task", fake.send_task)
    monkeypatch.setattr(app, "connection_for_write", lambda: NoConnection())
    return fake
