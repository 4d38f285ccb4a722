"""The keyed audit chain: what someone who can write the database, but does not hold AUDIT_KEYS,
can no longer do unnoticed; the head's trigger; key rotation."""

import secrets
from contextlib import contextmanager

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from portal import create_app
from portal.audit.chain import SYSTEM, record_event, verify_chain
from portal.audit.models import AuditChainHead, AuditEvent
from portal.extensions import db
from portal.keys import DEV_AUDIT_KEYS
from tests.conftest import ON_POSTGRES, _config
from tests.tamper import chain, plain_digest, without_guard

pytestmark = pytest.mark.usefixtures("app")
BOTH_TABLES = ("audit_events", "audit_chain_head")


def make_events(n):
    for i in range(n):
        record_event("test.step", None, SYSTEM, {"i": i})
        db.session.commit()


def head():
    return db.session.get(AuditChainHead, 1, populate_existing=True)


def cut_tail_statements(keep):
    """Delete every event after the first `keep` and point the head at the last one kept."""
    last_kept = chain()[keep - 1]
    return (
        f"DELETE FROM audit_events WHERE id > {last_kept.id}",
        f"UPDATE audit_chain_head SET length = {keep}, last_hash = '{last_kept.hash}'",
    )


def test_trigger_refuses_to_move_the_head_back_over_a_cut_tail():
    make_events(3)
    delete_tail, move_head = cut_tail_statements(2)
    without_guard(delete_tail)  # the events' own trigger is gone; the head's is not
    with pytest.raises(DatabaseError, match="only advances"):
        db.session.execute(text(move_head))
    db.session.rollback()
    result = verify_chain()
    assert not result.ok and "head ahead of the events" in result.problem


def test_verify_catches_a_cut_tail_even_with_the_head_trigger_dropped():
    """Second layer: the head's keyed seal cannot be re-made for the shorter chain."""
    make_events(3)
    without_guard(*cut_tail_statements(2), tables=BOTH_TABLES)
    assert head().length == 2
    result = verify_chain()
    assert not result.ok and result.checked == 2
    assert "keyed seal does not match: the head was moved or forged" in result.problem


def test_verify_names_the_edited_event_when_every_hash_was_recomputed():
    make_events(3)
    events = chain()
    victim = events[1]
    statements, params, prev = [], {}, victim.prev_hash
    for n, ev in enumerate(events[1:]):
        if ev.id == victim.id:
            ev.actor_label = "someone-else"
        new_hash = plain_digest(prev, ev)
        statements.append(
            f"UPDATE audit_events SET actor_label = :label{n}, prev_hash = :prev{n}, hash = :hash{n} "
            f"WHERE id = {ev.id}"
        )
        params |= {f"label{n}": ev.actor_label, f"prev{n}": prev, f"hash{n}": new_hash}
        prev = new_hash
    db.session.rollback()  # forget the in-memory edit; the attacker writes with SQL
    statements.append(f"UPDATE audit_chain_head SET last_hash = '{prev}'")
    without_guard(*statements, tables=BOTH_TABLES, params=params)
    result = verify_chain()
    assert not result.ok and result.event_id == victim.id and result.checked == 1
    assert result.problem == "keyed hash mismatch: the event was edited or forged"


def test_verify_catches_a_forged_event_the_head_trigger_let_through():
    """The trigger lets the head advance to any event that exists; the keyed hash is what fails."""
    make_events(2)
    last = chain()[-1]
    forged = AuditEvent(
        seq=last.seq + 1,
        created_at=last.created_at,
        actor_kind="staff",
        actor_id=None,
        actor_label="admin:someone",
        action="report.closed",
        object_type="none",
        object_id=None,
        data={},
        key_id=last.key_id,
        prev_hash=last.hash,
    )
    forged.hash = plain_digest(last.hash, forged)
    db.session.add(forged)
    db.session.flush()
    db.session.execute(
        text("UPDATE audit_chain_head SET length = :n, last_hash = :h"),
        {"n": forged.seq, "h": forged.hash},
    )
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.event_id == forged.id and result.checked == len(chain()) - 1
    assert result.problem == "keyed hash mismatch: the event was edited or forged"


def test_head_trigger_refuses_delete_a_second_row_and_a_jump_to_nowhere():
    make_events(1)
    length = head().length
    for statement, refusal in (
        ("DELETE FROM audit_chain_head", "cannot be deleted"),
        (f"INSERT INTO audit_chain_head (id, last_hash, length) VALUES (2, '{'0' * 64}', 0)", "one row"),
        (f"UPDATE audit_chain_head SET length = {length + 1}, last_hash = '{'f' * 64}'", "only advances"),
        (f"UPDATE audit_chain_head SET length = {length - 1}", "only advances"),
    ):
        with pytest.raises(DatabaseError, match=refusal):
            db.session.execute(text(statement))
        db.session.rollback()
    assert head().length == length and verify_chain().ok


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no TRUNCATE (its DELETE fires the triggers)")
def test_audit_tables_cannot_be_truncated():
    for table in BOTH_TABLES:
        with pytest.raises(DatabaseError, match="cannot be truncated"):
            db.session.execute(text(f"TRUNCATE {table} CASCADE"))
        db.session.rollback()
    assert verify_chain().ok


@contextmanager
def app_with_audit_keys(database_url, tmp_path, keys):
    """The same database served with other AUDIT_KEYS, as after a restart with a new setting."""
    other = create_app(_config(database_url, tmp_path) | {"AUDIT_KEYS": keys})
    with other.app_context():
        try:
            yield other
        finally:
            db.session.remove()
            db.engine.dispose()


def test_a_new_key_in_front_keeps_the_old_events_verifiable(database_url, tmp_path):
    make_events(1)
    rotated = f"a2:{secrets.token_urlsafe(40)},{DEV_AUDIT_KEYS}"
    with app_with_audit_keys(database_url, tmp_path, rotated):
        make_events(2)
        key_ids = db.session.scalars(select(AuditEvent.key_id).order_by(AuditEvent.seq)).all()
        result = verify_chain()
        assert db.session.get(AuditChainHead, 1).key_id == "a2"
    assert key_ids == ["dev", "dev", "a2", "a2"]
    assert result.ok and result.checked == 4


def test_a_missing_key_is_reported_not_a_crash(database_url, tmp_path):
    make_events(1)
    new_only = f"a2:{secrets.token_urlsafe(40)}"
    with app_with_audit_keys(database_url, tmp_path, new_only) as other:
        result = verify_chain()
        output = other.test_cli_runner().invoke(args=["audit", "verify"]).output
    first = chain()[0]
    assert not result.ok and result.event_id == first.id and result.checked == 0
    assert "unknown key id 'dev': AUDIT_KEYS must keep old keys after the new one" in output
