"""阅读设置 (issue 14 §6): the elder mode and the font size are kept in a cookie written by a plain GET view
(no script needed), never in the session, and are part of the page-cache key: a page cached whole comes in the
mode of the visitor who asks for it, and a cached page is still served from the cache."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from disclosure import preferences
from disclosure.signing import signed_certificate_path
from tests.disclosure.support import empty_cache  # noqa: F401 - autouse fixture
from wuding_enforcement.cases.models import RuleSettings
from wuding_enforcement.roster.models import Certificate
from wuding_enforcement.shared.charts import bar_chart

pytestmark = pytest.mark.django_db

ELDER = preferences.ViewPrefs(elder=True, size="large")


def _root_class(response) -> str:
    return re.search(r'<html lang="zh-CN" class="([^"]*)"', response.content.decode()).group(1)


def test_the_switch_writes_the_cookie_and_sends_the_visitor_back_without_a_session(client):
    response = client.get(reverse("disclosure:view_settings"), {"elder": "1", "next": "/powers/"})
    assert response.status_code == 303 and response["Location"] == "/powers/"
    cookie = response.cookies[preferences.COOKIE]
    assert cookie.value == "elder.standard" and cookie["max-age"] == preferences.COOKIE_MAX_AGE
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "no-store" in response["Cache-Control"]
    # The next choice keeps the first one.
    response = client.get(reverse("disclosure:view_settings"), {"size": "xlarge", "next": "/"})
    assert response.cookies[preferences.COOKIE].value == "elder.xlarge"
    response = client.get(reverse("disclosure:view_settings"), {"elder": "0", "next": "/"})
    assert response.cookies[preferences.COOKIE].value == "normal.xlarge"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "powers/"]
)
def test_the_switch_never_sends_the_visitor_to_another_site(client, target):
    response = client.get(reverse("disclosure:view_settings"), {"size": "large", "next": target})
    assert response["Location"] == "/"


def test_the_switch_keeps_the_query_of_the_page_the_visitor_came_from(client, officer):
    # A certificate reached by its signed QR link keeps its signature; a search keeps its terms.
    signed = signed_certificate_path(Certificate.objects.get(holder=officer).number)
    path = signed.split("?")[0]
    response = client.get(
        reverse("disclosure:view_settings"),
        {"elder": "1", "next": path},
        HTTP_REFERER="http://testserver" + signed,
    )
    assert response["Location"] == signed
    # Only from the same page of this site: another site's Referer, or another page's, gives the path.
    for referer in ("https://evil.example" + signed, "http://testserver/powers/?q=食品"):
        response = client.get(
            reverse("disclosure:view_settings"), {"elder": "1", "next": path}, HTTP_REFERER=referer
        )
        assert response["Location"] == path


def test_without_a_choice_the_switch_is_a_page_of_its_own(client):
    client.cookies[preferences.COOKIE] = ELDER.key
    response = client.get(reverse("disclosure:view_settings"), {"next": "/powers/"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "关闭长者模式" in text and "next=/powers/" in text
    assert preferences.COOKIE not in response.cookies


def test_a_forged_or_unknown_cookie_is_the_default_mode(client):
    for value in ("elder.huge", "admin", "", "elder.large.extra", "<script>"):
        assert preferences.parse(value) == preferences.DEFAULT
    client.cookies[preferences.COOKIE] = "elder.<b>"
    assert _root_class(client.get(reverse("disclosure:subjects"))) == "view-normal size-standard"


def test_every_public_page_header_links_to_the_switch_with_the_page_to_come_back_to(client):
    text = client.get(reverse("disclosure:powers"), {"q": "食品"}).content.decode()
    assert 'href="/view/?elder=1&amp;next=/powers/"' in text
    for size in preferences.SIZES:
        assert f'href="/view/?size={size}&amp;next=/powers/"' in text
    assert 'aria-current="true" aria-label="字号标准"' in text


def test_a_page_cached_whole_comes_in_each_visitors_mode_and_still_from_the_cache(client, monkeypatch):
    from disclosure.views import pages

    RuleSettings.current()  # created once beforehand: its creation renews the home page's section
    built = []
    render = pages.render_to_string
    monkeypatch.setattr(pages, "render_to_string", lambda *a, **kw: built.append(a[0]) or render(*a, **kw))
    home = reverse("disclosure:index")
    assert _root_class(client.get(home)) == "view-normal size-standard"  # built and cached (normal)
    client.cookies[preferences.COOKIE] = ELDER.key
    response = client.get(home)  # built and cached (elder): not the normal page from the cache
    assert _root_class(response) == "view-elder size-large"
    assert 'aria-current="true" aria-label="字号大"' in response.content.decode()
    assert "退出长者模式" in response.content.decode()
    assert len(built) == 2
    assert _root_class(client.get(home)) == "view-elder size-large"  # from the cache
    del client.cookies[preferences.COOKIE]
    response = client.get(home)  # from the cache
    assert _root_class(response) == "view-normal size-standard"
    assert "退出长者模式" not in response.content.decode()
    assert len(built) == 2, "a cached page was built again"


def test_the_certificate_page_cached_whole_comes_in_each_visitors_mode(client, officer):
    path = signed_certificate_path(Certificate.objects.get(holder=officer).number)
    assert _root_class(client.get(path)) == "view-normal size-standard"
    client.cookies[preferences.COOKIE] = ELDER.key
    assert _root_class(client.get(path)) == "view-elder size-large"


def test_a_page_whose_content_is_cached_shows_the_header_in_each_visitors_mode(client):
    # The catalogue pages cache their content part only; the header around it follows the cookie.
    powers = reverse("disclosure:powers")
    assert _root_class(client.get(powers)) == "view-normal size-standard"
    client.cookies[preferences.COOKIE] = ELDER.key
    assert _root_class(client.get(powers)) == "view-elder size-large"


def test_the_statistics_bars_carry_every_label_whole_as_text():
    html = bar_chart([("重大执法决定法制审核", 3), ("行政处罚", 12)], title="2026年度行政执法数据")
    assert '<span class="bar-label">重大执法决定法制审核</span>' in html
    assert '<span class="bar-value">3</span>' in html and 'width="25.0"' in html
    assert "<text" not in html and "style=" not in html
