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


class _UnreachableSealPlatform:
    demo = False

    def sign(self, pdf_bytes, *, reason):
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
