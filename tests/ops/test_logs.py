"""Logs: one JSON object per line with the request id and the user id; ID and mobile numbers masked."""

import json
import logging

import pytest

from tests.conftest import login_as
from wuding_enforcement.ops.context import request_id_var, user_id_var
from wuding_enforcement.ops.logs import JsonFormatter, OncePerIntervalFilter, RequestContextFilter

pytestmark = pytest.mark.django_db


def _format(message, *args, exc_info=None):
    record = logging.LogRecord("wuding.test", logging.WARNING, __file__, 1, message, args, exc_info)
    RequestContextFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_a_log_line_is_json_with_the_request_and_user_ids():
    id_token, user_token = request_id_var.set("req123456789"), user_id_var.set("42")
    try:
        line = _format("case %s opened", "武市监立〔2026〕12号")
    finally:
        request_id_var.reset(id_token)
        user_id_var.reset(user_token)
    assert line["request_id"] == "req123456789" and line["user_id"] == "42"
    assert line["message"] == "case 武市监立〔2026〕12号 opened"
    assert line["level"] == "WARNING" and line["logger"] == "wuding.test"


def test_no_id_number_or_mobile_number_reaches_a_log_line_even_after_chinese_text():
    line = _format("当事人张三身份证号码%s，电话%s。", "532328198001011234", "13812345678")
    assert "532328198001011234" not in line["message"] and "13812345678" not in line["message"]
    assert "532328********1234" in line["message"] and "138****5678" in line["message"]


def test_exception_text_is_masked_too():
    try:
        raise ValueError("bad party 53232819800101123X")
    except ValueError:
        import sys

        line = _format("failed", exc_info=sys.exc_info())
    assert "19800101123X" not in line["exception"]


def test_a_request_logs_with_its_id_and_its_users_id(client, officer, caplog):
    login_as(client, officer)
    logger = logging.getLogger("wuding.test.request")
    seen = {}

    def capture(record):
        seen["request_id"], seen["user_id"] = request_id_var.get(), user_id_var.get()
        return True

    logger.addFilter(capture)
    try:
        from wuding_enforcement.ops import middleware

        original = middleware.StaffNoStoreMiddleware.__call__

        def call(self, request):
            logger.warning("inside the request")
            return original(self, request)

        middleware.StaffNoStoreMiddleware.__call__ = call
        response = client.get("/staff/")
    finally:
        middleware.StaffNoStoreMiddleware.__call__ = original
        logger.removeFilter(capture)
    assert seen["request_id"] == response["X-Request-ID"]
    assert seen["user_id"] == str(officer.pk)


def test_an_outage_logs_once_a_minute_not_once_per_request():
    flt = OncePerIntervalFilter(seconds=60)
    records = [
        logging.LogRecord("wuding.cache", logging.ERROR, __file__, 1, "Exception ignored", (), None)
        for _ in range(5)
    ]
    assert [flt.filter(r) for r in records] == [True, False, False, False, False]
