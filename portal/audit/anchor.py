"""The audit chain's head published outside the database (issue 12 item 7), after the idea of
certificate-transparency logs: once a day the sweep appends the head (Beijing date, chain length,
head hash) to an append-only file (AUDIT_HEADS_FILE) and the public statistics page shows the
latest one. Anyone who kept a copy of a published line can later prove that the history up to it
was not rewritten: `flask audit verify --against FILE` checks that the event at each published
length still has the published hash (and the whole chain verifies).

Each line is signed with HMAC-SHA256 under the newest AUDIT_KEYS key (its id in the line).
Why HMAC rather than Ed25519: the protection is the published hash itself, kept by others; the
signature only lets the portal refuse a line it did not write (a forged or edited file), and the
portal already holds and rotates AUDIT_KEYS (old keys kept for verification), so no second key
to manage, back up and rotate is needed. The cost: only the key holders can check a line's
signature; the public checks the heads by comparison, which needs no key.
"""

import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from portal.audit.hashing import canonical_json
from portal.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from portal.audit.verify import verify_chain
from portal.clock import local_today, utcnow
from portal.extensions import db
from portal.keys import BadKey
from portal.security import audit_keys, keyed_hash

PURPOSE = "audit-head-published"
FIELDS = ("date", "length", "head", "key_id", "published_at")


def heads_file():
    return Path(current_app.config["AUDIT_HEADS_FILE"])


def _signature(entry, key):
    return keyed_hash(PURPOSE, canonical_json({k: entry[k] for k in FIELDS}), key)


def read_heads(path=None):
    """The published lines in order (dicts); an unreadable line is returned as {"bad": text}."""
    path = Path(path) if path else heads_file()
    if not path.exists():
        return []
    heads = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            heads.append(json.loads(line))
        except json.JSONDecodeError:
            heads.append({"bad": line})
    return heads


def latest_published_head():
    heads = read_heads()
    return heads[-1] if heads and "bad" not in heads[-1] else None


def publish_head(today=None):
    """Append today's head once a day (the sweep runs hourly); returns the entry or None."""
    today = today or local_today()
    latest = latest_published_head()
    if latest is not None and latest["date"] >= today.isoformat():
        return None
    head = db.session.execute(select(AuditChainHead.length, AuditChainHead.last_hash)).first()
    length, last_hash = (head.length, head.last_hash) if head else (0, GENESIS_HASH)
    keys = audit_keys()
    entry = {
        "date": today.isoformat(),
        "length": length,
        "head": last_hash,
        "key_id": keys.current_id,
        "published_at": utcnow().isoformat(timespec="seconds") + "Z",
    }
    entry["signature"] = _signature(entry, keys.current)
    path = heads_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Append only: "a" never rewrites what is there; flushed to disk before the sweep goes on.
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return entry


@dataclass
class AnchorReport:
    ok: bool
    heads: int  # published heads checked
    problem: str = ""


def _line_problem(entry, keys):
    if "bad" in entry or any(k not in entry for k in (*FIELDS, "signature")):
        return "unreadable line"
    try:
        key = keys.get(entry["key_id"])
    except BadKey:
        return f"unknown key id {entry['key_id']!r}"
    if not hmac.compare_digest(_signature(entry, key), entry["signature"]):
        return "signature does not match: the line was edited or not written by the portal"
    return None


def verify_against(path):
    """Every published head must still be in the chain (the event at that length has that hash),
    and the chain itself must verify; the first failing head is named."""
    keys, checked = audit_keys(), 0
    for number, entry in enumerate(read_heads(path), start=1):
        problem = _line_problem(entry, keys)
        if problem is None:
            problem = _head_problem(entry)
        if problem:
            name = f"head {number} ({entry.get('date', '?')}, length {entry.get('length', '?')})"
            return AnchorReport(False, checked, f"{name}: {problem}")
        checked += 1
    chain = verify_chain()
    if not chain.ok:
        return AnchorReport(False, checked, f"chain: {chain.problem}")
    return AnchorReport(True, checked)


def _head_problem(entry):
    length, published = entry["length"], entry["head"]
    if length == 0:
        return None if published == GENESIS_HASH else "an empty chain has the genesis hash"
    found = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == length))
    if found is None:
        return "the event at this length is missing: history was truncated"
    if not hmac.compare_digest(found, published):
        return "the event at this length has another hash: history was rewritten"
    return None
