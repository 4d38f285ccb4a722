"""Record audit events and link them into one keyed hash chain, as late in the transaction as
possible.

record_event() only queues the event on the session. Just before commit the queued events are
linked to the chain head under a row lock (UPDATE of audit_chain_head), so the lock is held for
the shortest time and every committed event has exactly one predecessor. Each event's hash is an
HMAC under the current AUDIT_KEYS key (its id stored beside it) and the head carries a keyed seal.

A rolled-back savepoint drops only the events queued inside it; the end of the outermost
transaction drops the rest. A released savepoint links what is queued so far (SQLAlchemy commits
it like a transaction): those events are then in the database, where an outer rollback undoes them.
"""

from dataclasses import dataclass

from sqlalchemy import event, insert, update
from sqlalchemy.orm import Session

from portal.audit.hashing import event_hash, head_mac, jsonable
from portal.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from portal.clock import utcnow
from portal.extensions import db
from portal.security import audit_keys

PENDING = "pending_audit_events"
SAVEPOINTS = "audit_savepoint_marks"  # open savepoint → how many events were queued before it


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
    session = db.session()  # the scoped session's own Session
    if not session.in_transaction():
        session.begin()  # so the event belongs to a transaction whose rollback drops it
    session.info.setdefault(PENDING, []).append(
        {
            "created_at": utcnow(),
            "actor": actor,
            "action": action,
            "object": obj,
            "data": jsonable(data or {}),  # canonical now, so commit cannot fail on it
        }
    )


def _lock_head(session):
    """Take the chain head's row lock (PostgreSQL row lock; SQLite's write lock); (length, hash)."""
    head = AuditChainHead.__table__
    # One round trip: the no-op UPDATE takes the lock and RETURNING reads the head under it.
    locked = update(head).where(head.c.id == 1).values(length=head.c.length)
    row = session.execute(locked.returning(head.c.length, head.c.last_hash)).first()
    if row is None:  # a database made without migration 0001's head row
        session.execute(insert(head).values(id=1, length=0, last_hash=GENESIS_HASH))
        return 0, GENESIS_HASH
    return row.length, row.last_hash


def _new_event(item, seq, prev_hash, keys):
    obj, actor = item["object"], item["actor"]
    ev = AuditEvent(
        seq=seq,
        created_at=item["created_at"],
        actor_kind=actor.kind,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action=item["action"],
        object_type=obj.__tablename__ if obj is not None else "none",
        object_id=obj.id if obj is not None else None,
        data=item["data"],
        key_id=keys.current_id,
        prev_hash=prev_hash,
    )
    ev.hash = event_hash(ev, keys.current)
    return ev


def _link_pending(session):
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    # Everything queued so far is now in the database, where a savepoint rollback undoes it.
    marks = session.info.get(SAVEPOINTS, {})
    for savepoint in marks:
        marks[savepoint] = 0
    session.flush()  # object ids must exist before events can name them
    keys = audit_keys()
    length, last_hash = _lock_head(session)
    for item in pending:
        length += 1
        ev = _new_event(item, length, last_hash, keys)
        session.add(ev)
        last_hash = ev.hash
    session.flush()  # the events first: the head's trigger checks the event it advances to
    head = AuditChainHead.__table__
    session.execute(
        update(head)
        .where(head.c.id == 1)
        .values(
            length=length,
            last_hash=last_hash,
            key_id=keys.current_id,
            mac=head_mac(length, last_hash, keys.current),
        )
    )


@event.listens_for(Session, "before_commit")
def _before_commit(session):
    _link_pending(session)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session, transaction):
    if transaction.nested:
        session.info.setdefault(SAVEPOINTS, {})[transaction] = len(session.info.get(PENDING, []))


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session, previous_transaction):
    """A savepoint rolled back: forget only what was queued inside it."""
    mark = session.info.get(SAVEPOINTS, {}).get(previous_transaction)
    if mark is not None and PENDING in session.info:
        del session.info[PENDING][mark:]


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction):
    """The outermost transaction ended (commit, rollback or close): nothing may carry over.

    Savepoint marks stay until then: after_soft_rollback comes after the savepoint has ended.
    """
    if transaction.parent is None and not transaction.nested:
        session.info.pop(PENDING, None)
        session.info.pop(SAVEPOINTS, None)


# verify_chain lives in portal.audit.verify; kept importable from here for callers.
from portal.audit.verify import ChainReport, verify_chain  # noqa: E402,F401
