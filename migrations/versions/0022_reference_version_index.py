"""The reference-data version read in one index entry.

Every citizen form and queue page checks the newest reference-data event (portal/directory/
cache.py: SELECT max(seq) FROM audit_events WHERE action IN (...)). PostgreSQL answered it by
walking the whole chain backwards from the newest event, since those events are among the
oldest: 3.5 ms at 7,804 events on the benchmark's database, and growing with the chain. A partial
index on seq holding only those events answers it from its last entry (0.06 ms).

The action list is frozen here as it stood (portal/audit/models.py REFERENCE_ACTIONS); a new
reference action needs a migration that rebuilds this index.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

ACTIONS = (
    "reference_data.loaded",
    "category.updated",
    "department.updated",
    "region.updated",
    "routing_rule.added",
    "routing_rule.replaced",
    "routing_rule.retired",
    "deadline_policy.added",
    "calendar.imported",
    "calendar.override_set",
    "calendar.override_removed",
)
ONLY = sa.text("action IN (" + ", ".join(f"'{a}'" for a in ACTIONS) + ")")


def upgrade():
    op.create_index(
        "ix_audit_events_reference_seq", "audit_events", ["seq"], sqlite_where=ONLY, postgresql_where=ONLY
    )


def downgrade():
    op.drop_index("ix_audit_events_reference_seq", table_name="audit_events")
