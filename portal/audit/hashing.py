"""The chain's keyed hashes. An attacker who can write the database but does not hold AUDIT_KEYS
cannot make an edited, forged or re-linked event, nor a moved head, look genuine."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from portal.security import keyed_hash

EVENT_PURPOSE = "audit-event"
HEAD_PURPOSE = "audit-head"


def _encode(value):
    """The one spelling of each non-JSON value: a penalty's Decimal or a decision's date."""
    if isinstance(value, Decimal):
        return format(value, "f")  # never 1E+2: the digits as written
    if isinstance(value, datetime):  # before date: a datetime is a date too
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.isoformat()  # stored times are naive UTC; the zone is said aloud
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"audit data cannot hold {type(value).__name__}: {value!r}")


def canonical_json(value):
    """The text that is hashed: sorted keys, no spaces, UTF-8 as is, one spelling per value.

    JSON-native data encodes exactly as before this encoder existed, so old events still verify.
    """
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_encode
    )


def jsonable(data):
    """Event data as it will be stored and read back: hashing and storing see the same values,
    and a value JSON cannot hold fails here, in the operation, rather than at commit."""
    return json.loads(canonical_json(data))


def hashed_fields(ev):
    """Everything an event says, as it is stored; works on ORM objects and Core rows alike."""
    return {
        "seq": ev.seq,
        "key_id": ev.key_id,
        "prev": ev.prev_hash,
        "created_at": ev.created_at.isoformat(timespec="microseconds"),
        "actor_kind": ev.actor_kind,
        "actor_id": ev.actor_id,
        "actor_label": ev.actor_label,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "data": ev.data,
    }


def event_hash(ev, key):
    """HMAC-SHA256 over the event's fields (with its position, key id and predecessor)."""
    return keyed_hash(EVENT_PURPOSE, canonical_json(hashed_fields(ev)), key)


def head_mac(length, last_hash, key):
    """Seal of the head: without the key nobody can point it at an earlier event."""
    return keyed_hash(HEAD_PURPOSE, f"{length}:{last_hash}", key)
