"""通报 with rectification: numbered notice, items answered by their units, closed by the supervisor; the
notice stays open until every item is closed; overdue items flagged and escalated on record."""

import datetime
import hashlib
import subprocess

import pytest
import time_machine

from supervision import notices
from supervision.models import Escalation, NoticeItem, SupervisionNotice
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.shared import signing
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db


def at(day):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(2, 0), tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def notice(reviewer, units):
    draft = SupervisionNotice.objects.create(
        title="关于2026年第三季度行政执法案卷评查情况的通报",
        summary="经抽查，部分案卷存在以下问题，请限期整改。",
        created_by=reviewer,
    )
    NoticeItem.objects.create(
        notice=draft,
        unit=units["shishan"],
        problem="两件案卷未附送达回证",
        due_on=datetime.date(2026, 12, 10),
    )
    NoticeItem.objects.create(
        notice=draft,
        unit=units["gaoqiao"],
        problem="现场笔录未记录出示证件情况",
        due_on=datetime.date(2026, 12, 10),
    )
    return draft


def test_issuing_numbers_the_notice_and_renders_its_pdf(notice, reviewer, officer):
    with pytest.raises(Refused, match="只有政策法规股和局负责人"):
        notices.issue(notice, by=officer)
    with at(datetime.date(2026, 11, 25)):
        issued = notices.issue(notice, by=reviewer)
    assert issued.number == "武市监督通〔2026〕1号"
    text = subprocess.run(["pdftotext", issued.pdf.path, "-"], capture_output=True, text=True).stdout
    assert "武市监督通〔2026〕1号" in text and "两件案卷未附送达回证" in text
    with pytest.raises(Refused, match="已签发"):
        notices.issue(issued, by=reviewer)


def test_the_issued_notice_is_sealed_and_its_hash_is_that_of_the_sealed_file(notice, reviewer):
    with at(datetime.date(2026, 11, 25)):
        issued = notices.issue(notice, by=reviewer)
    with issued.pdf.open("rb") as stored:
        data = stored.read()
    assert hashlib.sha256(data).hexdigest() == issued.pdf_sha256
    report = signing.verify(data)
    assert report.signed and report.intact and report.valid and report.by_bureau and report.covers_whole_file
    assert "督查通报" in report.reason


def test_the_notices_seal_covers_the_bureau_name_and_the_issue_date(notice, reviewer):
    from tests.recording.test_seal_placement import covers, seal_widget, words

    with at(datetime.date(2026, 11, 25)):
        issued = notices.issue(notice, by=reviewer)
    with issued.pdf.open("rb") as stored:
        data = stored.read()
    page, rect = seal_widget(data)
    on_page = words(data, page)
    date = [w for w in on_page if "2026年11月25日" in w[0]]
    bureau = [w for w in on_page if w[0].startswith("武定县市场监督管理局")]
    assert date and covers(rect, date[-1]), (rect, date)
    assert bureau and covers(rect, bureau[-1]), (rect, bureau)


class _UnreachableSealPlatform:
    demo = False

    def sign(self, pdf_bytes, *, reason, seal_at=None):
        raise ConnectionError("省电子印章平台连接超时")


def test_a_signing_failure_refuses_the_issue_and_numbers_nothing(notice, reviewer, settings):
    settings.DOCUMENT_SIGNER = "tests.supervision.test_notices._UnreachableSealPlatform"
    with at(datetime.date(2026, 11, 25)), pytest.raises(Refused, match="未能加盖电子签章"):
        notices.issue(notice, by=reviewer)
    notice.refresh_from_db()
    assert not notice.number and not notice.pdf and notice.number_seq is None
    settings.DOCUMENT_SIGNER = ""
    with at(datetime.date(2026, 11, 25)):
        # The number that was not used is given to the notice when it is issued (gapless).
        assert notices.issue(notice, by=reviewer).number == "武市监督通〔2026〕1号"


def test_the_notice_stays_open_until_every_item_is_closed(notice, reviewer, officer, outsider):
    with at(datetime.date(2026, 11, 25)):
        notices.issue(notice, by=reviewer)
        shishan, gaoqiao = notice.items.order_by("pk")
        with pytest.raises(Refused, match="只有责任单位"):
            notices.answer(shishan, by=outsider, text="已整改")
        with pytest.raises(Refused, match="尚未反馈"):
            notices.close(shishan, by=reviewer, note="同意销号")
        notices.answer(shishan, by=officer, text="已补齐送达回证并归档。")
        notices.close(shishan, by=reviewer, note="经核实，同意销号。")
        assert notice.is_open
        notices.answer(gaoqiao, by=outsider, text="已培训并补正笔录。")
        notices.close(gaoqiao, by=reviewer, note="补正不完整，退回。", accept=False)
        assert notice.is_open
        notices.answer(gaoqiao, by=outsider, text="已全部补正。")
        notices.close(gaoqiao, by=reviewer, note="同意销号。")
    assert not notice.is_open
    assert AuditEvent.objects.filter(action="supervision.notice_item.returned").count() == 1


def test_overdue_items_are_flagged_and_escalated_on_record(notice, reviewer, officer):
    with at(datetime.date(2026, 11, 25)):
        notices.issue(notice, by=reviewer)
        item = notice.items.order_by("pk").first()
        with pytest.raises(Refused, match="只有逾期未整改"):
            notices.escalate(item, by=reviewer, note="逾期")
    with at(datetime.date(2026, 12, 11)):
        assert {i.pk for i in NoticeItem.objects.overdue()} == set(notice.items.values_list("pk", flat=True))
        notices.escalate(item, by=reviewer, note="逾期未整改，经督促仍未整改，移交纪检监察。")
    assert Escalation.objects.get().item == item
    assert AuditEvent.objects.filter(action="supervision.notice_item.escalated").exists()


def test_the_pages_take_a_notice_from_draft_to_closure(client, reviewer, officer, units):
    from tests.conftest import login_as

    with at(datetime.date(2026, 11, 25)):
        login_as(client, reviewer)
        client.post(
            "/staff/supervision/notices/new/", {"title": "关于送达程序问题的通报", "summary": "请整改。"}
        )
        notice = SupervisionNotice.objects.get()
        client.post(
            f"/staff/supervision/notices/{notice.pk}/items/",
            {"unit": units["shishan"].pk, "problem": "送达回证缺失", "due_on": "2026-12-10"},
        )
        client.post(f"/staff/supervision/notices/{notice.pk}/issue/")
        notice.refresh_from_db()
        assert notice.number == "武市监督通〔2026〕1号"
        item = notice.items.get()
        login_as(client, officer)
        page = client.get(f"/staff/supervision/notices/{notice.pk}/").content.decode()
        assert "送达回证缺失" in page and "反馈整改情况" in page
        client.post(f"/staff/supervision/notice-items/{item.pk}/answer/", {"text": "已补正"})
        assert client.get("/staff/supervision/notices/new/").status_code == 405
        assert (
            client.post("/staff/supervision/notices/new/", {"title": "x", "summary": "y"}).status_code == 403
        )
        login_as(client, reviewer)
        client.post(f"/staff/supervision/notice-items/{item.pk}/close/", {"text": "同意销号", "accept": "on"})
    item.refresh_from_db()
    assert item.status == "closed"


def test_a_unit_not_named_in_a_notice_cannot_open_it(client, notice, reviewer, outsider, officer, units):
    from tests.conftest import login_as

    notice.items.filter(unit=units["gaoqiao"]).delete()
    with at(datetime.date(2026, 11, 25)):
        notices.issue(notice, by=reviewer)
    login_as(client, outsider)
    assert client.get(f"/staff/supervision/notices/{notice.pk}/").status_code == 404
    assert client.get(f"/staff/supervision/notices/{notice.pk}/pdf/").status_code == 404
    login_as(client, officer)
    assert client.get(f"/staff/supervision/notices/{notice.pk}/").status_code == 200


# --- The notice's rules, on every path ------------------------------------------------------------------


def test_an_issued_notice_takes_no_new_item_by_any_path(client, notice, reviewer, units):
    from tests.conftest import login_as

    with at(datetime.date(2026, 11, 25)):
        notices.issue(notice, by=reviewer)
        # The domain action and a plain create (an admin, a task, a shell) get the same refusal.
        with pytest.raises(Refused, match="通报已签发，不能再增加事项"):
            notices.add_item(
                notice, by=reviewer, unit=units["shishan"], problem="补充", due_on=datetime.date(2026, 12, 1)
            )
        with pytest.raises(Refused, match="通报已签发，不能再增加事项"):
            NoticeItem.objects.create(
                notice=notice, unit=units["shishan"], problem="补充", due_on=datetime.date(2026, 12, 1)
            )
        # A forged POST to the page's form, which the issued notice no longer shows.
        login_as(client, reviewer)
        page = client.get(f"/staff/supervision/notices/{notice.pk}/").content.decode()
        assert "增加整改事项" not in page
        response = client.post(
            f"/staff/supervision/notices/{notice.pk}/items/",
            {"unit": units["shishan"].pk, "problem": "伪造的事项", "due_on": "2026-12-10"},
            follow=True,
        )
    assert "通报已签发，不能再增加事项。" in response.content.decode()
    assert notice.items.count() == 2 and not NoticeItem.objects.filter(problem="伪造的事项").exists()


def test_a_draft_takes_items_and_answers_are_unchanged_by_the_rule(notice, reviewer, officer, units):
    item = notices.add_item(
        notice, by=reviewer, unit=units["shishan"], problem="补充事项", due_on=datetime.date(2026, 12, 1)
    )
    assert notice.items.count() == 3 and item.status == "open"
    with at(datetime.date(2026, 11, 25)):
        notices.issue(notice, by=reviewer)
        # Saving an existing item of an issued notice (answering it) is not adding one.
        notices.answer(item, by=officer, text="已整改。")
    item.refresh_from_db()
    assert item.status == "answered"


def test_overdue_is_one_rule_for_one_item_and_for_many(notice, reviewer, officer):
    draft_item = notice.items.order_by("pk").first()
    days = [datetime.date(2026, 12, d) for d in (9, 10, 11, 12)]
    # On a draft nothing is overdue, whatever its date: the notice is not in force yet.
    for day in days:
        assert not draft_item.is_overdue_on(day)
        assert not NoticeItem.objects.overdue(day).exists()
    with at(datetime.date(2026, 11, 25)):
        notices.issue(notice, by=reviewer)
        shishan, gaoqiao = notice.items.order_by("pk")
        notices.answer(shishan, by=officer, text="已整改。")
        notices.close(shishan, by=reviewer, note="同意销号。")
    for day in days:
        in_queryset = set(NoticeItem.objects.overdue(day).values_list("pk", flat=True))
        for item in NoticeItem.objects.select_related("notice"):
            assert item.is_overdue_on(day) == (item.pk in in_queryset), (item, day)
    # Due on 12-10: overdue from 12-11, and a closed item never.
    assert not gaoqiao.is_overdue_on(datetime.date(2026, 12, 10))
    gaoqiao.refresh_from_db()
    assert gaoqiao.is_overdue_on(datetime.date(2026, 12, 11))
    shishan.refresh_from_db()
    assert not shishan.is_overdue_on(datetime.date(2026, 12, 11))


def test_the_notice_page_flags_overdue_items_from_the_rule(client, notice, reviewer, officer):
    from tests.conftest import login_as

    with at(datetime.date(2026, 11, 25)):
        notices.issue(notice, by=reviewer)
        login_as(client, reviewer)
        before = client.get(f"/staff/supervision/notices/{notice.pk}/").content.decode()
    assert "（已逾期）" not in before and "移交纪检监察</button>" not in before
    with at(datetime.date(2026, 12, 11)):
        login_as(client, reviewer)
        after = client.get(f"/staff/supervision/notices/{notice.pk}/").content.decode()
        login_as(client, officer)
        unit_view = client.get(f"/staff/supervision/notices/{notice.pk}/").content.decode()
    assert after.count("（已逾期）") == 2 and after.count("移交纪检监察</button>") == 2
    # The unit sees its item late too, may answer only its own item, and escalates nothing.
    assert "（已逾期）" in unit_view and unit_view.count("提交反馈") == 1
    assert "移交纪检监察</button>" not in unit_view


def test_an_item_of_a_draft_past_its_date_is_not_escalated(notice, reviewer):
    with at(datetime.date(2026, 12, 11)), pytest.raises(Refused, match="只有逾期未整改"):
        notices.escalate(notice.items.first(), by=reviewer, note="逾期")
    assert not Escalation.objects.exists()


def test_overdue_items_remind_the_unit_head_and_the_issuer_once(notice, reviewer, unit_head):
    from supervision.models import Notification
    from supervision.reminders import scan

    with at(datetime.date(2026, 11, 25)):
        notices.issue(notice, by=reviewer)
    with at(datetime.date(2026, 12, 10)):
        scan()
        assert not Notification.objects.filter(key__startswith="notice_item:").exists()
    with at(datetime.date(2026, 12, 11)):
        scan()
        scan()
    reminded = Notification.objects.filter(key__startswith="notice_item:")
    # 狮山所 has a head (周建华); 高桥所 has none: its item reminds the issuer only.
    assert sorted((n.recipient.username, n.level) for n in reminded) == [
        ("qian_reviewer", "red"),
        ("qian_reviewer", "red"),
        ("zhou_head", "red"),
    ]
    assert all("武市监督通〔2026〕1号" in n.title and "2026年12月10日" in n.body for n in reminded)


def test_a_unit_not_named_is_refused_with_an_audited_404(client, notice, reviewer, outsider, units):
    from tests.conftest import login_as

    notice.items.filter(unit=units["gaoqiao"]).delete()
    with at(datetime.date(2026, 11, 25)):
        notices.issue(notice, by=reviewer)
    item = notice.items.get()
    login_as(client, outsider)
    assert client.get(f"/staff/supervision/notices/{notice.pk}/").status_code == 404
    assert client.post(f"/staff/supervision/notice-items/{item.pk}/answer/", {"text": "x"}).status_code == 404
    denied = AuditEvent.objects.filter(action="supervision.notice.access_denied")
    assert denied.count() == 2 and {e.outcome for e in denied} == {"denied"}
    # A notice that does not exist is a plain 404, not audited as a refusal.
    assert client.get("/staff/supervision/notices/999999/").status_code == 404
    assert denied.count() == 2
    item.refresh_from_db()
    assert item.status == "open"


def test_a_draft_is_hidden_from_the_units_it_names(client, notice, officer):
    from tests.conftest import login_as

    login_as(client, officer)
    assert client.get(f"/staff/supervision/notices/{notice.pk}/").status_code == 404
    assert notice.title not in client.get("/staff/supervision/notices/").content.decode()


def test_the_notice_pdf_is_served_hash_checked_private_and_audited(client, notice, reviewer, officer):
    from tests.conftest import login_as

    with at(datetime.date(2026, 11, 25)):
        issued = notices.issue(notice, by=reviewer)
    login_as(client, officer)
    response = client.get(f"/staff/supervision/notices/{notice.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="supervision.notice.downloaded")
    assert event.detail["sha256"] == issued.pdf_sha256
    # One byte changed on disk: the download is refused, audited and nothing of the file is sent.
    with open(issued.pdf.path, "r+b") as handle:
        handle.seek(200)
        byte = handle.read(1)
        handle.seek(200)
        handle.write(bytes([byte[0] ^ 0xFF]))
    refused = client.get(f"/staff/supervision/notices/{notice.pk}/pdf/", follow=True)
    assert b"%PDF" not in refused.content and "完整性校验失败" in refused.content.decode()
    assert AuditEvent.objects.filter(action="supervision.notice.integrity_failed").count() == 1
    assert AuditEvent.objects.filter(action="supervision.notice.downloaded").count() == 1


SUPERVISOR_PAGES = [
    ("get", "/staff/supervision/"),
    ("get", "/staff/supervision/statistics/"),
    ("get", "/staff/supervision/statistics/export.xlsx"),
    ("get", "/staff/supervision/statistics/export.csv"),
    ("get", "/staff/supervision/evaluation/"),
    ("post", "/staff/supervision/evaluation/start/"),
    ("get", "/staff/supervision/evaluation/{round}/"),
    ("get", "/staff/supervision/evaluation/items/{evaluation}/"),
    ("post", "/staff/supervision/notices/new/"),
    ("post", "/staff/supervision/notices/{notice}/items/"),
    ("post", "/staff/supervision/notices/{notice}/issue/"),
    ("post", "/staff/supervision/notice-items/{item}/close/"),
    ("post", "/staff/supervision/notice-items/{item}/escalate/"),
]


def test_every_supervisor_page_answers_other_roles_403(
    client, notice, make_case, reviewer, officer, unit_head
):
    from supervision.dashboard import FIGURES
    from supervision.models import CaseEvaluation, EvaluationRound
    from tests.conftest import login_as

    round_ = EvaluationRound.objects.create(title="批次", year=2026, per_unit=1, seed=1, created_by=reviewer)
    evaluation = CaseEvaluation.objects.create(round=round_, case=make_case())
    ids = {
        "round": round_.pk,
        "evaluation": evaluation.pk,
        "notice": notice.pk,
        "item": notice.items.first().pk,
    }
    pages = SUPERVISOR_PAGES + [("get", f"/staff/supervision/dashboard/{slug}/") for slug in FIGURES]
    for person in (officer, unit_head):
        login_as(client, person)
        for method, url in pages:
            response = getattr(client, method)(url.format(**ids))
            assert response.status_code == 403, (person, url, response.status_code)
    assert AuditEvent.objects.filter(action="auth.permission_denied").count() == 2 * len(pages)
    assert notice.items.count() == 2 and not notice.number


# Queries of the notice pages, whatever the number of notices and items. The staff page's own 8: session,
# user, OTP device, roles, the header's two permission reads and unread count, the user's unit (the session
# stamp is written at most once a minute: roster/middleware.py LAST_SEEN_STEP). The list adds the notices the user may see (1) and, for
# supervisors, the overdue items with notice and unit (1); a notice adds the notice (visibility), its items
# with unit and people, their escalations, and whether it is still open (4).
@pytest.mark.parametrize("extra", [0, 4])
def test_the_notice_pages_cost_the_same_queries_for_few_or_many_items(
    client, notice, reviewer, officer, units, extra, django_assert_num_queries
):
    from tests.conftest import login_as

    for n in range(extra):
        notices.add_item(
            notice, by=reviewer, unit=units["shishan"], problem=f"问题{n}", due_on=notice.items.first().due_on
        )
        SupervisionNotice.objects.create(title=f"草稿{n}", summary="草稿", created_by=reviewer)
    with at(datetime.date(2026, 11, 25)):
        notices.issue(notice, by=reviewer)
    with at(datetime.date(2026, 12, 11)):
        for person, listing, page in ((reviewer, 8, 10), (officer, 7, 10)):
            login_as(client, person)
            client.get("/staff/")  # the session's first request does its own bookkeeping
            with django_assert_num_queries(listing):
                client.get("/staff/supervision/notices/")
            with django_assert_num_queries(page):
                client.get(f"/staff/supervision/notices/{notice.pk}/")
