"""A published result can be withdrawn (撤回, with a public reason) or corrected (更正, a new text through the
same redaction and preview) by whoever may withdraw a decision's publication — the admins, the bureau heads and
the head of the inspecting unit; officers never. A withdrawn result stays in the public list marked 已撤回 with
its reason and leaves the detail's content, the open data and the feed; a corrected one says 已更正 with the
date and its earlier version is kept. Every act is audited, renews the cached pages and rebuilds the open data."""

import datetime
import json

import pytest
from django.urls import reverse

from disclosure import open_data
from inspection.models import Inspection, ResultVersion, WithdrawalKind
from inspection.publication import PreviewChanged
from tests.conftest import login_as, make_staff
from tests.inspection.test_publication import at
from tests.inspection.test_publication_channels import resulted  # noqa: F401 - fixture
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.outbox.models import OutboxMessage
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db

PUBLISH_DAY, LATER = datetime.date(2026, 9, 24), datetime.date(2026, 10, 12)
REASON = "复查发现检查对象登记错误，原检查结果依法撤销。"


@pytest.fixture
def published(resulted, officer):  # noqa: F811
    with at(PUBLISH_DAY):
        resulted.publish(by=officer, public_summary="食品经营条件检查：未发现问题。")
    return resulted


@pytest.fixture
def other_head(units):
    """The head of 高桥所: another unit's inspections are not his (404)."""
    head = make_staff("gao_head", "高明", units["gaoqiao"], Role.UNIT_HEAD, Role.OFFICER)
    units["gaoqiao"].head = head
    units["gaoqiao"].save()
    return head


def _body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_a_withdrawn_result_stays_listed_with_its_reason_and_leaves_the_channels(
    client, published, unit_head
):
    embed_url, feed_url = (
        reverse("disclosure:inspection_results_embed"),
        reverse("disclosure:publication_feed"),
    )
    with at(LATER):
        # Both cached now.
        assert published.public_entity_name in client.get(embed_url).content.decode()
        assert published.number in client.get(feed_url).content.decode()
    OutboxMessage.objects.all().delete()
    with at(LATER):
        published.withdraw_publication(by=unit_head, kind=WithdrawalKind.CHANGED, reason=REASON)
        # The withdrawal itself asks for the open data files to be built again (before any download does).
        assert OutboxMessage.objects.filter(task=open_data.TASK).count() == 1
        listing = client.get(reverse("inspection_public:results")).content.decode()
        detail = client.get(reverse("inspection_public:result", args=[published.pk])).content.decode()
        feed = client.get(feed_url).content.decode()
        rows = json.loads(_body(client.get(reverse("disclosure:inspection_open_json"))))["items"]
        embed = client.get(embed_url).content.decode()
    assert published.public_entity_name in listing and "已撤回" in listing and REASON in listing
    assert "已撤回" in detail and REASON in detail and "食品经营条件检查：未发现问题。" not in detail
    assert published.number not in feed and rows == []
    assert published.public_entity_name not in embed  # the cached embed was renewed
    assert Inspection.objects.listed().filter(pk=published.pk).exists()
    assert not Inspection.objects.published().filter(pk=published.pk).exists()
    entry = AuditEvent.objects.filter(action="inspection.inspection.withdrawn").latest("seq")
    assert entry.detail["reason"] == REASON and entry.actor_id == unit_head.pk


def test_an_officer_may_not_withdraw_nor_correct(published, officer):
    with at(LATER), pytest.raises(Refused, match="只有局领导"):
        published.withdraw_publication(by=officer, kind=WithdrawalKind.CHANGED, reason=REASON)
    with at(LATER), pytest.raises(Refused, match="只有局领导"):
        published.correct_publication(by=officer, public_summary="更正。", reason="笔误。")
    assert not Inspection.objects.get(pk=published.pk).withdrawn_at
    assert AuditEvent.objects.filter(action="inspection.inspection.withdraw_refused").exists()
    assert AuditEvent.objects.filter(action="inspection.inspection.correct_refused").exists()


def test_a_withdrawal_needs_a_kind_and_a_reason_and_happens_once(published, bureau_head):
    with at(LATER), pytest.raises(Refused, match="撤回理由"):
        published.withdraw_publication(by=bureau_head, kind=WithdrawalKind.CHANGED, reason=" ")
    with at(LATER):
        published.withdraw_publication(by=bureau_head, kind=WithdrawalKind.MISTAKE, reason=REASON)
        with pytest.raises(Refused, match="已撤回"):
            published.withdraw_publication(by=bureau_head, kind=WithdrawalKind.MISTAKE, reason=REASON)
        with pytest.raises(Refused, match="已撤回"):
            published.correct_publication(by=bureau_head, public_summary="更正。", reason="笔误。")


def test_a_correction_keeps_the_old_version_and_says_so_in_public(client, published, unit_head):
    new_text = "食品经营条件检查：未发现问题，在场人陈建国确认。"
    OutboxMessage.objects.all().delete()
    with at(LATER):
        shown = published.preview_publication(new_text)
        published.correct_publication(
            by=unit_head, public_summary=new_text, reason="漏写确认情况。", preview_digest=shown.digest
        )
        assert OutboxMessage.objects.filter(task=open_data.TASK).count() == 1
        detail = client.get(reverse("inspection_public:result", args=[published.pk])).content.decode()
        rows = json.loads(_body(client.get(reverse("disclosure:inspection_open_json"))))["items"]
    assert published.public_summary == shown.text == "食品经营条件检查：未发现问题，在场人陈某确认。"
    [old] = ResultVersion.objects.filter(inspection=published)
    assert old.public_summary == "食品经营条件检查：未发现问题。" and old.reason == "漏写确认情况。"
    assert old.replaced_by == unit_head
    assert "已更正" in detail and "2026年10月12日" in detail and shown.text in detail
    assert rows[0]["summary"] == shown.text
    entry = AuditEvent.objects.filter(action="inspection.inspection.corrected").latest("seq")
    assert entry.detail["version"] == old.pk


def test_a_correction_changed_after_its_preview_is_refused(published, unit_head):
    with at(LATER):
        digest = published.preview_publication("更正甲。").digest
        with pytest.raises(PreviewChanged):
            published.correct_publication(
                by=unit_head, public_summary="更正乙。", reason="笔误。", preview_digest=digest
            )
        with pytest.raises(Refused, match="更正理由"):
            published.correct_publication(by=unit_head, public_summary="更正甲。", reason="")
    assert not ResultVersion.objects.exists()


def test_the_pages_preview_and_confirm_a_correction(client, published, unit_head):
    login_as(client, unit_head)
    with at(LATER):
        page = client.post(
            reverse("inspection:correct_preview", args=[published.pk]),
            {"public_summary": "未发现问题（更正）。", "reason": "措辞。"},
        )
        assert page.status_code == 200 and "确认更正" in page.content.decode()
        client.post(
            reverse("inspection:correct", args=[published.pk]),
            {
                "public_summary": "未发现问题（更正）。",
                "reason": "措辞。",
                "preview_digest": page.context["preview"].digest,
            },
        )
    assert Inspection.objects.get(pk=published.pk).public_summary == "未发现问题（更正）。"


def test_a_forged_withdrawal_by_an_officer_is_refused(client, published, officer):
    login_as(client, officer)
    detail = client.get(reverse("inspection:detail", args=[published.pk])).content.decode()
    assert "撤回公示" not in detail  # no form for who may not
    with at(LATER):
        response = client.post(
            reverse("inspection:withdraw", args=[published.pk]), {"kind": "changed", "reason": REASON}
        )
    assert response.status_code == 302
    assert not Inspection.objects.get(pk=published.pk).withdrawn_at
    assert AuditEvent.objects.filter(action="inspection.inspection.withdraw_refused").exists()


def test_another_units_head_gets_a_404(client, published, other_head):
    login_as(client, other_head)
    for name, data in (
        ("withdraw", {"kind": "changed", "reason": REASON}),
        ("correct_preview", {"public_summary": "x", "reason": "y"}),
        ("correct", {"public_summary": "x", "reason": "y", "preview_digest": "0" * 64}),
    ):
        assert client.post(reverse(f"inspection:{name}", args=[published.pk]), data).status_code == 404
    with pytest.raises(Refused):
        published.withdraw_publication(by=other_head, kind=WithdrawalKind.CHANGED, reason=REASON)
    assert not Inspection.objects.get(pk=published.pk).withdrawn_at


def test_the_credit_export_reports_an_exported_results_correction_then_its_withdrawal_each_once(
    published, bureau_head, unit_head
):
    """The national credit system holds what was exported: a later 更正 and 撤回 go to it as rows of their own
    (disclosure/credit.py), as for decisions; each change once, and nothing after the 撤回."""
    from disclosure import credit
    from disclosure.models import CreditLineKind

    period = (datetime.date(2026, 9, 1), datetime.date(2026, 9, 30))
    with at(datetime.date(2026, 9, 28)):
        first = credit.export(bureau_head, *period, "csv")
    assert [line.kind for line in first.lines.all()] == [CreditLineKind.NEW]
    with at(LATER):
        new_text = "食品经营条件检查：未发现问题，在场人陈建国确认。"
        shown = published.preview_publication(new_text)
        published.correct_publication(
            by=unit_head, public_summary=new_text, reason="漏写确认情况。", preview_digest=shown.digest
        )
        corrected = credit.export(bureau_head, LATER, LATER, "csv")
        [line] = corrected.lines.all()
        assert (line.kind, line.inspection, line.sequence) == (CreditLineKind.CORRECTED, published, 2)
        assert line.snapshot["inspection_summary"] == shown.text and "检查结果公示内容" in line.note
        with pytest.raises(credit.ExportRefused):  # the correction went once
            credit.export(bureau_head, LATER, LATER, "csv")
        published.withdraw_publication(by=unit_head, kind=WithdrawalKind.CHANGED, reason=REASON)
        withdrawn = credit.export(bureau_head, LATER, LATER, "json")
        [line] = withdrawn.lines.all()
        assert (line.kind, line.sequence, line.changed_on) == (CreditLineKind.WITHDRAWN, 3, LATER)
        assert REASON in line.note and line.snapshot["inspection_summary"] == shown.text
        with pytest.raises(credit.ExportRefused):  # withdrawn is final
            credit.export(bureau_head, LATER, LATER, "csv")


def test_a_result_withdrawn_before_its_first_export_is_never_exported(published, bureau_head):
    from disclosure import credit

    with at(LATER):
        published.withdraw_publication(by=bureau_head, kind=WithdrawalKind.CHANGED, reason=REASON)
        with pytest.raises(credit.ExportRefused):
            credit.export(bureau_head, datetime.date(2026, 9, 1), LATER, "csv")
