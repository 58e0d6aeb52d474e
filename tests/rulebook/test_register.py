"""The register of the bureau's rules documents: 草拟 → 审定 → 备案 → 生效 → 废止, one effective version."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.conftest import login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.rulebook.models import RulesDocument, RulesVersion, VersionStatus

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def document(units):
    return RulesDocument.objects.create(
        title="武定县市场监督管理局行政执法公示办法",
        category="disclosure",
        drafting_unit=units["policy"],
        review_due=D(2027, 9, 1),
    )


def draft(document, admin_user, number=1):
    return RulesVersion.objects.create(
        document=document, number=number, text="第一条 为规范行政执法公示……", created_by=admin_user
    )


def file_through(version, by, start):
    version.advance(VersionStatus.APPROVED, by=by, on=start, authority="楚雄州市场监督管理局")
    version.advance(
        VersionStatus.FILED, by=by, on=start + datetime.timedelta(days=5), number="武司备〔2026〕3号"
    )
    version.advance(VersionStatus.EFFECTIVE, by=by, on=start + datetime.timedelta(days=10))


def test_a_version_goes_through_the_steps_in_order(document, admin_user):
    version = draft(document, admin_user)
    with pytest.raises(ValidationError, match="不能转为“备案”"):
        version.advance(VersionStatus.FILED, by=admin_user, on=D(2026, 9, 1), number="x")
    with pytest.raises(ValidationError, match="请填写审定机关"):
        version.advance(VersionStatus.APPROVED, by=admin_user, on=D(2026, 9, 1))
    version.advance(VersionStatus.APPROVED, by=admin_user, on=D(2026, 9, 1), authority="楚雄州市场监督管理局")
    with pytest.raises(ValidationError, match="请填写备案号"):
        version.advance(VersionStatus.FILED, by=admin_user, on=D(2026, 9, 5))
    with pytest.raises(ValidationError, match="不能早于审定日期"):
        version.advance(VersionStatus.FILED, by=admin_user, on=D(2026, 8, 30), number="武司备〔2026〕3号")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        version.advance(VersionStatus.FILED, by=admin_user, on=D(2026, 12, 1), number="武司备〔2026〕3号")
    version.advance(VersionStatus.FILED, by=admin_user, on=D(2026, 9, 5), number="武司备〔2026〕3号")
    version.advance(VersionStatus.EFFECTIVE, by=admin_user, on=D(2026, 9, 10))
    assert document.effective_version() == version
    assert version.history.first().history_change_reason == "rulebook.version.effective"
    assert AuditEvent.objects.filter(action="rulebook.version.filed").exists()


def test_a_new_effective_version_repeals_the_previous_one(document, admin_user):
    first = draft(document, admin_user)
    file_through(first, admin_user, D(2025, 3, 1))
    second = draft(document, admin_user, number=2)
    file_through(second, admin_user, D(2026, 10, 1))
    first.refresh_from_db()
    assert first.status == VersionStatus.REPEALED and first.repealed_on == D(2026, 10, 11)
    assert "被第2版替代" in first.repeal_reason
    assert document.effective_version() == second


def test_repeal_needs_a_reason_and_documents_past_review_are_flagged(document, admin_user):
    version = draft(document, admin_user)
    file_through(version, admin_user, D(2025, 3, 1))
    with pytest.raises(ValidationError, match="请填写废止理由"):
        version.advance(VersionStatus.REPEALED, by=admin_user, on=D(2026, 11, 1))
    assert list(RulesDocument.objects.past_review()) == []
    document.review_due = D(2026, 11, 1)
    document.save()
    assert list(RulesDocument.objects.past_review()) == [document]


def test_an_admin_files_a_version_through_the_admin_pages(client, document, admin_user):
    version = draft(document, admin_user)
    login_as(client, admin_user)
    url = f"/admin/rulebook/rulesversion/{version.pk}/step/"
    assert "办理“审定”" in client.get(url).content.decode()
    client.post(url, {"on": "2026-09-01", "authority": "楚雄州市场监督管理局"})
    client.post(url, {"on": "2026-09-05", "number": "武司备〔2026〕3号"})
    response = client.post(url, {"on": "2026-09-10"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.EFFECTIVE
    page = client.get("/admin/rulebook/rulesdocument/").content.decode()
    assert "第1版，2026年9月10日生效" in page


def test_the_public_sees_the_effective_version_and_the_earlier_ones(client, document, admin_user):
    first = draft(document, admin_user)
    file_through(first, admin_user, D(2025, 3, 1))
    second = draft(document, admin_user, number=2)
    second.text = "第一条 （2026年修订）为规范行政执法公示……"
    second.save()
    file_through(second, admin_user, D(2026, 10, 1))
    listing = client.get("/rules/").content.decode()
    assert document.title in listing and "现行第2版，2026年10月11日起施行" in listing
    detail = client.get(f"/rules/{document.pk}/").content.decode()
    assert "2026年修订" in detail and "第1版" in detail and "被第2版替代" in detail
    private = RulesDocument.objects.create(
        title="内部工作规程", category="other", drafting_unit=document.drafting_unit, is_public=False
    )
    assert client.get(f"/rules/{private.pk}/").status_code == 404
    assert "内部工作规程" not in client.get("/rules/").content.decode()


def test_past_review_is_one_rule_for_a_document_and_for_the_list(client, document, admin_user):
    for day in (D(2027, 8, 31), D(2027, 9, 1), D(2027, 9, 2)):
        in_list = RulesDocument.objects.past_review(day).filter(pk=document.pk).exists()
        assert document.is_past_review_on(day) == in_list, day
    assert document.is_past_review_on(D(2027, 9, 2)) and not document.is_past_review_on(D(2027, 9, 1))
    login_as(client, admin_user)
    assert "已过复审日期" not in client.get("/admin/rulebook/rulesdocument/").content.decode()
    document.review_due = D(2026, 11, 24)
    document.save()
    assert "（已过复审日期）" in client.get("/admin/rulebook/rulesdocument/").content.decode()


def test_a_refused_step_is_shown_in_the_admin_and_changes_nothing(client, document, admin_user):
    from wuding_enforcement.shared.refusals import Refused

    version = draft(document, admin_user)
    with pytest.raises(Refused, match="请填写审定机关"):
        version.advance(VersionStatus.APPROVED, by=admin_user, on=D(2026, 9, 1))
    login_as(client, admin_user)
    response = client.post(f"/admin/rulebook/rulesversion/{version.pk}/step/", {"on": "2026-09-01"})
    assert response.status_code == 200 and "请填写审定机关。" in response.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
