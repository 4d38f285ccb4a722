"""Audit tables. Events are never updated or deleted, and the head only moves forward (database
triggers enforce both; see migration 0004)."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db

GENESIS_HASH = "0" * 64


# Events that change reference data (categories, regions, departments, routing rules, deadline
# policies, the calendar): the newest of them is the version every process checks its copies
# against (portal/directory/cache.py), once per request. A partial index holds just these events,
# so that check reads one index entry however long the chain grows (migration 0022; a new action
# here needs a migration that rebuilds the index, which tests/test_reference_rows.py checks).
REFERENCE_ACTIONS = (
    "reference_data.loaded",
    # The administration screens (portal/directory/admin_ops.py).
    "category.updated",
    "department.updated",
    "region.updated",
    "routing_rule.added",
    "routing_rule.replaced",
    "routing_rule.retired",
    # Deadline policies and the calendar (portal/directory/rows.py keeps copies of them too).
    "deadline_policy.added",
    "calendar.imported",
    "calendar.override_set",
    "calendar.override_removed",
)
_REFERENCE_ONLY = text("action IN (" + ", ".join(f"'{a}'" for a in REFERENCE_ACTIONS) + ")")


class AuditEvent(db.Model):
    """One event; `hash` is an HMAC under the AUDIT_KEYS key named by `key_id`."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index(
            "ix_audit_events_reference_seq",
            "seq",
            sqlite_where=_REFERENCE_ONLY,
            postgresql_where=_REFERENCE_ONLY,
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)  # position in the chain, from 1
    created_at: Mapped[datetime] = mapped_column(DateTime)
    actor_kind: Mapped[str] = mapped_column(String(20))  # citizen, staff, system
    actor_id: Mapped[int | None] = mapped_column()
    actor_label: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column()
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    key_id: Mapped[str] = mapped_column(String(16))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(db.Model):
    """One row: the newest hash and the chain's length, sealed by a keyed MAC (none while empty).

    Updating it is the short lock that serialises the chain.
    """

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    length: Mapped[int] = mapped_column(default=0)
    key_id: Mapped[str | None] = mapped_column(String(16))
    mac: Mapped[str | None] = mapped_column(String(64))
