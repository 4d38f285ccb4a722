"""state_changes: one row per change of state, matching the audit log one to one; the canonical
audit encoding that lets a penalty's Decimal reach the chain; the row lock on a move."""

import json
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, select, text

from portal.audit.chain import SYSTEM, Actor, record_event, verify_chain
from portal.audit.hashing import canonical_json
from portal.audit.models import AuditEvent
from portal.clock import frozen_at
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.operations import ReportError, submit_report, transition_report
from portal.reports.receipts import new_submission_token
from tests.conftest import ON_POSTGRES, make_intake

pytestmark = pytest.mark.usefixtures("app")

STATE_ACTIONS = ("report.submitted", "report.rerouted")


def state_events(report):
    """The audit events that changed this report's state, oldest first."""
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "reports", AuditEvent.object_id == report.id)
    )
    return [
        e for e in sorted(events, key=lambda e: e.seq) if e.action in STATE_ACTIONS or "to" in (e.data or {})
    ]


def test_state_history_matches_the_audit_log_one_to_one_on_the_demo_data(runner):
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    reports = db.session.scalars(select(Report)).all()
    # 50, a linked complaint + tip-off, the conversation's report and 9 reward tip-offs.
    assert len(reports) == 62
    for report in reports:
        events, changes = state_events(report), report.state_changes
        assert len(events) == len(changes), report.number
        for ev, change in zip(events, changes, strict=True):
            expected_to = "submitted" if ev.action == "report.submitted" else ev.data["to"]
            assert (change.from_state, change.to_state) == (ev.data.get("from"), expected_to)
            assert (change.actor_label, change.actor_id) == (ev.actor_label, ev.actor_id)
            assert abs(change.at - ev.created_at) < timedelta(seconds=1)  # the same operation
            assert change.reason == ev.data.get("reason") and change.ground == ev.data.get("ground")
        assert changes[-1].to_state == report.state


def test_submission_is_the_first_history_row_with_its_department():
    report = submit_report(make_intake(kind="complaint"), [], new_submission_token()).report
    db.session.commit()
    (first,) = report.state_changes
    assert (first.from_state, first.to_state, first.actor_kind) == (None, "submitted", "citizen")
    assert first.department.code == report.department.code and first.at == report.received_at


def test_local_date_is_the_beijing_date_not_the_utc_one():
    """A decision at 01:30 on 3 Nov in Beijing is 17:30 on 2 Nov in UTC: deadlines count from the 3rd."""
    with frozen_at(datetime(2026, 11, 2, 17, 30)):
        report = submit_report(make_intake(kind="complaint"), [], new_submission_token()).report
        transition_report(report, "accepted", SYSTEM)
    db.session.commit()
    assert [c.local_date for c in report.state_changes] == [date(2026, 11, 3)] * 2
    assert report.state_changes[-1].at == datetime(2026, 11, 2, 17, 30)


def test_a_penalty_with_decimal_amounts_commits_and_the_chain_verifies():
    report = submit_report(make_intake(kind="tip"), [], new_submission_token()).report
    transition_report(report, "verifying", SYSTEM)
    transition_report(report, "case_opened", SYSTEM, case_number="立字7号", opened_on=date(2026, 11, 2))
    transition_report(
        report,
        "penalty_decided",
        SYSTEM,
        decision_number="处罚12号",
        decided_on=date(2026, 11, 20),
        confiscation_yuan=Decimal("3560.50"),
        fine_yuan=Decimal("120000.00"),
        referred_for_prosecution=True,
    )
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.penalty_decided")).one()
    assert event.data["fine_yuan"] == "120000.00" and event.data["decided_on"] == "2026-11-20"
    assert verify_chain().ok


def test_audit_data_with_decimal_date_time_and_uuid_commits_and_verifies():
    """Before the canonical encoder such data failed at commit, after the operation had 'succeeded'."""
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    record_event(
        "test.values",
        None,
        SYSTEM,
        {
            "fine": Decimal("1E+2"),
            "on": date(2026, 11, 3),
            "naive": datetime(2026, 11, 2, 17, 30),
            "beijing": datetime(2026, 11, 3, 1, 30, tzinfo=timezone(timedelta(hours=8))),
            "id": ident,
        },
    )
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "test.values")).one()
    assert event.data == {
        "fine": "100",
        "on": "2026-11-03",
        "naive": "2026-11-02T17:30:00+00:00",  # stored times are UTC: the zone is written out
        "beijing": "2026-11-02T17:30:00+00:00",  # one instant, one spelling
        "id": str(ident),
    }
    assert verify_chain().ok


def test_audit_data_json_cannot_hold_fails_in_the_operation_not_at_commit():
    with pytest.raises(TypeError):
        record_event("test.bad", None, SYSTEM, {"what": object()})
    db.session.commit()
    assert verify_chain().ok


def test_plain_json_data_encodes_exactly_as_before_so_old_events_still_verify():
    data = {"b": [1, 2.5, None, True], "a": "举报", "nested": {"z": 1, "y": "x"}}
    old = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert canonical_json(data) == old


def test_a_stale_report_cannot_be_moved_out_of_a_state_it_already_left(app, database_url):
    """Another member of staff moved the report after this one read it: the second move is refused."""
    report = submit_report(make_intake(kind="tip"), [], new_submission_token()).report
    db.session.commit()
    assert report.state == "submitted"
    other = create_engine(database_url)
    with other.begin() as conn:  # the colleague's committed move (a second connection)
        conn.execute(text("UPDATE reports SET state = 'verifying' WHERE id = :id"), {"id": report.id})
    other.dispose()
    with pytest.raises(ReportError) as refused:
        transition_report(report, "returned", Actor("staff", "staff:b", None), reason="不属于本部门")
    assert refused.value.code == "state_changed"
    db.session.rollback()
    assert db.session.get(Report, report.id).state == "verifying"
    assert [c.to_state for c in db.session.get(Report, report.id).state_changes] == ["submitted"]


def test_datetime_in_utc_is_spelled_with_its_zone():
    assert canonical_json({"t": datetime(2026, 1, 1, tzinfo=UTC)}) == '{"t":"2026-01-01T00:00:00+00:00"}'


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one writer: the second move cannot even start")
def test_two_staff_moving_the_same_report_at_once_make_one_move(app):
    """B reads the report, then waits on A's row lock; when A commits, B is refused, not applied."""
    report = submit_report(make_intake(kind="tip"), [], new_submission_token()).report
    db.session.commit()
    report_id, a_moved, outcome = report.id, threading.Event(), {}

    def staff_b():
        with app.app_context():
            mine = db.session.get(Report, report_id)  # read while still submitted
            a_moved.wait(5)
            try:
                transition_report(mine, "returned", Actor("staff", "staff:b", None), reason="不属于本部门")
                db.session.commit()
                outcome["b"] = "moved"
            except ReportError as exc:
                outcome["b"] = exc.code
            db.session.remove()

    thread = threading.Thread(target=staff_b)
    thread.start()
    transition_report(report, "verifying", Actor("staff", "staff:a", None))  # holds the row lock
    a_moved.set()
    time.sleep(0.5)  # B is now blocked on the lock
    db.session.commit()
    thread.join(10)
    assert outcome == {"b": "state_changed"}
    db.session.expire_all()
    assert [c.to_state for c in db.session.get(Report, report_id).state_changes] == ["submitted", "verifying"]
