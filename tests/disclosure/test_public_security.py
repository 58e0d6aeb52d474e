"""docs/domain.md §1: anonymously, the public site shows only published content and public roster data. The
walk takes EVERY URL of the public site — the disclosure app's and the pages other systems show on it, such as
legal_review's 裁量基准 (this file does not list them: new URLs are covered automatically), fills
each parameter with every id and code a citizen could guess (case, party, document, draft, evidence and
publication ids; case numbers; verification codes of drafts), and looks for anything private."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from disclosure.models import Publication
from recording.models import Document, Evidence
from tests.disclosure.publication_factories import (  # noqa: F401 - fixtures
    PERSON,
    decided_case,
    fake_pdf,
    issue_decision,
    now,
)
from tests.disclosure.support import issued_document

pytestmark = pytest.mark.django_db

# Private facts of the case, its draft and its evidence: none may appear on any public page.
SECRETS = [
    "张三丰",  # a natural-person party whose decision is not published
    PERSON["id_number"],
    "13812345678",
    "某某村委会某村12号",
    "王小红",  # a witness named in the records
    "13987654321",
    "赵大伟",
    "急性胃肠炎",
    "草稿里的秘密违法事实",
    "现场照片（秘密）",
    "涉嫌销售秘密过期食品案",
]


# Public pages of other systems shown on the public site (routed from the root URLconf).
PUBLIC_MODULES_ELSEWHERE = {"legal_review.public"}


def _disclosure_routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    resolver = get_resolver()
    for route, pattern in walk(resolver.url_patterns):
        module = getattr(pattern.callback, "__module__", "")
        if module.startswith("disclosure.") or module in PUBLIC_MODULES_ELSEWHERE:
            yield route, pattern


def _urls(route, ints, strs):
    names = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    if not names:
        return ["/" + route]
    urls = []
    int_params = [n for conv, n in names if conv == "int"]
    values = ints if int_params else strs
    for value in values:
        url = "/" + re.sub(
            r"<(?:(\w+):)?(\w+)>",
            lambda m, v=value: str(v) if m.group(1) == "int" else (v if isinstance(v, str) else str(v)),
            route,
        )
        if "<" not in url:
            urls.append(url)
    return urls


@pytest.fixture
def world(decided_case, officer, colleague):  # noqa: F811 - the imported fixture
    """A case against a natural person (not published: a warning only), a decision draft, a draft of
    another decision, evidence, and an issued decision of an organisation whose publication is still a draft."""
    case = decided_case(party=PERSON, title="涉嫌销售秘密过期食品案")
    draft = Document.objects.create(
        case=case, doc_type="penalty_decision", data={"facts": "草稿里的秘密违法事实"}, created_by=officer
    )
    evidence = Evidence.objects.create(
        case=case,
        kind="photo",
        title="现场照片（秘密）",
        file="evidence/x/secret",
        mime="image/jpeg",
        size=10,
        sha256="0" * 64,
        uploaded_by=officer,
    )
    organisation_case = decided_case()
    decision = issue_decision(organisation_case, officer)  # its publication draft is not yet reviewed
    internal = issued_document(
        case, officer, doc_type="onsite_record", code="INTERNAL23", data={"present_person": "王小红"}
    )
    ints = sorted(
        {case.pk, organisation_case.pk, draft.pk, evidence.pk, decision.pk, internal.pk, 1, 2, 3}
        | set(Document.objects.values_list("pk", flat=True))
        | set(case.parties.values_list("pk", flat=True))
        | _publication_ids()
    )
    strs = [
        case.number,
        case.lead_number,
        organisation_case.number,
        str(case.pk),
        str(draft.pk),
        decision.verification_code,
        internal.verification_code,
        "x",
    ] + [c.number for c in officer.certificates.all()]
    return {"ints": ints, "strs": strs, "decision": decision}


def _publication_ids():
    return set(Publication.objects.values_list("pk", flat=True))


def test_every_public_url_shows_nothing_private_whatever_id_is_guessed(client, world):
    visited = 0
    for route, _pattern in _disclosure_routes():
        if route.startswith("staff/"):
            continue
        for url in _urls(route, world["ints"], world["strs"]):
            response = client.get(url)
            assert response.status_code < 500, url
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode("utf-8", errors="replace")
            for secret in SECRETS:
                assert secret not in body, f"{url} shows {secret!r}"
            visited += 1
    assert visited >= 40, "the walk visited suspiciously few URLs"
    assert any(route == "benchmarks/" for route, _ in _disclosure_routes()), "the walk lost 裁量基准"


def test_a_document_check_shows_the_number_but_never_the_content(client, world):
    decision = world["decision"]
    text = client.get(f"/verify/document/{decision.verification_code}/").content.decode()
    assert decision.number in text
    assert "王小红" not in text and "超过保质期" not in text and "5000" not in text


def test_drafts_have_no_verification_code_to_guess(client, world):
    assert not Document.objects.filter(status="draft", verification_code__isnull=False).exists()


def test_the_staff_urls_of_the_public_site_refuse_an_anonymous_visitor(client, world, officer):
    for route, _pattern in _disclosure_routes():
        if not route.startswith("staff/"):
            continue
        for url in _urls(
            route, world["ints"], world["strs"] + [f"{c.number}" for c in officer.certificates.all()]
        ):
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code in (302, 403, 404, 405), url
                if response.status_code == 302:
                    assert response["Location"].startswith("/accounts/login/"), url
