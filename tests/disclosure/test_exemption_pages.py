"""不予公示申请 pages: an officer of the case asks, a bureau head decides; a forged POST meets the model's
refusals, a case the user may not see is a 404."""

import pytest
from django.urls import reverse

from disclosure.models import ExemptionStatus, PublicationExemption
from tests.conftest import login_as
from tests.disclosure.support import empty_cache  # noqa: F401 - autouse fixture
from wuding_enforcement.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "disclosure:exemption_list"


def test_an_officer_asks_and_the_bureau_head_approves(client, make_case, officer, bureau_head):
    case = make_case()
    login_as(client, officer)
    response = client.post(
        reverse(URL), {"case": case.pk, "ground": "trade_secret", "reason": "涉及配方工艺，属商业秘密。"}
    )
    assert response.status_code == 302
    item = PublicationExemption.objects.get()
    assert item.status == ExemptionStatus.PENDING and item.requested_by == officer
    # The officer's own forged approval is refused by the model, and audited.
    client.post(reverse("disclosure:exemption_decide", args=[item.pk]), {"approve": "on"})
    assert PublicationExemption.objects.get().status == ExemptionStatus.PENDING
    assert AuditEvent.objects.filter(action="disclosure.exemption.decision_refused").exists()
    client.logout()
    login_as(client, bureau_head)
    page = client.get(reverse(URL)).content.decode()
    assert "涉及配方工艺" in page and "批准不予公示" in page
    client.post(reverse("disclosure:exemption_decide", args=[item.pk]), {"approve": "on", "note": "同意。"})
    assert PublicationExemption.objects.get().status == ExemptionStatus.APPROVED


def test_an_officer_of_another_unit_cannot_ask_for_a_case_they_do_not_see(client, make_case, outsider):
    case = make_case()
    login_as(client, outsider)
    response = client.post(reverse(URL), {"case": case.pk, "ground": "privacy", "reason": "x"})
    assert response.status_code == 404
    assert not PublicationExemption.objects.exists()
