"""Shared by the 事前公开, verification and statistics tests (imported by each file, not a conftest: the
publication tests live in the same folder). An empty cache per test, and issued documents as recording leaves them."""

import datetime
import hashlib

import pytest
from django.core.cache import cache
from django.utils import timezone

from recording.models import Document


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def issued_document(case, by, *, doc_type="penalty_decision", code, data=None, number=None, pdf=b"", **extra):
    """An issued document as Document.issue() leaves it (number, hash, code), without rendering a PDF."""
    pdf = pdf or f"%PDF-1.7 fake {code}".encode()
    return Document.objects.create(
        case=case,
        doc_type=doc_type,
        status="issued",
        data=data or {},
        number=number,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        verification_code=code,
        issued_at=timezone.make_aware(datetime.datetime(2026, 11, 20, 10, 0)),
        issued_by=by,
        created_by=by,
        **extra,
    )
