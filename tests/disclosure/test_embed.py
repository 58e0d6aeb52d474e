# ruff: noqa: F811  (pytest fixtures imported from the factories are redefined as arguments)
"""The views the county government's portal embeds (国办发〔2017〕47号): framed only by the configured origins
(CSP frame-ancestors on those views alone; every other page keeps X-Frame-Options DENY), minimal chrome with
the government-site metadata kept, the same content rules as the bureau's own pages, cached like them."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from inspection.models import Inspection, Result
from tests.disclosure.publication_factories import (  # noqa: F401  (fixtures)
    decided_case,
    empty_cache,
    fake_pdf,
    issue_decision,
    now,
    serve,
)
from tests.inspection.conftest import TODAY as INSPECTED_ON
from tests.inspection.conftest import (  # noqa: F401  (fixtures)
    approved,
    food,
    frozen,
    item,
    make_entity,
    officers,
    plan,
    walk_to_inspected,
)

pytestmark = pytest.mark.django_db

PORTAL = "https://www.wuding.gov.cn"


@pytest.fixture
def published(decided_case, officer, bureau_head):
    """Two decisions of one case, both published, the second then withdrawn."""
    from disclosure.models import Publication

    case = decided_case()
    made = []
    for violation in ("经营超过保质期的食品", "销售不合格药品"):
        decision = issue_decision(case, officer, violation_type=violation)
        pub = Publication.objects.get(document=decision)
        serve(pub.document, officer)
        pub.publish(by=bureau_head)
        made.append(pub)
    made[1].withdraw(by=bureau_head, kind="revoked", reason="经行政复议，原处罚决定被撤销。")
    cache.clear()
    return {"published": made[0], "withdrawn": made[1]}


@pytest.fixture
def result(plan, food, item, officers, officer, bureau_head):
    inspection = Inspection.register(
        by=officer,
        kind="key",
        entity=make_entity(1, categories=[food]),
        item=item,
        officers=officers,
        planned_on=INSPECTED_ON,
        reason="重点检查。",
        plan=plan,
    )
    approved(inspection, bureau_head)
    walk_to_inspected(inspection, officers)
    inspection.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
    inspection.publish(by=officer, public_summary="未发现问题。")
    cache.clear()
    return inspection


def embed_urls(published):
    return [
        reverse("disclosure:publication_embed"),
        reverse("disclosure:publication_embed_detail", args=[published["published"].pk]),
        reverse("disclosure:inspection_results_embed"),
    ]


def framed_by(response) -> str:
    return next(
        part.strip()
        for part in response["Content-Security-Policy"].split(";")
        if part.strip().startswith("frame-ancestors")
    )


def test_the_embeds_may_be_framed_by_the_configured_portal_only(client, published):
    with override_settings(EMBED_ALLOWED_ORIGINS=[PORTAL, "https://zwgk.cxz.gov.cn"]):
        for url in embed_urls(published):
            response = client.get(url)
            assert response.status_code == 200, url
            assert framed_by(response) == f"frame-ancestors {PORTAL} https://zwgk.cxz.gov.cn", url
            assert "X-Frame-Options" not in response, url
        # Every other page, public or not, stays unframeable.
        for url in (
            reverse("disclosure:publication_list"),
            reverse("disclosure:publication_detail", args=[published["published"].pk]),
            reverse("disclosure:index"),
            reverse("roster:login"),
        ):
            other = client.get(url)
            assert framed_by(other) == "frame-ancestors 'none'" and other["X-Frame-Options"] == "DENY", url


def test_with_no_origin_configured_nobody_may_frame_them(client, published):
    with override_settings(EMBED_ALLOWED_ORIGINS=[]):
        for url in embed_urls(published):
            response = client.get(url)
            assert framed_by(response) == "frame-ancestors 'none'", url
            assert response["X-Frame-Options"] == "DENY", url


def test_a_framed_page_from_the_cache_still_carries_the_portals_origin(client, published):
    url = reverse("disclosure:publication_embed")
    with override_settings(EMBED_ALLOWED_ORIGINS=[]):
        client.get(url)  # built and cached while closed
    with override_settings(EMBED_ALLOWED_ORIGINS=[PORTAL]):
        assert framed_by(client.get(url)) == f"frame-ancestors {PORTAL}"


def test_the_embeds_have_no_site_chrome_but_keep_the_government_metadata(client, published):
    with override_settings(GOV_SITE_NAME="武定县人民政府", GOV_SITE_ID_CODE="5323290001"):
        detail = client.get(
            reverse("disclosure:publication_embed_detail", args=[published["published"].pk])
        ).content.decode()
    for meta in (
        '<meta name="SiteName" content="武定县人民政府">',
        '<meta name="SiteIDCode" content="5323290001">',
        '<meta name="ColumnName" content="行政处罚决定公示">',
        '<meta name="ColumnType"',
        f'<meta name="ArticleTitle" content="{published["published"].document_number}',
        '<meta name="PubDate" content="',
        '<meta name="ContentSource" content="武定县市场监督管理局">',
    ):
        assert meta in detail, meta
    # No header, navigation or footer of the standalone site; its links open in a new window.
    assert "public-head" not in detail and "public-footer" not in detail and "<nav" not in detail
    assert "工作人员登录" not in detail
    assert (
        f'href="{reverse("disclosure:publication_report", args=[published["published"].pk])}" target="_blank"'
        in detail
    )


def test_the_embedded_list_and_detail_follow_the_public_rules(client, published):
    listing = client.get(reverse("disclosure:publication_embed")).content.decode()
    assert published["published"].document_number in listing and "经营超过保质期的食品" in listing
    # The withdrawn decision keeps its number and says so, without its content.
    assert published["withdrawn"].document_number in listing and "已撤回" in listing
    assert "销售不合格药品" not in listing
    shown = client.get(reverse("disclosure:publication_embed_detail", args=[published["published"].pk]))
    assert published["published"].published_text.splitlines()[0][:10] in shown.content.decode()
    withdrawn = client.get(
        reverse("disclosure:publication_embed_detail", args=[published["withdrawn"].pk])
    ).content.decode()
    assert "该公示信息已撤回" in withdrawn and "销售不合格药品" not in withdrawn


def test_a_draft_is_not_embeddable(client, decided_case, officer):
    from disclosure.models import Publication

    draft = Publication.objects.get(document=issue_decision(decided_case(), officer))
    assert client.get(reverse("disclosure:publication_embed_detail", args=[draft.pk])).status_code == 404


def test_the_embeds_are_cached_and_renewed_when_a_publication_changes(client, published, bureau_head):
    url = reverse("disclosure:publication_embed")
    assert published["published"].document_number in client.get(url).content.decode()
    published["published"].withdraw(by=bureau_head, kind="revoked", reason="经诉讼，原处罚决定被撤销。")
    listing = client.get(url).content.decode()
    assert "经营超过保质期的食品" not in listing


def test_the_embedded_inspection_results_list_published_results(client, result):
    page = client.get(reverse("disclosure:inspection_results_embed")).content.decode()
    assert result.entity.name in page
    assert reverse("inspection_public:result", args=[result.pk]) in page
    assert '<meta name="ColumnName" content="检查结果公示">' in page


def test_the_embeds_first_address_still_leads_to_it(client, db):
    """Portals that framed /publications/embed/ before it moved keep working: a permanent redirect, query kept."""
    response = client.get("/publications/embed/", {"q": "食品", "page": 2})
    assert response.status_code == 301
    assert response["Location"] == reverse("disclosure:publication_embed") + "?q=%E9%A3%9F%E5%93%81&page=2"
