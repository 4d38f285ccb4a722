"""Verify the audit chain: every event's keyed hash, every link, and the sealed head, all read in
one consistent snapshot so that events committed meanwhile cannot look like a break."""

import hmac
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select

from portal.audit.hashing import event_hash, head_mac
from portal.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from portal.extensions import db
from portal.keys import BadKey
from portal.security import audit_keys

EVENTS = AuditEvent.__table__
HEAD = AuditChainHead.__table__


@dataclass
class ChainReport:
    ok: bool
    checked: int
    problem: str = ""
    event_id: int | None = None
    head_hash: str = GENESIS_HASH


@contextmanager
def _snapshot(engine):
    """One read-only transaction that sees one moment: REPEATABLE READ on PostgreSQL, one
    explicit read transaction on SQLite (its driver would otherwise commit between reads)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN")
            yield conn


def _events(conn, batch):
    """Events in chain order, a batch at a time (the whole log never sits in memory)."""
    last_seq = 0
    while True:
        rows = conn.execute(
            select(EVENTS).where(EVENTS.c.seq > last_seq).order_by(EVENTS.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq


def _key(keys, key_id):
    try:
        return keys.get(key_id)
    except BadKey:
        return None


def _event_problem(ev, prev, checked, keys):
    key = _key(keys, ev.key_id)
    if key is None:
        return f"unknown key id {ev.key_id!r}: AUDIT_KEYS must keep old keys after the new one"
    if not hmac.compare_digest(event_hash(ev, key), ev.hash):
        return "keyed hash mismatch: the event was edited or forged"
    if ev.prev_hash != prev or ev.seq != checked + 1:
        return "link broken: the event does not follow the one before it (an event deleted or inserted)"
    return None


def _seal_problem(head, keys):
    """The head's keyed seal: only the portal, holding the key, can point the head anywhere."""
    if not head.mac:
        return "chain head carries no keyed seal: the head was moved or forged (truncated?)"
    key = _key(keys, head.key_id)
    if key is None:
        return f"unknown key id {head.key_id!r} on the chain head: AUDIT_KEYS must keep old keys"
    if not hmac.compare_digest(head_mac(head.length, head.last_hash, key), head.mac):
        return "chain head's keyed seal does not match: the head was moved or forged (truncated?)"
    return None


def _head_problem(head, prev, checked, keys):
    if head is None:
        return "chain head is missing" if checked else None
    if head.length or head.mac:  # an empty chain's head has no seal yet
        problem = _seal_problem(head, keys)
        if problem:
            return problem
    if head.length > checked:
        return f"head ahead of the events: the head counts {head.length}, only {checked} remain (truncated)"
    if head.length < checked:
        return f"head behind the events: the head counts {head.length}, {checked} found (events appended)"
    if head.last_hash != prev:
        return "chain head does not match the last event"
    return None


def verify_chain(batch=1000):
    """Re-compute every keyed hash in chain order; report the first protection that failed."""
    keys = audit_keys()
    prev, checked = GENESIS_HASH, 0
    with _snapshot(db.engine) as conn:
        head = conn.execute(select(HEAD).where(HEAD.c.id == 1)).first()
        for ev in _events(conn, batch):
            problem = _event_problem(ev, prev, checked, keys)
            if problem:
                return ChainReport(False, checked, problem, ev.id, prev)
            prev, checked = ev.hash, checked + 1
    problem = _head_problem(head, prev, checked, keys)
    return ChainReport(problem is None, checked, problem or "", None, prev)
