"""The records keeper keeps her own unit's finished cases only (Case.objects.visible_to: handling_unit_id =
her unit): a records keeper of another unit gets a 404 on every page of such a case that her colleague of
the unit opens — the case page, the recording workspace, each document, its PDF, the evidence, the case file
and the legal-review page — and the domain says the same (visible_to, may_see_classified, advance to 归档)."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from recording.models import Document, DocumentStatus, Evidence
from tests.conftest import login_as, make_staff
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import Case
from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.roster.models import Role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a stand-in for an issued document\n"
PHOTO = b"\xff\xd8\xff\xe0 a stand-in for a photo"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def other_keeper(units):
    """何丽, records keeper of 高桥所: keeps 高桥所's finished cases, never 狮山所's."""
    return make_staff("he_records", "何丽", units["gaoqiao"], Role.RECORDS_KEEPER, certificate=False)


@pytest.fixture
def finished(make_case, officer, unit_head, bureau_head):
    """A 狮山所 case that ended in 不予立案 (a finished case: the records keeper's to archive), with an issued
    document holding a PDF and a photo."""
    case = make_case()
    approval = case.request_approval("not_filing", by=officer, reason="违法事实不能成立。")
    approval.give_opinion(unit_head, agree=True, opinion="拟同意。")
    approval.give_opinion(bureau_head, agree=True, opinion="同意不予立案。")
    case.refresh_from_db()
    assert case.stage == Stage.NOT_FILED
    document = Document.objects.create(
        case=case,
        doc_type="lead_register",
        data={},
        status=DocumentStatus.ISSUED,
        number="武市监案源登〔2026〕1号",
        number_year=2026,
        number_seq=1,
        pdf=ContentFile(PDF, name="lead.pdf"),
        pdf_sha256=hashlib.sha256(PDF).hexdigest(),
        issued_by=officer,
        created_by=officer,
    )
    photo = Evidence.objects.create(
        case=case,
        kind="photo",
        title="现场照片",
        file=ContentFile(PHOTO, name="photo.jpg"),
        mime="image/jpeg",
        size=len(PHOTO),
        sha256=hashlib.sha256(PHOTO).hexdigest(),
        uploaded_by=officer,
    )
    return case, document, photo


def pages(case, document, photo):
    """Every GET page of a finished case that the unit's own records keeper may open."""
    return {
        "case page": reverse("cases:detail", args=[case.pk]),
        "workspace": reverse("recording:workspace", args=[case.pk]),
        "document": reverse("recording:document_detail", args=[case.pk, document.pk]),
        "document pdf": reverse("recording:document_pdf", args=[case.pk, document.pk]),
        "evidence list": reverse("recording:evidence_list", args=[case.pk]),
        "evidence": reverse("recording:evidence_detail", args=[case.pk, photo.pk]),
        "evidence download": reverse("recording:evidence_download", args=[case.pk, photo.pk]),
        "case file progress": reverse("recording:casefile_progress", args=[case.pk]),
        "legal review": reverse("legal_review:case", args=[case.pk]),
    }


def test_the_units_own_records_keeper_opens_every_page(client, finished, records_keeper):
    """The control: the pages below are hers to open, so a 404 for the other keeper means the scope."""
    login_as(client, records_keeper)
    for name, url in pages(*finished).items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize(
    "page",
    [
        "case page",
        "workspace",
        "document",
        "document pdf",
        "evidence list",
        "evidence",
        "evidence download",
        "case file progress",
        "legal review",
    ],
)
def test_a_records_keeper_of_another_unit_gets_a_404(client, finished, other_keeper, page):
    login_as(client, other_keeper)
    url = pages(*finished)[page]
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(actor=other_keeper, outcome="denied").exists()


def test_a_records_keeper_of_another_unit_cannot_start_or_download_the_case_file(
    client, finished, other_keeper
):
    case = finished[0]
    login_as(client, other_keeper)
    assert client.post(reverse("recording:casefile_start", args=[case.pk])).status_code == 404
    assert (
        client.get(reverse("recording:casefile_download", args=[case.pk]) + "?volume=main").status_code == 404
    )


def test_the_case_list_leaves_out_another_units_finished_cases(
    client, finished, other_keeper, records_keeper
):
    case = finished[0]
    login_as(client, other_keeper)
    assert case.number not in client.get(reverse("cases:list")).content.decode()
    login_as(client, records_keeper)
    assert case.number in client.get(reverse("cases:list")).content.decode()


def test_the_domain_scopes_records_keepers_to_their_unit(finished, other_keeper, records_keeper):
    case = finished[0]
    assert not Case.objects.visible_to(other_keeper).filter(pk=case.pk).exists()
    assert Case.objects.visible_to(records_keeper).filter(pk=case.pk).exists()
    assert not case.may_see_classified(other_keeper) and case.may_see_classified(records_keeper)
    with pytest.raises(TransitionRefused, match="不能推进本案"):
        case.advance(Stage.ARCHIVED, actor=other_keeper)
