"""The demo bureau has major cases in every review state (seeded through the domain API)."""

import datetime
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from legal_review.models import CollectiveDiscussion, DiscretionBenchmark, ReviewRound, RoundStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_major_cases_in_every_review_state(frozen):
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))):
        call_command("seed_demo", stdout=StringIO())

    statuses = set(ReviewRound.objects.values_list("status", flat=True))
    assert statuses >= {
        RoundStatus.SUBMITTED,
        RoundStatus.IN_REVIEW,
        RoundStatus.RETURNED,
        RoundStatus.APPROVED,
        RoundStatus.REFUSED,
    }
    resubmitted = ReviewRound.objects.filter(number=2, case__review_rounds__status=RoundStatus.RETURNED)
    assert resubmitted.exists()
    approved = ReviewRound.objects.filter(status=RoundStatus.APPROVED).exclude(opinion_document=None).first()
    assert approved.opinion_document.pdf_sha256
    assert CollectiveDiscussion.objects.filter(document__isnull=False, case__stage="decided").exists()
    assert DiscretionBenchmark.objects.count() >= 15
