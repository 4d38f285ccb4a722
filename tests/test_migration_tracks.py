"""Migration 0006 on a database with reports in every old state, as the 0005-era demo left them:
up to the two tracks without losing history, down again, and up again."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.audit.chain import SYSTEM, Actor, record_event, verify_chain
from portal.clock import frozen_at
from portal.directory.loader import load_reference_data
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.operations import transition_report
from tests.test_migrations import empty_app, empty_database_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")

STAFF = Actor("staff", "staff:market.staff", None)
START = datetime(2026, 10, 1, 17, 0)  # 01:00 the next day in Beijing
# (kind, old states after submitted, ground of a declined complaint); "rerouted" is the re-routing.
SCENARIOS = [
    ("complaint", [], None),
    ("complaint", ["accepted"], None),
    ("complaint", ["accepted", "investigating"], None),
    ("complaint", ["accepted", "investigating", "substantiated"], None),
    ("complaint", ["accepted", "investigating", "partly_substantiated"], None),
    ("complaint", ["accepted", "investigating", "unsubstantiated"], None),
    ("complaint", ["declined"], "before_court"),
    ("complaint", ["declined"], None),
    ("complaint", ["accepted", "investigating", "substantiated", "closed"], None),
    ("complaint", ["returned", "rerouted"], None),
    ("tip", ["accepted"], None),
    ("tip", ["declined"], None),
    ("tip", ["accepted", "investigating"], None),
    ("tip", ["accepted", "investigating", "substantiated"], None),
    ("tip", ["accepted", "investigating", "partly_substantiated"], None),
    ("tip", ["accepted", "investigating", "unsubstantiated"], None),
    ("tip", ["accepted", "investigating", "substantiated", "closed"], None),
    ("tip", ["returned"], None),
]
# What each scenario becomes: state, and columns that must hold these values.
EXPECTED = [
    ("submitted", {}),
    ("accepted", {}),
    ("mediating", {}),
    ("mediated", {"mediation_terms": "migrated from substantiated"}),
    ("mediated", {"mediation_terms": "migrated from partly_substantiated"}),
    ("mediation_ended", {"mediation_end_ground": "other_legal"}),
    ("declined", {"decline_ground": "before_court", "decline_reason": "理由 declined"}),
    ("declined", {"decline_ground": "other_legal"}),
    ("closed", {"mediation_terms": "migrated from substantiated"}),
    ("submitted", {"return_reason": None}),
    ("verifying", {}),
    ("not_opened", {"not_opened_reason": "理由 declined", "decline_reason": None}),
    ("case_opened", {"case_number": "MIGRATED-{id}", "case_opened_on": date(2026, 10, 4)}),
    ("case_opened", {"case_number": "MIGRATED-{id}"}),
    ("case_opened", {"case_number": "MIGRATED-{id}"}),
    ("no_penalty", {"case_number": "MIGRATED-{id}", "no_penalty_reason": "migrated from unsubstantiated"}),
    ("closed", {"case_number": "MIGRATED-{id}"}),
    ("returned", {"return_reason": "理由 returned"}),
]


def _ids(conn):
    one = lambda sql: conn.execute(text(sql)).scalar_one()  # noqa: E731
    return {
        "category": one("SELECT min(id) FROM categories"),
        "region": one("SELECT min(id) FROM regions"),
        "market": one("SELECT id FROM departments WHERE code = 'market'"),
        "fso": one("SELECT id FROM departments WHERE code = 'fso'"),
        "agriculture": one("SELECT id FROM departments WHERE code = 'agriculture'"),
    }


def _old_report(conn, ids, n, kind, path, ground):
    """One report as the 0005 code left it: the row, and its events through the real chain."""
    final = "submitted" if not path or path[-1] == "rerouted" else path[-1]
    department = {"returned": "fso", "rerouted": "agriculture"}.get(path[-1] if path else "", "market")
    conn.execute(
        text(
            "INSERT INTO reports (id, number, kind, state, category_id, region_id, department_id,"
            " business_name, description, anonymous, wants_reward, language, receipt_key_id,"
            " access_key_hash, submission_token_hash, decline_ground, decline_reason, return_reason,"
            " received_at, updated_at) VALUES (:id, :number, :kind, :state, :category, :region, :dept,"
            " '老街坊餐馆', '后厨卫生很差', :yes, :no, 'zh_CN', 'dev', :hash, :token, :ground, :decline,"
            " :ret, :at, :at)"
        ),
        {
            "id": n, "number": f"{'TS' if kind == 'complaint' else 'JB'}-2026-{n:06d}", "kind": kind,
            "state": final, "category": ids["category"], "region": ids["region"], "dept": ids[department],
            "yes": True, "no": False, "hash": f"{n:064d}", "token": f"{n:064x}",
            "ground": ground if final == "declined" else None,
            "decline": "理由 declined" if final == "declined" else None,
            "ret": "理由 returned" if final == "returned" else None, "at": START,
        },
    )  # fmt: skip
    row = SimpleNamespace(__tablename__="reports", id=n)
    with frozen_at(START):
        record_event(
            "report.submitted", row, SYSTEM, {"number": f"x{n}", "kind": kind, "department": "market"}
        )
    previous = "submitted"
    for day, old in enumerate(path, start=1):
        data = {
            "from": previous,
            "to": old,
            "reason": f"理由 {old}" if old in ("declined", "returned") else None,
        }
        if old == "rerouted":
            data = {"from": "returned", "to": "submitted", "reason": "转农业", "department": "agriculture"}
        if old == "returned":
            data["department"] = "fso"
        if old == "declined" and ground:
            data["ground"] = ground
        with frozen_at(START + timedelta(days=day)):
            record_event(f"report.{old}", row, STAFF, data)
        previous = "submitted" if old == "rerouted" else old


def seed_at_0005():
    # The loader speaks today's models: load at the head, then step back to 0005 (later
    # migrations only add reference columns, so the rows stay as 0005 knew them).
    upgrade()
    load_reference_data()
    db.session.commit()
    db.session.remove()
    downgrade(revision="0005")
    with db.engine.begin() as conn:
        ids = _ids(conn)
        for n, (kind, path, ground) in enumerate(SCENARIOS, start=1):
            _old_report(conn, ids, n, kind, path, ground)
    db.session.commit()  # links the queued events into the chain


def rows(sql):
    with db.engine.connect() as conn:
        return conn.execute(text(sql)).mappings().all()


def check_upgraded():
    reports = {r["id"]: r for r in rows("SELECT * FROM reports")}
    for n, (state, columns) in enumerate(EXPECTED, start=1):
        report = reports[n]
        assert report["state"] == state, (n, SCENARIOS[n - 1])
        for column, value in columns.items():
            value = value.format(id=n) if isinstance(value, str) else value
            assert report[column] == value or str(report[column]) == str(value), (n, column, report[column])
    changes = rows("SELECT * FROM state_changes ORDER BY id")
    for n, (_kind, path, _ground) in enumerate(SCENARIOS, start=1):
        mine = [c for c in changes if c["report_id"] == n]
        assert len(mine) == 1 + len(path), (n, path)  # one per state event: nothing lost
        assert mine[0]["from_state"] is None and mine[0]["to_state"] == "submitted"
        assert mine[-1]["to_state"] == EXPECTED[n - 1][0]
        assert str(mine[0]["local_date"]) == "2026-10-02"  # 17:00 UTC is the next day in Beijing
    assert verify_chain().ok  # the audit log was read, never changed


def test_migration_moves_old_states_to_the_tracks_keeps_history_and_goes_back(empty_app):  # noqa: F811
    seed_at_0005()
    before = {r["id"]: r["state"] for r in rows("SELECT id, state FROM reports")}
    upgrade(revision="0006")
    check_upgraded()
    downgrade(revision="0005")
    assert {r["id"]: r["state"] for r in rows("SELECT id, state FROM reports")} == before
    tip_declined = rows("SELECT decline_reason FROM reports WHERE id = 12")[0]
    assert tip_declined["decline_reason"] == "理由 declined"
    assert verify_chain().ok
    upgrade()  # to the head again: the same result, and the app works on the migrated rows
    check_upgraded()
    migrated = db.session.get(Report, 13)
    transition_report(
        migrated,
        "penalty_decided",
        STAFF,
        decision_number="处罚1号",
        decided_on=date(2026, 11, 1),
        confiscation_yuan=Decimal("0"),
        fine_yuan=Decimal("5000"),
        referred_for_prosecution=False,
    )
    db.session.commit()
    assert verify_chain().ok and migrated.state_changes[-1].from_state == "case_opened"
