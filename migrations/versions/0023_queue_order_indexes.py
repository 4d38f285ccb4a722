"""Queue indexes for the due-date order and the kind filter.

The due-date order without a deadline filter sorts reports by their earliest running clock's
due date, those without one last (coalesce(next_due_on, '9999-12-31'), portal/reports/models.py
DUE_ORDER). No index held that expression, so the first page sorted every report of the
department: 490 ms at a million reports; with this index the page is read in order (0.1 ms in
psql). SQLite batch migrations do not reflect expression indexes: a later one that rebuilds
reports must create this one again.

The kind filter had no index: a department whose reports are nearly all tip-offs walked all of
them to list its few complaints (104 ms at a million reports, none found).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_reports_department_due_order",
        "reports",
        ["department_id", sa.text("coalesce(next_due_on, '9999-12-31')"), "received_at", "id"],
    )
    op.create_index(
        "ix_reports_department_kind_received", "reports", ["department_id", "kind", "received_at", "id"]
    )


def downgrade():
    op.drop_index("ix_reports_department_kind_received", table_name="reports")
    op.drop_index("ix_reports_department_due_order", table_name="reports")
