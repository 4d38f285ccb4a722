"""The migrations: every step goes up, down and up again to the same schema, on a fresh database.

test_platform.py::test_models_match_the_migrations compares tables, columns and indexes but
cannot see CHECK constraints, triggers or what a downgrade leaves behind; these tests can.
"""

import os
import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.exc import IntegrityError

from portal import create_app
from portal.deadlines.extensions import ExtensionOutcome
from portal.extensions import db
from portal.messages.models import Direction
from portal.notify.models import NotificationKind, OutboxState
from portal.oversight.models import NoticeStatus, StepKind, SupervisionStatus
from portal.reports.operations import submit_report
from portal.reports.receipts import new_submission_token
from portal.reports.states import DeclineGround, Kind, MediationEndGround, State
from portal.rewards.models import AwardStatus, ClaimMethod
from portal.sessions.models import EndReason
from tests.conftest import ON_POSTGRES, _config, make_intake, make_user

# SQLite cannot reflect expression indexes; its extras (sqlite_master) compare them instead.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index"),
]


@pytest.fixture
def empty_database_url(tmp_path):
    """A database of its own: SQLite a new file; PostgreSQL a temporary database on the test server,
    so the shared test schema is never downgraded."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path}/migrations.sqlite3"
        return
    server = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{server.database}_migrations_{os.urandom(4).hex()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def empty_app(empty_database_url, tmp_path):
    app = create_app(_config(empty_database_url, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def revisions():
    """Every revision id, oldest first."""
    config = current_app.extensions["migrate"].migrate.get_config()
    return [
        script.revision for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))
    ]


BOOKKEEPING = {"alembic_version", "sqlite_sequence"}


def _tables(conn):
    inspector = inspect(conn)
    return {
        table: {
            # Sorted: a downgrade that adds back a dropped column cannot put it back in place on
            # PostgreSQL (short of rebuilding a table that other tables reference); order means nothing.
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ),
            "pk": inspector.get_pk_constraint(table),
            "fks": sorted(str(fk) for fk in inspector.get_foreign_keys(table)),
            "unique": sorted(str(u) for u in inspector.get_unique_constraints(table)),
            "indexes": sorted(_index_text(i) for i in inspector.get_indexes(table)),
            "checks": sorted(str(c) for c in inspector.get_check_constraints(table)),
        }
        for table in inspector.get_table_names()
        if table not in BOOKKEEPING
    }


def _index_text(index):
    """A partial index's WHERE reflects as a clause object: compare its SQL, not its identity."""
    options = {key: str(value) for key, value in index.get("dialect_options", {}).items()}
    return str(index | {"dialect_options": options})


# What the inspector does not list: PostgreSQL functions, triggers, sequences and enum types;
# SQLite expression indexes and triggers (its CREATE TABLE text is left out: a batch rebuild
# reorders the constraints).
POSTGRES_EXTRAS = (
    "SELECT 'routine', routine_name, coalesce(routine_definition, '') FROM information_schema.routines"
    " WHERE routine_schema = 'public'"
    " UNION ALL SELECT 'trigger', trigger_name, event_object_table || ' ' || event_manipulation || ' '"
    " || action_statement FROM information_schema.triggers WHERE trigger_schema = 'public'"
    " UNION ALL SELECT 'sequence', sequence_name, '' FROM information_schema.sequences"
    " WHERE sequence_schema = 'public'"
    " UNION ALL SELECT 'type', t.typname, '' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
    " WHERE n.nspname = 'public' AND t.typtype = 'e'"
)
SQLITE_EXTRAS = "SELECT type, name, sql FROM sqlite_master WHERE type != 'table' AND sql IS NOT NULL"


def schema():
    """Everything the migrations made, in a form two runs can be compared by."""
    with db.engine.connect() as conn:
        extras = conn.execute(text(POSTGRES_EXTRAS if ON_POSTGRES else SQLITE_EXTRAS))
        return {"tables": _tables(conn), "extras": sorted(tuple(row) for row in extras)}


def test_every_migration_goes_up_down_and_up_again_to_the_same_schema(empty_app):
    steps = revisions()
    for previous, revision in zip(["base", *steps], steps, strict=False):
        before = schema()
        upgrade(revision=revision)
        after = schema()
        downgrade(revision=previous)
        assert schema() == before, f"downgrade of {revision} does not restore {previous}"
        upgrade(revision=revision)
        assert schema() == after, f"{revision} does not upgrade again after its downgrade"
    downgrade(revision="base")
    assert schema() == {"tables": {}, "extras": []}
    upgrade()
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []


def test_routing_migration_names_the_rules_that_already_tie(empty_app, capfd):
    """An existing database with tied rules is told which ones, not given a bare IntegrityError."""
    upgrade(revision="0004")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO departments (id, code, name_zh, name_en, is_intake_office, active)"
                " VALUES (1, 'fso', '食安办', 'FSO', :yes, :yes)"
            ),
            {"yes": True},
        )
        conn.execute(
            text(
                "INSERT INTO routing_rules (code, category_id, region_id, department_id, priority)"
                " VALUES ('any-1', NULL, NULL, 1, 0), ('any-2', NULL, NULL, 1, 0)"
            )
        )
    with pytest.raises(SystemExit):  # how flask_migrate reports a failed migration
        upgrade(revision="0005")
    assert "routing rules with the same category and region: any-1 and any-2" in capfd.readouterr().err


# Columns stored as plain strings whose values come from a Python enum. Columns of type
# sqlalchemy.Enum are found in the models without being listed here.
STRING_ENUM_COLUMNS = {
    ("reports", "kind"): Kind,
    ("reports", "state"): State,
    ("reports", "decline_ground"): DeclineGround,
    ("reports", "mediation_end_ground"): MediationEndGround,
    ("state_changes", "to_state"): State,
    ("state_changes", "from_state"): State,
    ("messages", "direction"): Direction,
    ("outbox", "state"): OutboxState,
    ("outbox", "kind"): NotificationKind,
    ("extension_requests", "outcome"): ExtensionOutcome,
    ("web_sessions", "end_reason"): EndReason,
    ("public_notices", "status"): NoticeStatus,
    ("red_list_entries", "status"): NoticeStatus,
    ("supervised_cases", "status"): SupervisionStatus,
    ("department_steps", "kind"): StepKind,
    ("reward_awards", "status"): AwardStatus,
    ("reward_shares", "claim_method"): ClaimMethod,
}


def enum_backed_columns():
    found = {key: [m.value for m in enum] for key, enum in STRING_ENUM_COLUMNS.items()}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.Enum):
                found[(table.name, column.name)] = list(column.type.enums)
    return found


def test_every_enum_backed_column_has_its_check_in_the_migrated_schema(app):
    """Read the CHECK constraints of the database `flask db upgrade` built, not the models'."""
    inspector = inspect(db.engine)
    missing = []
    for (table, column), values in sorted(enum_backed_columns().items()):
        checks = [c["sqltext"] for c in inspector.get_check_constraints(table)]
        if not any(
            re.search(rf"\b{column}\b", sql) and all(f"'{v}'" in sql for v in values) for sql in checks
        ):
            missing.append(f"{table}.{column}")
    assert missing == []


def test_every_check_in_the_models_is_in_the_migrated_schema(app):
    inspector = inspect(db.engine)
    preparer = db.engine.dialect.identifier_preparer
    missing = []
    for table in db.metadata.sorted_tables:
        declared = {
            preparer.format_constraint(c) for c in table.constraints if isinstance(c, sa.CheckConstraint)
        }
        migrated = {c["name"] for c in inspector.get_check_constraints(table.name)}
        missing += [f"{table.name}: {name}" for name in sorted(declared - migrated)]
    assert missing == []


@pytest.mark.parametrize(
    ("table", "column"),
    [("reports", "kind"), ("reports", "state"), ("reports", "decline_ground"), ("users", "role")],
)
def test_migrated_database_refuses_a_value_outside_the_enum(app, table, column):
    report = submit_report(make_intake(), [], new_submission_token()).report
    user = make_user("enum-check", "admin")
    db.session.commit()
    row_id = report.id if table == "reports" else user.id
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(text(f"UPDATE {table} SET {column} = 'bogus' WHERE id = :id"), {"id": row_id})
    db.session.rollback()


def test_rewards_migration_moves_each_claim_to_the_shares_it_covered(empty_app):
    """0020: the award's claim goes to its primary share, and to a joint share if the claim was in
    person or that share was already paid; a lapsed award's shares lapse. Rows are written with
    raw SQL at 0019 (foreign keys off: only the reward rows matter here)."""
    upgrade(revision="0019")
    award = (
        "INSERT INTO reward_awards (id, report_id, open_report_id, policy_id, policy_version, status, level,"
        " penalty_yuan, already_awarded, insider_multiplier, rule_amount, amount, justification, answers,"
        " proposer_id, proposed_at, approver_id, decided_at, notified_on, claim_due_on, claimed_at,"
        " claim_method, payee_name, bank_account, lapsed_at)"
        " VALUES (:id, :id, :open, 1, 'v1', :status, 2, 100000, 0, 1, 900, 900, 'j', '{}', 1, :t, 2, :t,"
        " :d, :d, :claimed, :method, :account, :account, :lapsed)"
    )
    share = (
        "INSERT INTO reward_shares (id, award_id, reporter_id, role, amount)"
        " VALUES (:id, :award, NULL, :role, 450)"
    )
    when, day = datetime(2026, 9, 1), date(2026, 9, 1)
    with db.engine.begin() as conn:
        if ON_POSTGRES:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for award_id, status, method, account, lapsed in (
            (1, "approved", "bank", "ciphertext-of-the-account", None),  # joint share unpaid
            (2, "approved", "in_person", None, None),  # everyone came to the office
            (3, "lapsed", None, None, when),
        ):
            claimed = when if method else None
            conn.execute(
                text(award),
                {"id": award_id, "open": award_id, "status": status, "t": when, "d": day, "claimed": claimed,
                 "method": method, "account": account, "lapsed": lapsed},
            )  # fmt: skip
            for offset, role in ((0, "primary"), (1, "joint")):
                conn.execute(text(share), {"id": award_id * 10 + offset, "award": award_id, "role": role})
    upgrade(revision="0020")
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, claim_method, bank_account, lapsed_at IS NOT NULL FROM reward_shares ORDER BY id"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (10, "bank", "ciphertext-of-the-account", False),
        (11, None, None, False),  # a joint reporter's share is not paid to the primary's account
        (20, "in_person", None, False),
        (21, "in_person", None, False),
        (30, None, None, True),
        (31, None, None, True),
    ]
