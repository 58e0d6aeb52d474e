"""One check after every database test of this folder: every publication the test left behind carries the
issued text apart from its logged redactions (总局令第45号 第七条) — the published text restores to the original
through the redaction log, and the original is the decision's text rendered again now. The demo's publications
are checked the same way (tests/demo/test_seed_demo.py)."""

import pytest


def publication_text_problems() -> list[str]:
    from disclosure import publication as domain
    from disclosure import redaction
    from disclosure.models import Publication, PublicationStatus

    problems = []
    for pub in Publication.objects.exclude(status=PublicationStatus.NOT_PUBLISHED).select_related("document"):
        log = [
            (r.start, r.end, r.original, r.replacement) for r in pub.redactions.all() if r.removed_at is None
        ]
        if pub.published_text:
            try:
                restored = redaction.restore(pub.published_text, log)
            except ValueError as exc:
                problems.append(f"{pub.document_number}: {exc}")
                continue
            if restored != pub.original_text:
                problems.append(f"{pub.document_number}: published text differs outside the redaction log")
        if pub.status != PublicationStatus.WITHDRAWN and pub.original_text != domain.issued_text(
            pub.document
        ):
            problems.append(f"{pub.document_number}: the original is not the issued decision's text")
    return problems


@pytest.fixture(autouse=True)
def _published_equals_issued(request):
    yield
    if request.node.get_closest_marker("django_db") is None:
        return
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return
    if getattr(request.module, "FABRICATED_PUBLICATIONS", False):
        return  # rows made by hand for another purpose (search), with no issued decision behind them
    assert publication_text_problems() == []
