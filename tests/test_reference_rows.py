"""Reference rows kept per process (portal/directory/rows.py): a submission reads no reference
table, routes and times exactly as the database would, and sees a change at once."""

from datetime import date, datetime

import pytest
from sqlalchemy import event, select

from portal.audit.chain import SYSTEM
from portal.deadlines.holidays import set_override
from portal.deadlines.models import ReportDeadline
from portal.deadlines.policies import add_policy_version, policies_in_force
from portal.directory.models import Category, Department, Region
from portal.directory.routing import route
from portal.extensions import db
from portal.reports.models import Report
from tests.conftest import bind_form_session, intake_form, lookup, receipt_in

REFERENCE_TABLES = (
    "categories", "regions", "departments", "routing_rules", "deadline_policies", "calendar_days",
)  # fmt: skip


@pytest.fixture
def statements(app):
    seen = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", remember)
    yield seen
    event.remove(db.engine, "before_cursor_execute", remember)


def clocks(report):
    rows = db.session.scalars(select(ReportDeadline).where(ReportDeadline.report_id == report.id))
    return {row.policy_code: row.due_on for row in rows}


def reads_of_reference_tables(seen):
    return [s for s in seen if s.startswith("SELECT") and any(f"FROM {t}" in s for t in REFERENCE_TABLES)]


def test_a_submission_reads_no_reference_table_once_the_copies_are_loaded(client, statements):
    bind_form_session(client)
    assert client.post("/report/new", data=intake_form()).status_code == 200  # loads the copies
    form = intake_form(description="第二次：后厨老鼠很多，食品没有遮盖。")  # the helper looks codes up
    statements.clear()
    response = client.post("/report/new", data=form)
    assert response.status_code == 200 and receipt_in(response.get_data(as_text=True))[0]
    assert reads_of_reference_tables(statements) == []
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert report.department.code == "market" and clocks(report)  # routed and timed all the same


def test_every_category_and_region_routes_as_the_database_says(app):
    categories = db.session.scalars(select(Category)).all()
    regions = db.session.scalars(select(Region)).all()
    cached = {(c.id, r.id): _decision(route(c, r)) for c in categories for r in regions}
    # A transaction with a reference change of its own reads the database instead (and sees it).
    db.session.add(Category(code="t.pending", group="food", name_zh="待定", name_en="Pending"))
    from_database = {(c.id, r.id): _decision(route(c, r)) for c in categories for r in regions}
    db.session.rollback()
    assert cached == from_database and len(cached) == len(categories) * len(regions)


def _decision(decision):
    return decision.department.code, decision.rule.code if decision.rule else None


def test_a_change_in_this_transaction_is_seen_before_it_is_committed(app):
    housing = lookup(Department, "housing")
    engineering, district = lookup(Category, "quality.engineering"), lookup(Region, "330105")
    assert route(engineering, district).department.code == "housing"
    housing.active = False  # not flushed, not committed: the copies do not know it
    assert route(engineering, district).department.code == "fso"
    db.session.rollback()
    assert route(engineering, district).department.code == "housing"


def test_a_committed_change_reaches_the_copies_through_its_audit_event(app):
    today = date(2026, 12, 7)
    before = {p.code: p.working_days for p in policies_in_force("complaint", today)}
    add_policy_version("complaint.accept", today, SYSTEM, working_days=3, source="测试")
    db.session.commit()
    after = {p.code: p.working_days for p in policies_in_force("complaint", today)}
    assert before["complaint.accept"] != 3 and after["complaint.accept"] == 3


def test_a_calendar_override_moves_the_next_due_date_at_once(client):
    """Saturday 2026-12-12 made a working day: a complaint filed on Friday is due a day earlier."""
    from portal.clock import frozen_at
    from tests.casework import file_report

    with frozen_at(datetime(2026, 12, 11, 2, 0)):  # Friday 10:00 in Beijing
        first = file_report("market", kind="complaint")[0]
        due_before = clocks(first)
        set_override(date(2026, 12, 12), True, "调休", SYSTEM)
        db.session.commit()
        second = file_report("market", kind="complaint")[0]
        due_after = clocks(second)
    changed = [code for code in due_before if due_after[code] != due_before[code]]
    assert changed and all((due_before[c] - due_after[c]).days == 1 for c in changed)


def test_the_reference_version_is_read_from_its_own_index(app):
    """The check every form and queue page makes reads one entry of the partial index, whatever
    the length of the chain. It fails if an action is added to REFERENCE_ACTIONS without a
    migration that rebuilds the index (the predicate no longer covers the query)."""
    from sqlalchemy import text

    from portal.directory.cache import _version

    seen = []
    listen = lambda conn, cursor, statement, params, context, many: seen.append((statement, params))  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        _version()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    statement, params = seen[-1]
    postgres = db.engine.dialect.name == "postgresql"
    explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
    plan = " ".join(str(row) for row in db.session.execute(text(explain + statement), params or {}))
    if postgres:
        assert "ix_audit_events_reference_seq" in plan, plan
    else:  # SQLite looks each action up in ix_audit_events_action: an index either way, no scan
        assert "USING INDEX" in plan and "SCAN audit_events" not in plan, plan
