"""Failures said in Chinese, with a reference number: database down → 503, disk full → 507, a bug → 500.
Never a blank English "Server Error (500)"."""

import pytest
from django.test import Client

from wuding_enforcement.ops.errors import classify

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ops.failing_urls")]


@pytest.fixture
def browser(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def _page(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/fail/database/", 503, "服务暂时不可用，请稍后再试"),
        ("/fail/query/", 503, "服务暂时不可用，请稍后再试"),
        ("/fail/disk/", 507, "服务器存储空间不足，文件未能保存"),
        ("/fail/bug/", 500, "系统出错，请稍后再试"),
    ],
    ids=["database-down", "connection-lost", "disk-full", "bug"],
)
def test_each_failure_gets_its_chinese_page_and_status(browser, url, status, heading):
    response = browser.get(url)
    assert response.status_code == status
    page = _page(response)
    assert heading in page
    assert "Server Error" not in page
    # The reference number is the request id, also in the response header and every log line.
    reference = response["X-Request-ID"]
    assert len(reference) >= 8
    assert f'参考编号：<strong class="reference">{reference}</strong>' in page
    assert response["Cache-Control"] == "no-store"


def test_the_503_page_asks_to_retry_after_a_minute(browser):
    assert browser.get("/fail/database/")["Retry-After"] == "60"


def test_a_proxys_request_id_is_kept_as_the_reference(browser):
    response = browser.get("/fail/bug/", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef")
    assert response["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    assert "0123456789abcdef0123456789abcdef" in _page(response)


def test_a_forged_request_id_is_replaced(browser):
    response = browser.get("/fail/bug/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert "<script>" not in response["X-Request-ID"]
    assert "<script>alert" not in _page(response)


def test_an_integrity_error_is_a_bug_not_an_outage():
    from django.db import IntegrityError

    assert classify(IntegrityError("duplicate key")) == 500


def test_a_disk_full_error_wrapped_in_another_is_still_a_full_disk():
    import errno

    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("could not write the PDF") from inner
    except RuntimeError as outer:
        assert classify(outer) == 507
