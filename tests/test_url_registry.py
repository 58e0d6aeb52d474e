"""Walks every URL pattern of the project: a URL that is not on the public list must refuse an anonymous
visitor, a role-restricted view must refuse staff without the role, and /admin/ is for admins only.
New URLs are covered automatically; a new public URL must be added to PUBLIC on purpose."""

import re

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import login_as, make_staff

pytestmark = pytest.mark.django_db

# URL names anyone may open. Adding a name here is a decision: say why in the commit.
PUBLIC = {
    "disclosure:rules",  # 制度文件: the bureau's effective rules documents (建章立制)
    "disclosure:index",  # the public home page (公示)
    # 事前公开 pages, the certificate and document checks, the statistics: public by law (docs/domain.md §1);
    # what they may show is tested in tests/disclosure/test_public_security.py.
    "disclosure:subjects",
    "disclosure:personnel",
    "disclosure:powers",
    "public_benchmarks",  # 裁量基准: legal_review's page on the public site (legal_review/public.py)
    "disclosure:inspections",
    "disclosure:procedures",
    "disclosure:guides",
    "disclosure:channels",
    "disclosure:certificate_lookup",
    "disclosure:document_lookup",
    "disclosure:statistics",
    "disclosure:statistics_live",
    # 阅读设置: the elder mode and font-size switch (a preference cookie, nothing else; issue 14 §6).
    "disclosure:view_settings",
    # 事后公开: the list of published decisions, its feed, the embeddable list and the open data show only
    # published, redacted summaries (tests/disclosure/test_publication_pages.py walks guessed ids too).
    "disclosure:publication_list",
    "disclosure:publication_feed",
    "disclosure:publication_embed",
    "disclosure:publication_embed_first_address",
    # The county portal's embeds (disclosure/views/embed.py): the same published content, framed by configured
    # origins only (tests/disclosure/test_embed.py).
    "disclosure:inspection_results_embed",
    "disclosure:publication_open_csv",
    "disclosure:publication_open_json",
    # The published inspection results as open data (redacted public text; tests/inspection/
    # test_publication_channels.py).
    "disclosure:inspection_open_csv",
    "disclosure:inspection_open_json",
    # 行政检查's public pages (docs/domain.md §7): its published lists, plans, draws (commitments; the pairs only
    # after the visits), results, the verification script and the 检查码 lookup (tests/inspection/test_pages.py).
    "inspection_public:index",
    "inspection_public:subjects",
    "inspection_public:items",
    "inspection_public:plans",
    "inspection_public:draws",
    "inspection_public:results",
    "inspection_public:verify_script",
    "inspection_public:code_lookup",
    "healthz",  # load-balancer health check, answers {"status": "ok"} only
    "audit:anchor",  # the audit chain's published anchors (sequence numbers and hashes, no content)
    "roster:login",  # the staff sign-in page
}
# Not pages: Django's static-file serving is not mounted in tests.
IGNORED_PREFIXES = ("static/",)


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern.callback


def _concrete(route, ids):
    """Turn a route into a URL: <int:x> becomes an existing id of that kind, other converters 'x'."""
    if route.startswith("^") or "(?P<" in route:
        return None  # regex catch-alls of the admin: covered by the admin model URLs below

    def replace(match):
        converter, name = match.group(1) or "str", match.group(2)
        if converter == "int":
            return str(ids.get(name, ids["pk"]))
        return "x"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)


def _admin_urls():
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    return urls


@pytest.fixture
def every_url(make_case, officer):
    case = make_case()
    approval = case.request_approval("filing", by=officer, reason="符合立案条件")
    ids = {"pk": case.pk, "approval_pk": approval.pk, "case_pk": case.pk}
    entries = []
    for route, name, callback in _walk(get_resolver().url_patterns):
        if route.startswith(IGNORED_PREFIXES):
            continue
        url = _concrete(route, ids)
        if url is not None:
            entries.append((url, name, callback))
    assert len(entries) >= 10, "the walk found suspiciously few URLs"
    return entries


def _refused(response):
    """Refused: 403/404/405, or (following redirects) the visitor ends on the sign-in or OTP page."""
    if response.status_code in (403, 404, 405):
        return True
    final = response.request["PATH_INFO"]
    return bool(response.redirect_chain) and final.startswith(("/accounts/login/", "/accounts/otp/"))


def test_every_non_public_url_refuses_an_anonymous_visitor(client, every_url):
    checked = 0
    for url, name, _ in every_url:
        if name in PUBLIC:
            continue
        for method in (client.get, client.post):
            response = method(url, follow=True)
            assert _refused(response), (
                f"{url} ({name}) answered {response.status_code} to an anonymous {method}"
            )
        checked += 1
    assert checked >= 8


def test_the_public_urls_are_open_to_anyone(client, every_url):
    names = {name for _, name, _ in every_url}
    assert names >= PUBLIC, f"public URL names that no longer exist: {PUBLIC - names}"
    for url, name, _ in every_url:
        if name in PUBLIC:
            response = client.get(url, follow=True)  # (a moved address answers with where it went)
            if response.streaming:
                # Read it to the end, as a server does: the test client then closes the response and with it a
                # served file (prebuilt open data). (response.close() here would also close the database
                # connection through request_finished.)
                b"".join(response.streaming_content)
            assert response.status_code == 200, url


def test_role_restricted_views_refuse_staff_without_the_role(client, every_url, units):
    nobody = make_staff("no_roles", "无角色", units["shishan"], certificate=False)
    login_as(client, nobody)
    restricted = [(url, name, cb) for url, name, cb in every_url if getattr(cb, "required_roles", None)]
    assert restricted, "no role-restricted view was found: the decorator lost its marker?"
    for url, name, _ in restricted:
        response = client.get(url)
        assert response.status_code in (403, 404, 405), f"{url} ({name}) let a user without roles in"


def test_role_restricted_views_admit_a_holder_of_the_role(client, every_url, units):
    from django.contrib.auth.models import Group

    for url, _name, callback in every_url:
        roles = getattr(callback, "required_roles", None)
        if not roles:
            continue
        holder = make_staff(
            f"holder_{abs(hash(url)) % 10**8}", "持有者", units["shishan"], roles[0], certificate=False
        )
        holder.groups.add(Group.objects.get(name=roles[0]))
        login_as(client, holder)
        # Past the role gate a URL that names an object (an id or a slug filled in by the walk) may find none
        # there: a 404 then shows the gate let the holder in; the role gate itself answers 403.
        names_object = any(part == "x" or part.isdigit() for part in url.strip("/").split("/"))
        allowed = (200, 404, 405) if names_object else (200, 405)
        assert client.get(url).status_code in allowed, f"{url} refused a holder of {roles[0]}"
        client.logout()


def test_the_admin_is_refused_to_every_role_but_admin(
    client, officer, unit_head, bureau_head, reviewer, records_keeper, admin_user
):
    urls = _admin_urls()
    for user in (officer, unit_head, bureau_head, reviewer, records_keeper):
        login_as(client, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (302, 403, 404), f"{user.username} reached {url}"
            if response.status_code == 302:
                assert "/admin/" not in response["Location"] or "login" in response["Location"]
        client.logout()
    login_as(client, admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
