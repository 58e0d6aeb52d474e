"""Pauses of the case clock recorded by a document carry that document's id (source_document_id), and the
migration that introduced the key moved it out of the free-text note where it used to live."""

import datetime
import importlib

import pytest
from django.apps import apps

from wuding_enforcement.cases.models import CasePause, PauseKind

pytestmark = pytest.mark.django_db

migration = importlib.import_module("wuding_enforcement.cases.migrations.0006_casepause_source_document")


def test_the_migration_moves_the_document_id_out_of_the_note(make_case, officer):
    case = make_case()
    day = datetime.date(2026, 11, 24)

    def pause(note):
        return CasePause.objects.create(
            case=case, kind=PauseKind.TESTING, start=day, note=note, created_by=officer
        )

    one, twelve, plain = (
        pause("期间告知书 卷内第3号 #1"),
        pause("期间告知书 卷内第5号 #12"),
        pause("人工登记"),
    )
    migration.backfill_source_document(apps, None)
    for row in (one, twelve, plain):
        row.refresh_from_db()
    assert (one.source_document_id, one.note) == (1, "期间告知书 卷内第3号")
    assert (twelve.source_document_id, twelve.note) == (12, "期间告知书 卷内第5号")
    assert (plain.source_document_id, plain.note) == (None, "人工登记")
