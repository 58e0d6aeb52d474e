"""`Cache-Control: private, no-store` on every staff response; public pages stay cacheable for citizens."""

import pytest

from tests.conftest import login_as

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/staff/", "/staff/cases/", "/staff/recording/", "/staff/supervision/notifications/"]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_every_staff_page_is_private_and_never_stored(client, officer, url):
    login_as(client, officer)
    response = client.get(url)
    assert response.status_code in (200, 403), url
    assert response["Cache-Control"] == "private, no-store"
    assert "Cookie" in response["Vary"]


def test_a_staff_redirect_to_the_login_page_is_private_too(client):
    response = client.get("/staff/cases/")
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"


def test_the_login_page_is_private(client):
    assert client.get("/accounts/login/")["Cache-Control"] == "private, no-store"


def test_a_public_page_seen_by_a_citizen_is_not_marked_private(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_public_page_seen_by_signed_in_staff_is_private(client, officer):
    login_as(client, officer)
    assert client.get("/")["Cache-Control"] == "private, no-store"
