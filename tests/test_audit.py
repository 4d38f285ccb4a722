"""The audit log: every change writes an event; the hash chain verifies and detects tampering."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from portal.audit.chain import SYSTEM, record_event, verify_chain
from portal.audit.models import AuditChainHead, AuditEvent
from portal.extensions import db
from portal.reports.operations import submit_report, transition_report
from portal.reports.receipts import new_submission_token
from tests.conftest import make_intake
from tests.tamper import without_guard

pytestmark = pytest.mark.usefixtures("app")


def make_events(n=3):
    for _ in range(n):
        report = submit_report(make_intake(kind="complaint"), [], new_submission_token()).report
        transition_report(report, "accepted", SYSTEM)
        db.session.commit()


def test_each_event_links_to_the_previous_one():
    make_events(2)
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    # The test database starts with the reference data load, the first link of the chain.
    assert [e.action for e in events] == ["reference_data.loaded"] + [
        "report.submitted",
        "report.accepted",
    ] * 2
    assert events[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    result = verify_chain()
    assert result.ok and result.checked == 5


def test_rolled_back_changes_leave_no_event():
    submit_report(make_intake(), [], new_submission_token())
    db.session.rollback()
    make_events(1)
    assert verify_chain().checked == 3


def test_database_refuses_to_change_or_delete_events():
    make_events(1)
    with pytest.raises(DatabaseError):
        db.session.execute(text("UPDATE audit_events SET action = 'x'"))
    db.session.rollback()
    with pytest.raises(DatabaseError):
        db.session.execute(text("DELETE FROM audit_events"))
    db.session.rollback()


def test_verify_finds_an_edited_event():
    make_events(3)
    victim = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[2]
    without_guard(f"UPDATE audit_events SET actor_label = 'someone-else' WHERE id = {victim.id}")
    result = verify_chain()
    assert not result.ok and result.event_id == victim.id and result.checked == 2


def test_verify_finds_a_deleted_event_and_a_cut_tail():
    make_events(3)
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    without_guard(f"DELETE FROM audit_events WHERE id = {ids[1]}")
    assert verify_chain().event_id == ids[2]


def test_verify_finds_a_truncated_tail():
    make_events(2)
    last = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first()
    without_guard(f"DELETE FROM audit_events WHERE id = {last}")
    result = verify_chain()
    assert not result.ok and "head ahead of the events" in result.problem and "(truncated)" in result.problem


def test_cli_verify_exit_codes(runner):
    make_events(1)
    ok = runner.invoke(args=["audit", "verify"])
    head = db.session.get(AuditChainHead, 1)
    assert ok.exit_code == 0 and f"OK: 3 events, head {head.last_hash}" in ok.output
    without_guard("UPDATE audit_events SET data = '{}'")
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and "BROKEN at event 1" in broken.output
    assert "keyed hash mismatch: the event was edited or forged" in broken.output


def test_events_carry_no_reporter_identity():
    report = submit_report(
        make_intake(anonymous=False, reporter_name="王小明", reporter_phone="13912345678"),
        [],
        new_submission_token(),
    ).report
    db.session.commit()
    rows = db.session.execute(text("SELECT actor_label, data FROM audit_events")).all()
    assert report.primary_reporter.name == "王小明"
    assert all("王小明" not in str(r) and "13912345678" not in str(r) for r in rows)


def test_verify_walks_the_chain_in_batches():
    make_events(3)
    assert verify_chain(batch=2).checked == 7
    victim = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[5]
    without_guard(f"UPDATE audit_events SET object_id = 999 WHERE id = {victim}")
    assert verify_chain(batch=2).event_id == victim


def test_reference_data_changes_are_audited_and_unchanged_reloads_are_not():
    from portal.directory.loader import load_reference_data
    from portal.directory.models import RoutingRule
    from tests.conftest import lookup

    assert load_reference_data()["changes"] == 0
    db.session.commit()
    lookup(RoutingRule, "food-agri").priority = 5  # someone edited a rule by hand
    db.session.commit()
    assert load_reference_data()["changes"] == 1
    db.session.commit()
    last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last.action == "reference_data.loaded"
    assert last.data["changes"] == ["updated routing_rules food-agri"]
    assert last.data["versions"]["routing_rules.json"]
    assert verify_chain().ok


def _actions():
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()


def test_a_rolled_back_savepoint_keeps_the_submissions_event():
    """A savepoint rolled back inside a submission drops its own events, not the report's."""
    report = submit_report(make_intake(), [], new_submission_token()).report
    savepoint = db.session.begin_nested()
    record_event("test.inside_savepoint", None, SYSTEM)
    savepoint.rollback()
    db.session.commit()
    submitted = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.submitted")).all()
    assert [e.object_id for e in submitted] == [report.id]
    assert "test.inside_savepoint" not in _actions()
    assert verify_chain().ok


def test_a_failed_block_in_a_savepoint_forgets_only_its_events():
    record_event("test.before", None, SYSTEM)
    with pytest.raises(RuntimeError), db.session.begin_nested():
        record_event("test.failed_step", None, SYSTEM)
        raise RuntimeError("step failed")
    with db.session.begin_nested():
        record_event("test.kept_step", None, SYSTEM)
    record_event("test.after", None, SYSTEM)
    db.session.commit()
    assert _actions()[-3:] == ["test.before", "test.kept_step", "test.after"]
    assert verify_chain().ok


def test_an_event_queued_before_any_query_is_dropped_by_rollback():
    db.session.commit()  # no transaction open: the next event is queued before any SQL
    record_event("test.rolled_back", None, SYSTEM)
    db.session.rollback()
    db.session.commit()
    assert "test.rolled_back" not in _actions()
