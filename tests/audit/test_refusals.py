"""Every refusal is on record (issue 15, point 8): the nine kinds of refused request the hostile tester found
unrecorded each leave one audit row, written by the one mechanism — a role page's PermissionDenied or an
object getter's `Hidden`, both audited by audit/middleware.py (wuding_enforcement/shared/refusals.py). A
view that swallows the refusal into a plain 404 fails its row here."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure.models import CreditExport
from legal_review.models import ReviewRound
from recording.models import Upload
from supervision.models import NoticeItem, Notification, SupervisionNotice
from tests.conftest import login_as
from tests.legal_review.conftest import build_case, frozen, power_item, second_reviewer  # noqa: F401
from wuding_enforcement.audit.models import AuditEvent, Outcome
from wuding_enforcement.roster.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(build_case, officer, colleague, reviewer, second_reviewer, bureau_head, units):  # noqa: F811
    """One object of each kind, belonging to someone other than the person who asks for it."""
    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(second_reviewer, by=bureau_head)
    today = timezone.localdate()
    export = CreditExport.objects.create(
        created_at=timezone.now(),
        created_by=bureau_head,
        period_from=today - datetime.timedelta(days=30),
        period_to=today,
        scope="全局",
        format="csv",
    )
    other_unit_notice = SupervisionNotice.objects.create(
        title="执法案卷评查问题通报", summary="评查发现的问题。", created_by=bureau_head
    )
    NoticeItem.objects.create(
        notice=other_unit_notice, unit=units["office"], problem="案卷目录不全。", due_on=today
    )
    # Issued (its items are fixed from now on): the number and date as notices.issue sets them.
    SupervisionNotice.objects.filter(pk=other_unit_notice.pk).update(
        number="武市监督通〔2026〕1号", number_year=2026, number_seq=1, issued_on=today, issued_by=bureau_head
    )
    draft_notice = SupervisionNotice.objects.create(
        title="草稿通报", summary="待签发。", created_by=bureau_head
    )
    upload = Upload.objects.create(case=case, user=officer, title="现场录像", declared_size=1024)
    notification = Notification.objects.create(
        recipient=officer, key="deadline:1", level="amber", title="期限提醒", body="即将到期。"
    )
    return {
        "round": review_round,
        "export": export,
        "notice": other_unit_notice,
        "draft_notice": draft_notice,
        "upload": upload,
        "notification": notification,
        "certificate": Certificate.objects.filter(holder=officer).first(),
    }


# (what was refused, who asks, method, URL from the world, status answered, audit action)
REFUSALS = [
    (
        "another reviewer's round (page)",
        "reviewer",
        "get",
        lambda w: reverse("legal_review:round", args=[w["round"].pk]),
        404,
        "legal_review.round.access_denied",
    ),
    (
        "another reviewer's round (a forged decision)",
        "reviewer",
        "post",
        lambda w: reverse("legal_review:decide", args=[w["round"].pk]),
        404,
        "legal_review.round.access_denied",
    ),
    (
        "the credit page, by an officer",
        "officer",
        "get",
        lambda w: reverse("disclosure:staff_credit_export"),
        403,
        "auth.permission_denied",
    ),
    (
        "a credit download, by an officer",
        "officer",
        "get",
        lambda w: reverse("disclosure:staff_credit_download", args=[w["export"].pk, "csv"]),
        404,
        "disclosure.credit.access_denied",
    ),
    (
        "another unit's notice",
        "officer",
        "get",
        lambda w: reverse("supervision:notice", args=[w["notice"].pk]),
        404,
        "supervision.notice.access_denied",
    ),
    (
        "another person's certificate QR",
        "colleague",
        "get",
        lambda w: reverse("disclosure:certificate_qr", args=[w["certificate"].number, "svg"]),
        404,
        "disclosure.certificate_qr.access_denied",
    ),
    (
        "another user's upload",
        "colleague",
        "get",
        lambda w: reverse("recording:upload", args=[w["upload"].pk]),
        404,
        "recording.upload.access_denied",
    ),
    (
        "someone else's notification",
        "colleague",
        "post",
        lambda w: reverse("supervision:mark_read", args=[w["notification"].pk]),
        404,
        "supervision.notification.access_denied",
    ),
    (
        "an officer issuing a notice",
        "officer",
        "post",
        lambda w: reverse("supervision:notice_issue", args=[w["draft_notice"].pk]),
        403,
        "auth.permission_denied",
    ),
]


@pytest.mark.parametrize(
    ("what", "who", "method", "url", "status", "action"), REFUSALS, ids=[row[0] for row in REFUSALS]
)
def test_each_refused_request_leaves_one_audit_row(
    client, world, request, what, who, method, url, status, action
):
    user = request.getfixturevalue(who)
    login_as(client, user)
    before = AuditEvent.objects.filter(outcome=Outcome.DENIED).count()
    response = getattr(client, method)(url(world))
    assert response.status_code == status, what
    rows = AuditEvent.objects.filter(outcome=Outcome.DENIED).order_by("pk")[before:]
    assert [(row.action, row.actor_id) for row in rows] == [(action, user.pk)], what


def test_the_table_covers_the_nine_kinds_the_tester_found():
    assert len(REFUSALS) == 9
