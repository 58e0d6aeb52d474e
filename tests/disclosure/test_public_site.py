"""A proper government website (政府网站发展指引, 国办发〔2017〕47号): every public page carries the footer
(主办单位, the host portal's 网站标识码, ICP备案号, 公安机关备案号 when set — nothing when empty) and the page
metadata (SiteName, SiteDomain, SiteIDCode, ColumnName, ColumnType, ArticleTitle, ContentSource); a working
纠错 link; no dead link."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from tests.disclosure.support import empty_cache  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "disclosure:index",
    "disclosure:subjects",
    "disclosure:personnel",
    "disclosure:powers",
    "disclosure:inspections",
    "disclosure:procedures",
    "disclosure:guides",
    "disclosure:channels",
    "disclosure:rules",
    "disclosure:certificate_lookup",
    "disclosure:document_lookup",
    "disclosure:publication_list",
    "disclosure:statistics",
]
HOST = {
    "GOV_SITE_NAME": "武定县人民政府",
    "GOV_SITE_DOMAIN": "www.wuding.gov.cn",
    "GOV_SITE_ID_CODE": "5323290001",
    "GOV_SITE_ICP": "滇ICP备00000000号",
    "GOV_SITE_PSB": "滇公网安备 53232902000000号",
}


def meta(page: str, name: str) -> str | None:
    found = re.search(rf'<meta name="{name}" content="([^"]*)">', page)
    return found.group(1) if found else None


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_public_page_carries_the_metadata_and_the_footer(client, name):
    with override_settings(**HOST):
        cache.clear()
        page = client.get(reverse(name)).content.decode()
    assert meta(page, "SiteName") == "武定县人民政府"
    assert meta(page, "SiteDomain") == "www.wuding.gov.cn"
    assert meta(page, "SiteIDCode") == "5323290001"
    assert meta(page, "ColumnName") and meta(page, "ColumnType") and meta(page, "ArticleTitle")
    assert meta(page, "ContentSource") == "武定县市场监督管理局"
    assert "主办单位：武定县市场监督管理局" in page
    assert "网站标识码：5323290001" in page and "滇ICP备00000000号" in page
    assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=53232902000000"' in page
    assert "sitecode=5323290001" in page and "我为政府网站找错" in page
    assert 'href="#"' not in page


def test_empty_identifiers_show_nothing_rather_than_a_fake(client):
    page = client.get(reverse("disclosure:index")).content.decode()
    assert meta(page, "SiteIDCode") is None
    assert "网站标识码" not in page and "ICP" not in page and "公网安备" not in page
    assert "我为政府网站找错" not in page
    assert "主办单位：武定县市场监督管理局" in page


def test_the_correction_link_leads_to_how_to_report(client):
    page = client.get(reverse("disclosure:index")).content.decode()
    assert f'href="{reverse("disclosure:publication_list")}#report-help"' in page
    listing = client.get(reverse("disclosure:publication_list")).content.decode()
    assert 'id="report-help"' in listing and "我要纠错" in listing
