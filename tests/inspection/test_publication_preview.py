"""Publishing a result is two steps (issue 17 point 6): the officer sees the public text exactly as it will
appear, each redaction marked with what was hidden and why, and confirms; what is stored is that preview. A text
or a rule changed between preview and confirmation is refused, and the new preview is shown instead."""

import datetime

import pytest
from django.urls import reverse

from inspection.models import EntityKind, Inspection
from inspection.publication import PreviewChanged
from tests.conftest import login_as
from tests.inspection.test_publication import at
from tests.inspection.test_publication_channels import WRITTEN, resulted  # noqa: F401 - fixture
from wuding_enforcement.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PUBLISH_DAY = datetime.date(2026, 9, 24)


def test_the_published_text_is_exactly_the_previewed_one(resulted, officer):  # noqa: F811
    with at(PUBLISH_DAY):
        shown = resulted.preview_publication(WRITTEN)
        assert not Inspection.objects.get(pk=resulted.pk).published_at  # a preview stores nothing
        resulted.publish(by=officer, public_summary=WRITTEN, preview_digest=shown.digest)
    assert resulted.public_summary == shown.text
    assert resulted.public_redactions == shown.redactions
    assert resulted.public_entity_name == shown.entity_name == resulted.entity.name
    # Each redaction is marked in the preview with what it hides and why.
    marked = {piece: r for piece, r in shown.pieces if r}
    assert marked["陈某"]["original"] == "陈建国" and marked["陈某"]["label"] == "自然人姓名"
    assert "现场检查笔录" in marked["陈某"]["origin"]
    assert marked["［电话号码］"]["label"] == "电话号码"
    assert "".join(piece for piece, _ in shown.pieces) == shown.text
    entry = AuditEvent.objects.filter(action="inspection.inspection.published").latest("seq")
    assert entry.detail["digest"] == shown.digest


def test_a_text_changed_after_the_preview_is_refused_with_the_new_preview(resulted, officer):  # noqa: F811
    with at(PUBLISH_DAY):
        shown = resulted.preview_publication("未发现问题。")
        with pytest.raises(PreviewChanged) as refused:
            resulted.publish(by=officer, public_summary=WRITTEN, preview_digest=shown.digest)
    assert refused.value.preview.written == WRITTEN and "陈建国" not in refused.value.preview.text
    assert Inspection.objects.get(pk=resulted.pk).published_at is None
    assert AuditEvent.objects.filter(action="inspection.inspection.publish_refused").exists()


def test_a_rule_changed_after_the_preview_is_refused(resulted, officer):  # noqa: F811
    """The registration is corrected between preview and confirmation: the entity is a 个体工商户 whose
    operator the text names — the confirmed preview showed the name, publishing now would hide it."""
    entity = resulted.entity
    entity.representative = "张三"
    entity.save()
    text = "经营者张三在场，未发现问题。"
    with at(PUBLISH_DAY):
        shown = resulted.preview_publication(text)
        assert shown.text == text  # an enterprise's 法定代表人 stays named
        entity.kind = EntityKind.INDIVIDUAL
        entity.save()
        with pytest.raises(PreviewChanged) as refused:
            resulted.publish(by=officer, public_summary=text, preview_digest=shown.digest)
    assert refused.value.preview.text == "经营者张某在场，未发现问题。"
    assert Inspection.objects.get(pk=resulted.pk).published_at is None


def test_the_officer_previews_then_confirms_on_the_page(client, resulted, officer):  # noqa: F811
    login_as(client, officer)
    with at(PUBLISH_DAY):
        page = client.post(
            reverse("inspection:publish_preview", args=[resulted.pk]), {"public_summary": WRITTEN}
        )
        assert page.status_code == 200
        html = page.content.decode()
        assert '<mark class="redacted" title="已隐去：自然人姓名">陈某</mark>' in html
        assert "<td>陈建国</td><td>陈某</td><td>自然人姓名</td>" in html
        assert Inspection.objects.get(pk=resulted.pk).published_at is None
        digest = page.context["preview"].digest
        confirmed = client.post(
            reverse("inspection:publish", args=[resulted.pk]),
            {"public_summary": WRITTEN, "reason": "", "preview_digest": digest},
        )
    assert confirmed.status_code == 302
    published = Inspection.objects.get(pk=resulted.pk)
    assert published.published_at and published.public_summary == page.context["preview"].text
    public = client.get(reverse("inspection_public:result", args=[resulted.pk])).content.decode()
    assert published.public_summary in public


def test_a_forged_confirmation_with_another_text_is_refused_and_shows_the_new_preview(
    client,
    resulted,  # noqa: F811
    officer,
):
    login_as(client, officer)
    with at(PUBLISH_DAY):
        digest = resulted.preview_publication("未发现问题。").digest
        response = client.post(
            reverse("inspection:publish", args=[resulted.pk]),
            {"public_summary": WRITTEN, "reason": "", "preview_digest": digest},
        )
        missing = client.post(reverse("inspection:publish", args=[resulted.pk]), {"public_summary": WRITTEN})
    assert response.status_code == 409
    assert "公示内容或隐去规则在预览后发生了变化" in response.content.decode()
    assert response.context["preview"].written == WRITTEN
    assert missing.status_code in (302, 409)
    assert Inspection.objects.get(pk=resulted.pk).published_at is None
