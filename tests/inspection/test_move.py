"""The 随机抽查事项清单 moved from disclosure into inspection (inspection 0001, disclosure 0005) without losing a row
or its history: the move's only SQL renames the two tables (no DROP, no CREATE, no DELETE), and the state it
takes over is field for field the old model's, so the renamed table is exactly what the new model reads.

(Unapplying and re-applying the migrations on a database with rows was checked by hand on SQLite, see the
report of issue 17; as a test it re-renders the whole project state twice and costs minutes.)"""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AlterModelTable, CreateModel, SeparateDatabaseAndState

pytestmark = pytest.mark.django_db


def sql(app, name):
    out = io.StringIO()
    call_command("sqlmigrate", app, name, stdout=out)
    return [line for line in out.getvalue().splitlines() if line.strip() and not line.startswith("--")]


@pytest.mark.django_db(
    transaction=True
)  # SQLite's schema editor (sqlmigrate) refuses to run inside a transaction
def test_the_move_only_renames_the_two_tables():
    statements = [
        s for s in sql("inspection", "0001_take_over_inspection_items") if s not in ("BEGIN;", "COMMIT;")
    ]
    assert len(statements) == 2
    assert all(
        re.match(r'ALTER TABLE "disclosure_\w+" RENAME TO "inspection_\w+";', s) for s in statements
    ), statements
    assert [
        s for s in sql("disclosure", "0005_random_inspection_items_moved") if s not in ("BEGIN;", "COMMIT;")
    ] == []


def test_the_taken_over_state_is_the_old_model_field_for_field():
    loader = MigrationLoader(connection)
    old = {
        op.name: op
        for op in loader.get_migration("disclosure", "0001_initial").operations
        if isinstance(op, CreateModel)
    }
    move = loader.get_migration("inspection", "0001_take_over_inspection_items").operations
    assert isinstance(move[0], SeparateDatabaseAndState) and move[0].database_operations == []
    taken = {op.name: op for op in move[0].state_operations}
    for old_name, new_name in (
        ("RandomInspectionItem", "InspectionItem"),
        ("HistoricalRandomInspectionItem", "HistoricalInspectionItem"),
    ):
        before = {name: field.deconstruct()[1:] for name, field in old[old_name].fields}
        after = {name: field.deconstruct()[1:] for name, field in taken[new_name].fields}
        assert after == before, new_name
        assert taken[new_name].options["db_table"] == f"disclosure_{old_name.lower()}"
    assert [type(op) for op in move[1:]] == [AlterModelTable, AlterModelTable]
    assert ("inspection", "0001_take_over_inspection_items") in loader.get_migration(
        "disclosure", "0005_random_inspection_items_moved"
    ).dependencies
