"""Open data as prebuilt files (disclosure/open_data.py): served with an ETag (304 when the client has it),
rebuilt through the outbox after a change; without today's files the view streams and asks for a build."""

import pytest
from django.urls import reverse

from disclosure import open_data
from tests.disclosure.publication_factories import (  # noqa: F401  (fixtures)
    decided_case,
    empty_cache,
    fake_pdf,
    now,
)
from tests.disclosure.test_publication_pages import publications  # noqa: F401 (fixture)
from wuding_enforcement.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_prebuilt_file_is_what_the_stream_would_be_and_carries_an_etag(client, publications):  # noqa: F811
    url = reverse("disclosure:publication_open_csv")
    streamed = body(client.get(url))
    open_data.build()
    response = client.get(url)
    assert response.has_header("ETag") and body(response) == streamed
    assert publications["published"].document_number in streamed.decode("utf-8-sig")
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_without_files_of_today_the_view_streams_and_asks_for_a_build(client, publications):  # noqa: F811
    OutboxMessage.objects.all().delete()
    response = client.get(reverse("disclosure:publication_open_json"))
    assert not response.has_header("ETag") and b'"items"' in body(response)
    assert OutboxMessage.objects.filter(task=open_data.TASK).count() == 1


def test_a_publication_change_asks_for_a_build_once_per_batch(publications, bureau_head):  # noqa: F811
    OutboxMessage.objects.all().delete()
    publications["published"].withdraw(
        by=bureau_head, kind="revoked", reason="经行政复议，原处罚决定被撤销。"
    )
    publications["withdrawn"].save()
    assert OutboxMessage.objects.filter(task=open_data.TASK).count() == 1
