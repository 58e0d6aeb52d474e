"""The inspection pages: who may open what (a task one may not see is a 404), the actions go through the domain
(a forged POST gets the same refusal), the 检查码 page shows the enterprise what it must see, ratings and
complaints stay away from the inspecting unit, and every list page runs a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspection import codes
from inspection.models import (
    ApprovalState,
    Complaint,
    Draw,
    Inspection,
    Rating,
    Result,
)
from tests.conftest import login_as
from tests.inspection.conftest import (
    TODAY,
    approved,
    make_entity,
    register_case_inspection,
    walk_to_inspected,
)
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster.models import Certificate, CertificateStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(frozen, entity, item, officers, officer):
    return register_case_inspection(entity, item, officers, by=officer)


# --- staff ---


def test_an_officer_registers_a_task_through_the_page_and_the_bureau_head_approves_it(
    client, frozen, entity, item, officer, colleague, bureau_head
):
    login_as(client, officer)
    response = client.post(
        reverse("inspection:register"),
        {
            "kind": "case",
            "entity": entity.credit_code.lower(),
            "item": item.pk,
            "source": "complaint",
            "source_note": "12315-0001",
            "officers": [officer.pk, colleague.pk],
            "planned_on": TODAY.isoformat(),
            "reason": "投诉核查。",
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response.url == reverse("inspection:detail", args=[inspection.pk])
    # The officer cannot approve, even by a forged POST: the domain says no, the page shows why.
    response = client.post(
        reverse("inspection:approve", args=[inspection.pk]), {"opinion": "同意"}, follow=True
    )
    assert "行政检查须经局负责人批准。" in response.content.decode()
    login_as(client, bureau_head)
    client.post(reverse("inspection:approve", args=[inspection.pk]), {"opinion": "同意检查。"})
    inspection.refresh_from_db()
    assert inspection.approval == ApprovalState.APPROVED and inspection.code


def test_the_register_page_shows_the_domains_refusal_on_the_form(client, frozen, entity, item, officer):
    login_as(client, officer)
    response = client.post(
        reverse("inspection:register"),
        {
            "kind": "case",
            "entity": entity.credit_code,
            "item": item.pk,
            "source": "complaint",
            "source_note": "x",
            "officers": [officer.pk],
            "planned_on": TODAY.isoformat(),
            "reason": "核查。",
        },
    )
    assert response.status_code == 200
    assert "至少两名" in response.content.decode()
    assert not Inspection.objects.exists()


def test_a_task_of_someone_else_is_a_404_and_logged(client, task, outsider):
    login_as(client, outsider)
    assert client.get(reverse("inspection:detail", args=[task.pk])).status_code == 404
    assert client.post(reverse("inspection:cancel", args=[task.pk]), {"reason": "x"}).status_code == 404
    assert AuditEvent.objects.filter(action="inspection.inspection.access_denied").exists()


def test_the_task_page_shows_the_code_and_the_next_step_to_its_officers(client, task, bureau_head, colleague):
    approved(task, bureau_head)
    login_as(client, colleague)
    text = client.get(reverse("inspection:detail", args=[task.pk])).content.decode()
    assert codes.grouped(task.code) in text and "检查码二维码" in text
    assert "制作行政检查通知书" in text and "已通知" in text


def test_planner_pages_are_for_planners(client, task, officer, reviewer, plan):
    login_as(client, officer)
    assert client.get(reverse("inspection:plans")).status_code == 403
    assert client.get(reverse("inspection:plan", args=[plan.pk])).status_code == 404
    login_as(client, reviewer)  # 政策法规股
    assert client.get(reverse("inspection:plans")).status_code == 200
    assert client.get(reverse("inspection:plan", args=[plan.pk])).status_code == 200


def test_the_index_runs_a_fixed_number_of_queries(client, frozen, food, item, officers, officer, bureau_head):
    for n in range(1, 4):
        register_case_inspection(make_entity(n, categories=[food]), item, officers, by=officer)
    login_as(client, bureau_head)
    client.get(reverse("inspection:index"))  # warm the session and the roles
    with CaptureQueriesContext(connection) as three:
        assert client.get(reverse("inspection:index")).status_code == 200
    for n in range(4, 10):
        register_case_inspection(make_entity(n, categories=[food]), item, officers, by=officer)
    with CaptureQueriesContext(connection) as nine:
        client.get(reverse("inspection:index"))
    # Queries: session, user, roles, my tasks (one join), the approvals waiting (one join), messages — whatever
    # the number of tasks.
    assert len(nine) == len(three)


def test_the_entities_list_runs_a_fixed_number_of_queries(
    client, food, admin_user, django_assert_num_queries
):
    for n in range(1, 8):
        make_entity(n, categories=[food])
    login_as(client, admin_user)
    client.get(reverse("inspection:entities"))
    with CaptureQueriesContext(connection) as seven:
        client.get(reverse("inspection:entities"))
    for n in range(8, 20):
        make_entity(n, categories=[food])
    with CaptureQueriesContext(connection) as nineteen:
        client.get(reverse("inspection:entities"))
    assert len(nineteen) == len(seven)


# --- public ---


def test_the_public_lists_run_a_fixed_number_of_queries(client, plan, item, django_assert_num_queries):
    # items: the items, their checklist lines, their caps.
    with django_assert_num_queries(4):  # + the last-updated aggregate
        assert client.get(reverse("inspection_public:items")).status_code == 200
    # plans: the current plans, their entries (with items), the settings row.
    with django_assert_num_queries(3):
        text = client.get(reverse("inspection_public:plans")).content.decode()
    assert plan.title in text and item.item in text


def test_the_results_list_shows_published_results_in_a_fixed_number_of_queries(
    client, plan, food, item, officers, officer, bureau_head, django_assert_num_queries
):
    for n in range(1, 3):
        inspection = Inspection.register(
            by=officer,
            kind="key",
            entity=make_entity(n, categories=[food]),
            item=item,
            officers=officers,
            planned_on=TODAY,
            reason="重点检查。",
            plan=plan,
        )
        approved(inspection, bureau_head)
        walk_to_inspected(inspection, officers)
        inspection.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
        inspection.publish(by=officer, public_summary=f"第{n}户：未发现问题。")
    # Queries: the count, the page (entity, item, unit, draw joined).
    with django_assert_num_queries(2):
        text = client.get(reverse("inspection_public:results")).content.decode()
    assert "第1户：未发现问题" not in text and "武定县演示1号商贸有限公司" in text
    detail = client.get(reverse("inspection_public:result", args=[inspection.pk])).content.decode()
    assert "第2户：未发现问题。" in detail


def test_an_unpublished_result_is_not_public(client, task, bureau_head, officers, officer):
    approved(task, bureau_head)
    assert client.get(reverse("inspection_public:result", args=[task.pk])).status_code == 404


def test_a_draw_shows_its_commitment_but_not_its_list_until_revealed(
    client, plan, food, officers, admin_user
):
    for n in range(1, 6):
        make_entity(n, risk="D", categories=[food])
    draw = Draw.commit(by=admin_user, entry=plan.entries.get(), draw_on=TODAY, public_source="福彩开奖号码")
    draw.run(by=admin_user, public_value="1 2 3", note="福彩官网")
    text = client.get(reverse("inspection_public:draw", args=[draw.pk])).content.decode()
    assert draw.commitment in text and "抽取名单在检查结束后公布" in text
    assert "武定县演示1号" not in text and draw.secret not in text
    assert client.get(reverse("inspection_public:draw_bundle", args=[draw.pk])).status_code == 404
    script = client.get(reverse("inspection_public:verify_script"))
    assert script["Content-Disposition"] == 'attachment; filename="verify_draw.py"'
    assert b"def verify(bundle" in b"".join(
        script.streaming_content if script.streaming else [script.content]
    )


# --- the 检查码 page ---


def test_the_code_page_shows_the_task_the_officers_live_status_the_count_and_the_rights(
    client, task, bureau_head, colleague
):
    approved(task, bureau_head)
    url = codes.path_for(task.code)
    text = client.get(url).content.decode()
    for expected in (
        "检查码有效",
        task.item.item,
        task.item.basis,
        "李桂芬",
        "王志强",
        "执法证件有效",
        "五个严禁",
        "申请其回避",
    ):
        assert expected in text, expected
    assert "已实施行政检查 <strong>1</strong> 次" in text
    # Live: the colleague's certificate is suspended today, the page says so at once.
    certificate = Certificate.objects.get(holder=colleague)
    certificate.status, certificate.status_since, certificate.status_reason = (
        CertificateStatus.SUSPENDED,
        TODAY,
        "x",
    )
    certificate.save()
    assert "已暂扣" in client.get(url).content.decode()


def test_a_forged_or_altered_code_link_is_a_404_and_the_short_code_finds_the_task(client, task, bureau_head):
    approved(task, bureau_head)
    token = codes.token_for(task.code)
    assert client.get(reverse("inspection_public:code", args=[token[:-1] + "x"])).status_code == 404
    assert (
        client.get(reverse("inspection_public:code", args=[codes.token_for("AAAAAAAAAA")])).status_code == 404
    )
    response = client.post(
        reverse("inspection_public:code_lookup"), {"code": codes.grouped(task.code).lower()}
    )
    assert response.status_code == 302 and response.url == codes.path_for(task.code)
    wrong = client.post(reverse("inspection_public:code_lookup"), {"code": "ABCD EFGH JK"}, follow=True)
    assert "没有找到该检查码" in wrong.content.decode()


def test_the_enterprise_rates_once_after_the_visit(client, task, bureau_head, officers):
    approved(task, bureau_head)
    token = codes.token_for(task.code)
    rate = reverse("inspection_public:code_rate", args=[token])
    early = client.post(rate, {"score": 5})
    assert early.status_code == 400 and "现场检查结束后才能评价" in early.content.decode()
    walk_to_inspected(task, officers)
    assert client.post(rate, {"score": 4, "comment": "检查规范，没有影响营业。"}).status_code == 302
    again = client.post(rate, {"score": 1})
    assert "只能评价一次" in again.content.decode()
    assert Rating.objects.get().score == 4


def test_a_complaint_and_an_avoidance_request_are_kept_and_never_shown_to_the_inspecting_unit(
    client, task, bureau_head, officer, colleague, unit_head
):
    approved(task, bureau_head)
    complain = reverse("inspection_public:code_complain", args=[codes.token_for(task.code)])
    client.post(
        complain, {"kind": "avoidance", "officer": colleague.pk, "text": "该执法人员是我方竞争对手的亲属。"}
    )
    client.post(complain, {"kind": "complaint", "text": "检查人员态度粗暴。", "contact": "139-0000-0000"})
    assert Complaint.objects.count() == 2
    assert Complaint.objects.get(kind="avoidance").officer == colleague
    for person in (officer, colleague, unit_head):
        login_as(client, person)
        page = client.get(reverse("inspection:detail", args=[task.pk])).content.decode()
        assert "态度粗暴" not in page and "139-0000-0000" not in page and "竞争对手" not in page
    # The audit row names the inspection, not what was said.
    event = AuditEvent.objects.filter(action="inspection.complaint.received").last()
    assert "态度粗暴" not in str(event.detail) and "139" not in str(event.detail)


def test_the_case_pages_serve_an_inspection_case_like_any_case(client, task, bureau_head, officer, officers):
    approved(task, bureau_head)
    login_as(client, officer)
    workspace = client.get(reverse("recording:workspace", args=[task.case_id]))
    assert workspace.status_code == 200
    assert "检查已审批" in workspace.content.decode() and "行政检查通知书" in workspace.content.decode()
    detail = client.get(reverse("cases:detail", args=[task.case_id]))
    assert detail.status_code == 200 and "立案审查期限" not in detail.content.decode()
    walk_to_inspected(task, officers)
    task.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
    text = client.get(reverse("recording:workspace", args=[task.case_id])).content.decode()
    # An inspection closes without the 普通程序's 结案审批: 结案 is offered directly, no approval to ask for.
    assert 'value="closing"' not in text and 'value="closed"' in text


def test_typing_codes_is_rate_limited_per_network_so_codes_cannot_be_guessed(client, task, bureau_head):
    from django.core.cache import cache

    from inspection.views_public import CODE_LOOKUP_LIMIT

    cache.clear()  # the counter lives in the cache: other tests' lookups from the same test address must not count
    approved(task, bureau_head)
    lookup = reverse("inspection_public:code_lookup")
    for _ in range(CODE_LOOKUP_LIMIT):
        page = client.post(lookup, {"code": "ABCD EFGH JK"}, follow=True).content.decode()
        assert "没有找到该检查码" in page
    # Over the limit even the right code waits: the counter does not tell a guess from a hit.
    refused = client.post(lookup, {"code": codes.grouped(task.code)}, follow=True)
    assert refused.redirect_chain == [] and "查询过于频繁" in refused.content.decode()


def test_the_staff_nav_leads_inspecting_roles_to_the_inspection_pages(client, officer, records_keeper):
    login_as(client, officer)
    home = client.get("/staff/").content.decode()
    assert 'href="/staff/inspection/">行政检查</a>' in home
    assert 'aria-current="page">行政检查' in client.get(reverse("inspection:index")).content.decode()
    login_as(client, records_keeper)  # keeps the archive; inspects nothing
    assert "行政检查</a>" not in client.get("/staff/").content.decode()
