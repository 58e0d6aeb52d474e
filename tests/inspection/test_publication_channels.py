"""A published inspection result reaches the public site's machine channels like a decision (issue 17 point 6):
its text is redacted by the rules of decisions (a natural person named in the 现场检查笔录 or by role in the
text, a phone number) with a log that restores the written text; the open data files (CSV, JSON; prebuilt and
streamed) and the Atom feed (valid to RFC 4287) carry it; a formula cell is neutralised."""

import datetime
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from disclosure import inspection_results, open_data
from inspection.models import Inspection, InspectionKind, InspectionPlan, PlanEntry, PlanKind, Result
from tests.disclosure.test_open_data import ATOM, SCHEMA
from tests.inspection.conftest import issue, notice_data, record_data
from tests.inspection.test_publication import RESULT_DAY, at
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

WRITTEN = "检查时店员陈建国在场，证人王小明证实已整改，联系电话13812345678。检查未发现问题。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def resulted(item, entity, officers, officer, bureau_head, admin_user):
    """A 重点检查 under the published plan, inspected with 陈建国 recorded as the person present, result formed
    on RESULT_DAY."""
    with at(RESULT_DAY):
        plan = InspectionPlan.objects.create(
            kind=PlanKind.ANNUAL, year=2026, title="2026年度计划", summary="x", created_by=admin_user
        )
        PlanEntry.objects.create(plan=plan, item=item, period="第三季度")
        plan.approve(by=bureau_head, on=datetime.date(2026, 3, 2))
        plan.record_filing(
            by=admin_user, justice_on=datetime.date(2026, 3, 5), superior_on=datetime.date(2026, 3, 5)
        )
        plan.publish(by=admin_user)
        key_inspection = Inspection.register(
            by=officer,
            kind=InspectionKind.KEY,
            entity=entity,
            item=item,
            officers=officers,
            planned_on=RESULT_DAY,
            reason="年度重点检查。",
            plan=plan,
        )
        key_inspection.approve(by=bureau_head, opinion="同意。")
        case, lead = key_inspection.case, officers[0]
        issue(case, "inspection_notice", notice_data(), by=lead)
        case.advance(Stage.INSPECTION_NOTIFIED, actor=lead, on=RESULT_DAY)
        issue(
            case,
            "inspection_record",
            record_data(case, present_person="陈建国（店员）"),
            by=lead,
            officers=officers,
            act_date=RESULT_DAY,
            av_exemption="检查过程简单，现场笔录经当事人签字确认，足以全面记录。",
        )
        case.advance(Stage.INSPECTED, actor=lead, on=RESULT_DAY)
        key_inspection.refresh_from_db()
        key_inspection.form_result(by=lead, result=Result.NONE_FOUND, summary="未发现问题。")
    return key_inspection


@pytest.fixture
def published(resulted, officer):
    with at(datetime.date(2026, 9, 24)):
        resulted.publish(by=officer, public_summary=WRITTEN)
    return resulted


def test_the_public_text_loses_the_names_and_the_phone_and_the_log_restores_it(published):
    text = published.public_summary
    assert "陈建国" not in text and "王小明" not in text and "13812345678" not in text
    assert "店员陈某在场" in text and "证人王某证实" in text and "［电话号码］" in text
    origins = {r["original"]: r["origin"] for r in published.public_redactions}
    assert "现场检查笔录" in origins["陈建国"]  # where the case records the person
    assert "证人" in origins["王小明"]  # named by role in the text itself
    assert inspection_results.written_text(published) == WRITTEN
    entry = AuditEvent.objects.filter(action="inspection.inspection.published").latest("seq")
    assert len(entry.detail["redactions"]) == 3


def test_the_enterprise_and_its_representative_stay_named(resulted, officer):
    entity = resulted.entity
    entity.representative = "李明华"
    entity.save()
    with at(datetime.date(2026, 9, 24)):
        resulted.publish(by=officer, public_summary=f"{entity.name}（负责人李明华）未发现问题。")
    assert resulted.public_summary == f"{entity.name}（负责人李明华）未发现问题。"
    assert resulted.public_redactions == []


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_open_data_carries_the_result_streamed_and_prebuilt(client, published):
    csv_url, json_url = reverse("disclosure:inspection_open_csv"), reverse("disclosure:inspection_open_json")
    streamed = _body(client.get(csv_url))
    text = streamed.decode("utf-8-sig")
    assert published.number in text and published.entity.credit_code in text
    assert "王小明" not in text and "证人王某证实" in text
    [row] = json.loads(_body(client.get(json_url)))["items"]
    assert row["number"] == published.number and row["result"] == "未发现问题"
    assert row["inspected_on"] == RESULT_DAY.isoformat() and row["kind"] == "重点检查"
    with at(datetime.date(2026, 9, 24)):
        open_data.build()
        response = client.get(csv_url)
        assert response.has_header("ETag") and _body(response) == streamed
        response.close()
        # The decisions' file is still built beside it.
        decisions = client.get(reverse("disclosure:publication_open_csv"))
        assert decisions.has_header("ETag")
        _body(decisions)
        decisions.close()


def test_publishing_a_result_asks_for_a_build(resulted, officer):
    OutboxMessage.objects.all().delete()
    with at(datetime.date(2026, 9, 24)):
        resulted.publish(by=officer, public_summary="未发现问题。")
    assert OutboxMessage.objects.filter(task=open_data.TASK).count() == 1


def test_a_formula_in_the_public_text_is_neutralised_in_the_csv(client, resulted, officer):
    with at(datetime.date(2026, 9, 24)):
        resulted.publish(by=officer, public_summary='=HYPERLINK("http://x")未发现问题')
    text = _body(client.get(reverse("disclosure:inspection_open_csv"))).decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_the_atom_feed_has_an_entry_for_the_result(client, published):
    feed = ET.fromstring(client.get(reverse("disclosure:publication_feed")).content)  # noqa: S314 - our own feed
    [entry] = feed.findall(f"{ATOM}entry")
    assert published.number in entry.findtext(f"{ATOM}title")
    assert entry.find(f"{ATOM}link").get("href").endswith(f"/inspection/results/{published.pk}/")
    assert "王小明" not in (entry.findtext(f"{ATOM}summary") or "")


@pytest.mark.skipif(
    shutil.which("jing") is None, reason="jing is installed by .ci/run (apt-get install jing)"
)
def test_the_feed_with_a_result_is_valid_against_the_rfc_4287_schema(client, published, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(client.get(reverse("disclosure:publication_feed")).content)
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["jing", "-c", str(SCHEMA), str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_credit_export_reports_the_result_once_with_its_public_values(published, bureau_head, unit_head):
    from disclosure import credit, credit_files

    period = (datetime.date(2026, 9, 1), datetime.date(2026, 9, 30))
    with at(datetime.date(2026, 9, 25)):
        # A unit head's export holds only the unit's decisions: the bureau's inspection results are not in it.
        assert credit.plan(unit_head, *period).lines == []
        item = credit.export(bureau_head, *period, "csv")
        [line] = list(item.lines.all())
        assert line.inspection == published and line.publication is None
        assert (item.new_count, item.inspection_count) == (1, 1)
        [row] = credit_files.rows([line])
        assert row["category"] == "抽查检查结果" and row["inspection_number"] == published.number
        assert (
            row["party_name"] == published.entity.name and row["credit_code"] == published.entity.credit_code
        )
        assert row["inspection_result"] == "未发现问题" and row["inspected_on"] == RESULT_DAY.isoformat()
        assert "王小明" not in row["inspection_summary"] and "证人王某证实" in row["inspection_summary"]
        assert published.number in bytes(item.files.get(format="csv").content).decode("utf-8-sig")
        # Exported once: the next export of the same period has nothing.
        with pytest.raises(credit.ExportRefused):
            credit.export(bureau_head, *period, "csv")
