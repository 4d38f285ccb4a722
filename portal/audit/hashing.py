"""The chain's keyed hashes. An attacker who can write the database but does not hold AUDIT_KEYS
cannot make an edited, forged or re-linked event, nor a moved head, look genuine."""

import json

from portal.security import keyed_hash

EVENT_PURPOSE = "audit-event"
HEAD_PURPOSE = "audit-head"


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
    canonical = json.dumps(hashed_fields(ev), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return keyed_hash(EVENT_PURPOSE, canonical, key)


def head_mac(length, last_hash, key):
    """Seal of the head: without the key nobody can point it at an earlier event."""
    return keyed_hash(HEAD_PURPOSE, f"{length}:{last_hash}", key)
