"""What disclosure reads about recording's issued documents (its declared read of recording's data):

- when a decision was served, from the issued 送达回证 (总局令第45号 第八条: a decision is published once the
  party, told at service that it will be, has been served);
- the issued correction of a document (recording's supersede): a correction still in draft replaces nothing.
"""

import datetime
import logging

from django.db.models import Q
from django.utils import timezone

from recording.models import Document, DocumentStatus

logger = logging.getLogger("wuding.disclosure")
SERVICE_TYPE = "service_receipt"


def service_receipts(document):
    """Issued 送达回证 of this decision (the receipt's data names the served document)."""
    return Document.objects.filter(
        case_id=document.case_id, doc_type=SERVICE_TYPE, status=DocumentStatus.ISSUED
    ).filter(Q(data__served_document=document.pk) | Q(data__document=document.pk))


def service_date(document) -> datetime.date | None:
    """The earliest service of the decision, or None while it is not served."""
    dates = []
    for receipt in service_receipts(document).only("data", "issued_at"):
        served_at = (receipt.data or {}).get("served_at")
        try:
            moment = datetime.datetime.fromisoformat(served_at) if served_at else receipt.issued_at
        except ValueError:
            logger.warning(
                "送达回证 %s: unreadable served_at %r, its issue time counts", receipt.pk, served_at
            )
            moment = receipt.issued_at
        dates.append(timezone.localdate(moment) if timezone.is_aware(moment) else moment.date())
    return min(dates) if dates else None


def issued_correction(document):
    """The issued document that corrects `document` (reads the `superseded_by` relation), else None."""
    corrected = getattr(document, "superseded_by", None)
    if corrected is not None and corrected.status == DocumentStatus.ISSUED and corrected.issued_at:
        return corrected
    return None
