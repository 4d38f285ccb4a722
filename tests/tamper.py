"""What an attacker who can write the database (but does not hold AUDIT_KEYS) can do to the
audit chain; shared by the audit tests."""

import hashlib
import json

from sqlalchemy import select, text

from portal.audit.models import AuditEvent
from portal.extensions import db
from tests.conftest import ON_POSTGRES


def without_guard(*statements, tables=("audit_events",), params=None):
    """Run statements as an attacker with DDL rights would: triggers off, edit, triggers on."""
    if ON_POSTGRES:
        for table in tables:
            db.session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        for statement in statements:
            db.session.execute(text(statement), params or {})
        for table in tables:
            db.session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    else:
        for table in tables:
            names = db.session.scalars(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                {"t": table},
            ).all()
            for name in names:
                db.session.execute(text(f"DROP TRIGGER {name}"))
        for statement in statements:
            db.session.execute(text(statement), params or {})
    db.session.commit()


def chain():
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()


def plain_digest(prev_hash, ev):
    """The unkeyed SHA-256 the chain used before it was keyed: anyone can compute it."""
    fields = {
        "prev": prev_hash,
        "created_at": ev.created_at.isoformat(timespec="microseconds"),
        "actor_kind": ev.actor_kind,
        "actor_id": ev.actor_id,
        "actor_label": ev.actor_label,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "data": ev.data,
    }
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
