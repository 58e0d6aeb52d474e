"""The review hash no longer covers the decision's 决定日期 (legal_review.criteria.NOT_REVIEWED_FIELDS).

Stored hashes that match the case's current proposals under the old formula are rewritten under the new one,
so an approved proposal stays approved; a stored hash that no longer matched (the proposal changed since) is
left as it is and still does not match. The formulas are copied here as they were on this date."""

import hashlib
import json

from django.db import migrations

DECISION_TYPES = ("penalty_decision", "no_penalty_decision")


def _hash(documents, skip=frozenset()):
    if not documents:
        return ""
    items = sorted(
        json.dumps(
            {
                "type": d.doc_type,
                "party": d.party_id,
                "data": {k: v for k, v in (d.data or {}).items() if k not in skip},
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        for d in documents
    )
    return hashlib.sha256("\n".join(items).encode()).hexdigest()


def rehash(apps, schema_editor):
    Document = apps.get_model("recording", "Document")
    ReviewRound = apps.get_model("legal_review", "ReviewRound")
    CollectiveDiscussion = apps.get_model("legal_review", "CollectiveDiscussion")
    cache: dict = {}

    def hashes(case_id):
        if case_id not in cache:
            docs = list(
                Document.objects.filter(
                    case_id=case_id, doc_type__in=DECISION_TYPES, superseded_by__isnull=True
                ).order_by("created_at", "pk")
            )
            cache[case_id] = (_hash(docs), _hash(docs, frozenset({"decided_on"})))
        return cache[case_id]

    for model, fields in ((ReviewRound, ("proposal_hash", "approved_hash")), (CollectiveDiscussion, ("proposal_hash",))):
        for row in model.objects.all().only("pk", "case_id", *fields):
            old, new = hashes(row.case_id)
            changes = {f: new for f in fields if getattr(row, f) and getattr(row, f) == old}
            if changes:
                model.objects.filter(pk=row.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("legal_review", "0003_checklist_overrides"),
        ("recording", "0010_filing_order"),
    ]

    operations = [migrations.RunPython(rehash, migrations.RunPython.noop)]
