"""What the dashboard's rebuild narrows must not cost a query later: the cases of a flagged person's certificate
item are loaded with a few fields only (supervision/dashboard.py CASE_FIELDS), and the list behind the figure
reads no other one (a deferred field read would cost a query per case)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from supervision import dashboard
from tests.conftest import login_as
from tests.supervision.test_dashboard import TODAY, frozen  # noqa: F401 - the autouse clock

LIST = "/staff/supervision/dashboard/cert-expiring/"


def list_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get(LIST).content.decode()
    return len(queries), html


def test_a_certificate_items_cases_are_narrow_and_its_list_reads_no_other_field(
    client, make_case, colleague, bureau_head
):
    soon = colleague.certificates.get()
    soon.expires_on = TODAY + datetime.timedelta(days=15)
    soon.save()
    first = make_case(title="案件一")
    login_as(client, bureau_head)
    client.get(LIST)  # the deadline table brought up to date, the calendar read
    one, html = list_queries(client)
    assert "案件一" in html  # one case: its number and title
    more = [make_case(title="案件二"), make_case(title="案件三")]
    client.get(LIST)
    three, html = list_queries(client)
    assert all(f'">{c.number}</a>' in html for c in [first, *more])  # several: their numbers, linked
    assert three == one
    (item,) = [i for i in dashboard.certificate_items(TODAY) if i.people[0] == colleague]
    assert {c.title for c in item.cases} == {"案件一", "案件二", "案件三"}
    assert item.cases[0].get_deferred_fields()  # narrowed: the test above would see a deferred read
