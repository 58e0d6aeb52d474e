"""The public list's pagination (wuding_enforcement/shared/paginator.py): a page number alone is not a search —
the list keeps its exact total on every page — and a page past a search's counted window is served, never
silently replaced by the last page of the window."""

from django.urls import reverse

from tests.disclosure.publication_factories import (  # noqa: F401  (fixtures)
    decided_case,
    empty_cache,
    fake_pdf,
    now,
)
from tests.disclosure.test_publication_pages import html, publications  # noqa: F401 (fixture)


def test_page_two_of_the_list_keeps_the_exact_total(client, publications, monkeypatch):  # noqa: F811
    from disclosure.views import publications as views

    monkeypatch.setattr(views, "PER_PAGE", 1)
    page = html(client.get(reverse("disclosure:publication_list"), {"page": "2"}))
    assert "共 2 条" in page and "第 2 / 2 页" in page and "余" not in page


def test_a_page_past_the_counted_window_of_a_search_is_that_page(client, publications, monkeypatch):  # noqa: F811
    from disclosure.views import publications as views

    monkeypatch.setattr(views, "PER_PAGE", 1)
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 1)
    first = html(client.get(reverse("disclosure:publication_list"), {"party": "某某商贸"}))
    assert "找到 1 余 条" in first and "第 1 / 2 页" in first
    second = html(client.get(reverse("disclosure:publication_list"), {"party": "某某商贸", "page": "2"}))
    assert "第 2 / 2 页" in second and "找到 2 条" in second
