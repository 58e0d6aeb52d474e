"""The public home page and the look of the portal: Chinese, no outside resources."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.conftest import login_as

pytestmark = pytest.mark.django_db


def test_the_public_home_page_opens_without_signing_in_and_names_its_sections(client):
    response = client.get(reverse("disclosure:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for section in ("事前公开", "事中公示", "事后公开", "执法证件查询", "三项制度", "12315"):
        assert section in html, section
    assert "建设中" not in html
    # A citizen sees no staff navigation.
    assert reverse("cases:list") not in html


def test_pages_load_no_outside_resources(client, officer, make_case):
    case = make_case()
    public = client.get(reverse("disclosure:index")).content.decode()
    login_as(client, officer)
    pages = [public] + [
        client.get(url).content.decode()
        for url in (reverse("home"), reverse("cases:list"), reverse("cases:detail", args=[case.pk]))
    ]
    for html in pages:
        sources = re.findall(r'<(?:link|script|img)[^>]+(?:href|src)="([^"]+)"', html)
        assert sources, "every page links the stylesheet"
        assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources


def test_the_stylesheet_exists_and_names_the_chinese_font_stack():
    path = finders.find("css/portal.css")
    assert path is not None
    with open(path, encoding="utf-8") as f:
        css = f.read()
    assert '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei"' in css
    assert ":focus-visible" in css


def test_staff_pages_show_dates_in_chinese(client, officer, make_case):
    case = make_case()
    login_as(client, officer)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "2026年11月2日" in html  # the lead date
    assert "2026-11-02" not in html
