# ruff: noqa: F811  (pytest fixtures imported from publication_factories are redefined as arguments)
"""The feed and a decision's page read only what they show: the issued text (staff only) and the search keys stay
in the table — stored out of line, they were read from the disk for every entry once the table outgrew the
memory (bench/README.md, issue 16). Nothing they show is left out: no query per entry, the same page."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from disclosure.models import Publication
from disclosure.views import feeds, publications
from tests.disclosure.publication_factories import (  # noqa: F401  (fixtures)
    decided_case,
    empty_cache,
    fake_pdf,
    issue_decision,
    now,
    serve,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(decided_case, officer, bureau_head):
    items = []
    for _ in range(3):
        case = decided_case()
        decision = issue_decision(case, officer)
        serve(decision, officer)
        items.append(Publication.objects.get(document=decision).publish(by=bureau_head))
    return items


def test_the_feed_reads_no_texts_and_no_query_per_entry(client, published, django_assert_num_queries):
    [item] = [i for i in feeds.PublicationFeed().items() if i.pk == published[0].pk]
    assert {"original_text", "published_text", "search_grams"} <= item.get_deferred_fields()
    cache.clear()
    # The decisions, the inspection results: whatever the number of entries.
    with django_assert_num_queries(2):
        body = client.get(reverse("disclosure:publication_feed")).content.decode()
    for pub in published:
        assert pub.document_number in body and pub.party_name in body and pub.penalty_content in body


def test_a_decisions_page_does_not_read_the_issued_text(client, published):
    item = publications.get_public_publication(published[0].pk)
    assert {"original_text", "search_grams"} <= item.get_deferred_fields()
    assert "published_text" not in item.get_deferred_fields()
    cache.clear()
    page = client.get(reverse("disclosure:publication_detail", args=[published[0].pk])).content.decode()
    assert published[0].document_number in page
