"""The staff pages' body cache (cases/staff_cache.py on shared/pagecache.py): the case list and the workspace
are served from the cache while nothing they show changed, per user (never another user's page), with this
request's CSRF token and messages, the access check (404, audited) on every request, and every kind of change
a page shows renewing it. Time is frozen on 2026年11月25日 (tests/portal/conftest.py).

Inside a transaction the section never stores a page (committed_only: a rollback renews nothing), and every
test runs inside one: the tests here switch that off (`cached` fixture) to watch the cache itself, except
the one at the end, which runs outside a transaction as production does."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from tests.conftest import file_case, login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases import deadline_sync, staff_cache
from wuding_enforcement.cases.deadline_rows import CaseDeadline
from wuding_enforcement.cases.models import Case, CaseOfficer, Party, PartyKind
from wuding_enforcement.cases.staff_cache import STAFF_PAGES
from wuding_enforcement.roster.models import Certificate, Role

pytestmark = pytest.mark.django_db

LIST = "/staff/cases/"


@pytest.fixture
def cached(monkeypatch):
    """The section as outside a transaction (the test's own transaction would otherwise bypass it)."""
    monkeypatch.setattr(STAFF_PAGES, "committed_only", False)
    cache.clear()
    staff_cache_local_clear()
    yield
    cache.clear()
    staff_cache_local_clear()


def staff_cache_local_clear():
    from wuding_enforcement.shared import pagecache

    pagecache._local.clear()
    pagecache._versions.clear()


def workspace(case):
    return reverse("recording:workspace", args=[case.pk])


def queries_of(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_a_second_visit_is_served_from_the_cache_and_a_change_shows_at_once(
    cached, client, officer, make_case
):
    case = make_case(title="涉嫌销售过期食品案")
    login_as(client, officer)
    # The first visit brings the deadline table up to date (the new case is marked stale): its writes
    # renew the section, so the second visit builds the page again; the third is served from the cache.
    queries_of(client, LIST)
    first, built = queries_of(client, LIST)
    again, served = queries_of(client, LIST)
    assert served < built and served <= 6  # session, user, OTP device, roles; the header: unit, unread count
    assert without_tokens(again) == without_tokens(first) and "涉嫌销售过期食品案" in again
    case.title = "涉嫌销售假冒商品案"
    case.save(update_fields=["title"])
    html, rebuilt = queries_of(client, LIST)
    assert rebuilt > served and "涉嫌销售假冒商品案" in html and "涉嫌销售过期食品案" not in html


def test_the_list_shows_each_kind_of_change(cached, client, officer, colleague, make_case, units):
    case = make_case()
    login_as(client, officer)
    client.get(LIST)

    def shown():
        return client.get(LIST).content.decode()

    Party.objects.create(
        case=case, kind=PartyKind.ORGANISATION, name="某某超市", credit_code="91532329MA6K0000X2"
    )
    assert "某某超市" in shown()
    colleague.real_name = "王志刚"
    colleague.save()
    assert "王志刚" in shown()
    units["shishan"].name = "狮山市场监管所"
    units["shishan"].save()
    assert "狮山市场监管所" in shown()
    CaseOfficer.objects.filter(case=case, officer=colleague).delete()
    assert "王志刚" not in shown()
    # The next deadline comes from the deadline table, whose rows are written in bulk (no signal): the
    # table's writer renews the section.
    rows = list(CaseDeadline.objects.filter(case=case))
    assert rows and rows[0].name in shown()
    for row in rows:
        row.name = "改名的期限"
    deadline_sync._store([case.pk], rows)
    assert "改名的期限" in shown()
    # A stale mark renews it too: the next page refreshes the table from the clocks first.
    deadline_sync.mark_stale([case.pk])
    assert "改名的期限" not in shown()


def test_visibility_changes_show_a_role_and_an_object_permission(cached, client, outsider, make_case):
    case = make_case(title="狮山所的案件")
    login_as(client, outsider)
    assert "狮山所的案件" not in client.get(LIST).content.decode()
    assign_perm("cases.view_case", outsider, case)
    assert "狮山所的案件" in client.get(LIST).content.decode()
    remove_perm("cases.view_case", outsider, case)
    assert "狮山所的案件" not in client.get(LIST).content.decode()
    from django.contrib.auth.models import Group

    outsider.groups.add(Group.objects.get(name=Role.BUREAU_HEAD.value))  # a many-to-many change
    outsider.__dict__.pop("role_names", None)
    assert "狮山所的案件" in client.get(LIST).content.decode()


def test_one_users_page_is_never_served_to_another(cached, officer, outsider, make_case):
    make_case(title="只有承办人看得到的案件")
    mine, theirs = login_as(Client(), officer), login_as(Client(), outsider)
    assert "只有承办人看得到的案件" in mine.get(LIST).content.decode()
    assert "只有承办人看得到的案件" not in theirs.get(LIST).content.decode()
    assert "只有承办人看得到的案件" in mine.get(LIST).content.decode()
    assert "只有承办人看得到的案件" not in theirs.get(LIST).content.decode()


def test_a_filtered_list_and_pages_are_their_own_entries(cached, client, officer, make_case):
    make_case(title="食品案")
    make_case(title="药品案")
    login_as(client, officer)
    assert "药品案" in client.get(LIST).content.decode()
    html = client.get(LIST, {"q": "食品"}).content.decode()
    assert "食品案" in html and "药品案" not in html
    assert "药品案" in client.get(LIST).content.decode()


def without_tokens(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def csrf_values(html):
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def test_the_workspace_carries_this_requests_csrf_token_and_a_post_with_it_passes(
    cached, officer, colleague, make_case
):
    case = make_case()
    first = login_as(Client(enforce_csrf_checks=True), officer)
    second = login_as(Client(enforce_csrf_checks=True), officer)  # the same user, another session
    html1 = first.get(workspace(case)).content.decode()
    html2, served = queries_of(second, workspace(case))
    assert staff_cache.CSRF_PLACEHOLDER not in html1 + html2
    tokens1, tokens2 = csrf_values(html1), csrf_values(html2)
    assert len(tokens1) == len(tokens2) >= 3  # the header's logout form and the body's forms
    # Each token is masked anew, but all of a page unmask to its own session's CSRF secret ...
    secret1 = {_unmask_cipher_token(t) for t in tokens1}
    secret2 = {_unmask_cipher_token(t) for t in tokens2}
    assert len(secret1) == len(secret2) == 1
    assert secret2 == {second.cookies["csrftoken"].value}
    assert secret1 != secret2  # ... never the session's that built the cached body
    # The cached page's token works: the request-approval form posts through the CSRF check.
    response = second.post(
        reverse("cases:request_approval", args=[case.pk]),
        {
            "csrfmiddlewaretoken": tokens2[0],
            "kind": "filing",
            "reason": "经核查，符合立案条件。",
            "next": workspace(case),
        },
    )
    assert response.status_code == 302
    # ... and shows its message on the (renewed) page, rendered per request, once.
    html = second.get(workspace(case)).content.decode()
    assert "已提交“立案审批”" in html
    assert "已提交“立案审批”" not in second.get(workspace(case)).content.decode()


def test_the_workspace_shows_each_kind_of_change(
    cached, client, officer, colleague, unit_head, bureau_head, make_case
):
    case = make_case()
    login_as(client, officer)
    url = workspace(case)
    client.get(url)
    _, served = queries_of(client, url)
    # session, user, OTP device, roles, the case (the access check); the header: unit, unread count
    assert served <= 7
    # An approval and its opinions (the timeline), the stage (the header facts): 立案.
    file_case(case, unit_head, bureau_head, officer)
    html = client.get(url).content.decode()
    assert "同意立案" in html and "立案审批" in html
    # An officer's certificate expires: the officer is flagged on the page the same day.
    Certificate.objects.filter(holder=colleague).update(expires_on=datetime.date(2026, 11, 1))
    Certificate.objects.get(holder=colleague).save()  # the admin's save (an UPDATE alone renews nothing)
    assert "今日无有效执法证件" in client.get(url).content.decode()
    # A party renamed.
    Party.objects.filter(case=case).update(name="x")
    party = Party.objects.get(case=case)
    party.name = "武定县另一商贸有限公司"
    party.save()
    assert "武定县另一商贸有限公司" in client.get(url).content.decode()


def test_the_access_check_runs_on_every_request(cached, client, officer, outsider, make_case):
    case = make_case()
    login_as(client, officer)
    assert client.get(workspace(case)).status_code == 200  # cached for the officer
    other = login_as(Client(), outsider)
    before = AuditEvent.objects.filter(action="cases.case.access_denied").count()
    assert other.get(workspace(case)).status_code == 404
    assert AuditEvent.objects.filter(action="cases.case.access_denied").count() == before + 1
    # The officer taken off the case loses the page at once, cached body or not.
    from wuding_enforcement.cases.models import CaseUserObjectPermission

    CaseUserObjectPermission.objects.filter(user=officer, content_object_id=case.pk).delete()
    assert client.get(workspace(case)).status_code == 404


def test_an_hours_clock_ends_the_cached_body(cached):
    # The body's first line: served while the moment is ahead, rebuilt after it.
    import time

    assert staff_cache.still_valid(staff_cache.with_until("x", ""))
    assert staff_cache.still_valid(staff_cache.with_until("x", f"{time.time() + 60}"))
    assert not staff_cache.still_valid(staff_cache.with_until("x", f"{time.time() - 1}"))
    assert not staff_cache.still_valid(staff_cache.with_until("x", "0"))
    assert not staff_cache.still_valid("x")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_list_is_cached_and_renewed_at_commit(client, officer, make_case):
    cache.clear()
    staff_cache_local_clear()
    case = make_case(title="提交后的案件")
    login_as(client, officer)
    _, built = queries_of(client, LIST)
    html, served = queries_of(client, LIST)
    html, served = queries_of(client, LIST)
    assert served < built and "提交后的案件" in html
    Case.objects.filter(pk=case.pk).update(title="无人通知的改名")  # no signal: still the cached page
    assert "无人通知的改名" not in client.get(LIST).content.decode()
    case.refresh_from_db()
    case.title = "改名后的案件"
    case.save(update_fields=["title"])
    assert "改名后的案件" in client.get(LIST).content.decode()
    cache.clear()
    staff_cache_local_clear()


def test_the_header_is_cached_per_user_and_page_kind_and_follows_roles_units_and_reminders(
    cached, client, officer, make_case, units
):
    from django.contrib.auth.models import Group

    from supervision.models import Notification

    case = make_case()
    login_as(client, officer)
    client.get(LIST)
    html = client.get(LIST).content.decode()
    assert "李桂芬<small> · 狮山市场监督管理所</small>" in html
    assert re.search(r'href="/staff/cases/" aria-current="page">案件', html)
    assert "监督检查</a>" not in html
    # The workspace's header marks 执法记录 as the current section, not 案件 (its own entry).
    ws = client.get(workspace(case)).content.decode()
    assert re.search(r'aria-current="page">执法记录', ws) and not re.search(r'aria-current="page">案件', ws)
    officer.groups.add(Group.objects.get(name=Role.LEGAL_REVIEWER.value))
    officer.__dict__.pop("role_names", None)
    assert "监督检查</a>" in client.get(LIST).content.decode()
    units["shishan"].name = "狮山市场监管所"
    units["shishan"].save()
    assert "李桂芬<small> · 狮山市场监管所</small>" in client.get(LIST).content.decode()
    Notification.objects.create(recipient=officer, key="k", level="amber", title="期限即将届满", body="-")
    assert 'aria-label="1 条未读"' in client.get(LIST).content.decode()
    Notification.objects.filter(recipient=officer).update(read_at=case.created_at)
    assert "条未读" not in client.get(LIST).content.decode()


def test_a_header_is_never_another_users(cached, officer, colleague):
    mine, theirs = login_as(Client(), officer), login_as(Client(), colleague)
    for _ in range(2):
        assert "李桂芬" in mine.get(LIST).content.decode()
        html = theirs.get(LIST).content.decode()
        assert "王志强" in html and "李桂芬" not in html


def test_a_workspace_with_a_metadata_job_running_is_never_served_from_the_cache(
    cached, client, officer, make_case, settings, tmp_path
):
    # The metadata job writes its results with UPDATE (no signal): while it runs, the body is rebuilt on
    # every visit, so its result shows as soon as it is written.
    import hashlib

    from django.core.files.base import ContentFile

    from recording.models import Evidence
    from wuding_enforcement.outbox.models import JobState

    settings.MEDIA_ROOT = tmp_path / "media"
    case = make_case()
    evidence = Evidence.objects.create(
        case=case,
        kind="video",
        title="执法记录仪视频",
        file=ContentFile(b"x", name="v.mp4"),
        mime="video/mp4",
        size=1,
        sha256=hashlib.sha256(b"x").hexdigest(),
        uploaded_by=officer,
        job_state=JobState.RUNNING,
    )
    login_as(client, officer)
    url = workspace(case)
    client.get(url)
    _, first = queries_of(client, url)
    Evidence.objects.filter(pk=evidence.pk).update(title="改名后的视频", job_state=JobState.SUCCEEDED)
    html, second = queries_of(client, url)
    assert "改名后的视频" in html and second == first  # rebuilt: the same queries as a build
    _, third = queries_of(client, url)
    assert third < second  # settled: served from the cache again
