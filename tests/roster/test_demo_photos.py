"""The demo's certificate photos: fictitious illustrated avatars (a silhouette and the surname, drawn with
Pillow), within the upload limits, seeded with the roster and shown on the public verify page."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from demo.roster import avatar_png, seed_demo_photos
from demo.seeding import _Seeder
from wuding_enforcement.roster.models import Certificate
from wuding_enforcement.roster.validators import validate_certificate_photo

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def bureau():
    """The demo's units, staff and certificates, without the cases."""
    with time_machine.travel(
        datetime.datetime.combine(TODAY, datetime.time(10), tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    ):
        seeder = _Seeder(TODAY)
        seeder.make_units()
        seeder.make_staff()
    return seeder


def test_every_demo_certificate_gets_a_photo_that_passes_the_upload_rules(bureau):
    assert Certificate.objects.exists() and not Certificate.objects.exclude(photo="").exists()
    seed_demo_photos()
    certificates = list(Certificate.objects.all())
    assert all(c.photo for c in certificates)
    for cert in certificates:
        with cert.photo.open("rb") as fh:
            data = fh.read()
        validate_certificate_photo(SimpleUploadedFile(cert.photo.name, data))
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.size == (240, 320)
        # The change is in the certificate's history, with the demo's own reason.
        assert cert.history.filter(history_change_reason="roster.photo.demo").exists()


def test_photos_differ_by_person_and_stay_the_same_for_the_same_certificate():
    assert avatar_png("刘晓燕", "5323000001") == avatar_png("刘晓燕", "5323000001")
    assert avatar_png("刘晓燕", "5323000001") != avatar_png("马俊", "5323000002")


def test_seeding_twice_keeps_the_photos_it_made(bureau):
    seed_demo_photos()
    before = dict(Certificate.objects.values_list("pk", "photo"))
    assert seed_demo_photos() == []
    assert dict(Certificate.objects.values_list("pk", "photo")) == before


def test_the_verify_page_shows_the_demo_photo(bureau, client):
    seed_demo_photos()
    cert = Certificate.objects.select_related("holder").first()
    page = client.get(reverse("disclosure:verify_certificate", args=[cert.number])).content.decode()
    photo_url = reverse("disclosure:certificate_photo", args=[cert.number])
    assert photo_url in page
    response = client.get(photo_url)
    assert response["Content-Type"] == "image/png" and response.content.startswith(b"\x89PNG")


def test_the_demo_seeds_the_photos_with_the_systems(bureau, monkeypatch):
    from django.apps import apps

    monkeypatch.setattr(apps, "is_installed", lambda name: False)  # no cases, documents, publications
    bureau.seed_systems()
    assert not Certificate.objects.filter(photo="").exists()
