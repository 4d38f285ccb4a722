"""Record audit events and link them into one hash chain, as late in the transaction as possible.

record_event() only queues the event on the session. Just before commit the queued events are
linked to the chain head under a row lock (UPDATE of audit_chain_head), so the lock is held for
the shortest time and every committed event has exactly one predecessor.
"""

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from portal.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from portal.clock import utcnow
from portal.extensions import db

PENDING = "pending_audit_events"


@dataclass(frozen=True)
class Actor:
    kind: str  # citizen, staff, system
    label: str
    user_id: int | None = None

    @classmethod
    def for_user(cls, user):
        return cls("staff", f"{user.role}:{user.username}", user.id)


CITIZEN = Actor("citizen", "reporter")  # never the reporter's identity
SYSTEM = Actor("system", "system")


def record_event(action, obj, actor, data=None):
    """Queue an audit event for the current transaction; it is chained at commit.

    obj is the row acted on, or None for an event about no single row (e.g. a data load).
    """
    db.session.info.setdefault(PENDING, []).append(
        {
            "created_at": utcnow(),
            "actor": actor,
            "action": action,
            "object": obj,
            "data": data or {},
        }
    )


def event_digest(prev_hash, fields):
    """SHA-256 over the previous hash and the event's fields in canonical JSON."""
    canonical = json.dumps(
        {"prev": prev_hash, **fields}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def hashed_fields(ev):
    return {
        "created_at": ev.created_at.isoformat(timespec="microseconds"),
        "actor_kind": ev.actor_kind,
        "actor_id": ev.actor_id,
        "actor_label": ev.actor_label,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "data": ev.data,
    }


def _lock_head(session):
    """Take the chain head's row lock (PostgreSQL row lock; SQLite's write lock)."""
    session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(length=AuditChainHead.length))
    head = session.get(AuditChainHead, 1, populate_existing=True)
    if head is None:
        head = AuditChainHead(id=1, last_hash=GENESIS_HASH, length=0)
        session.add(head)
        session.flush()
    return head


def _link_pending(session):
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    session.flush()  # object ids must exist before events can name them
    head = _lock_head(session)
    for item in pending:
        obj, actor = item["object"], item["actor"]
        ev = AuditEvent(
            created_at=item["created_at"],
            actor_kind=actor.kind,
            actor_id=actor.user_id,
            actor_label=actor.label,
            action=item["action"],
            object_type=obj.__tablename__ if obj is not None else "none",
            object_id=obj.id if obj is not None else None,
            data=item["data"],
            prev_hash=head.last_hash,
        )
        ev.hash = event_digest(ev.prev_hash, hashed_fields(ev))
        session.add(ev)
        head.last_hash, head.length = ev.hash, head.length + 1
    session.flush()


@event.listens_for(Session, "before_commit")
def _before_commit(session):
    _link_pending(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop(PENDING, None)


@dataclass
class ChainReport:
    ok: bool
    checked: int
    problem: str = ""
    event_id: int | None = None


def verify_chain(session=None, batch=1000):
    """Re-compute every hash in id order; report the first event that does not fit."""
    session = session or db.session
    prev, checked, last_id = GENESIS_HASH, 0, 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            break
        for ev in rows:
            if ev.prev_hash != prev:
                return ChainReport(False, checked, "previous hash does not match", ev.id)
            if event_digest(ev.prev_hash, hashed_fields(ev)) != ev.hash:
                return ChainReport(False, checked, "event content does not match its hash", ev.id)
            prev, last_id, checked = ev.hash, ev.id, checked + 1
    head = session.get(AuditChainHead, 1)
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_hash != prev or (head.length if head else 0) != checked:
        return ChainReport(False, checked, "chain head does not match the last event (truncated?)")
    return ChainReport(True, checked)
