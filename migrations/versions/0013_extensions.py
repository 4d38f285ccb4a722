"""Deadline extension requests; sessions end when the second factor is reset.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


END_REASONS = ("signed_out", "left", "idle", "expired", "deactivated", "password_changed", "replaced")


def _end_reason_check(reasons):
    return "end_reason IN ({})".format(", ".join(f"'{r}'" for r in reasons))


def upgrade():
    op.create_table(
        "extension_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("pending_deadline_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('pending', 'approved', 'refused')", name=op.f("ck_extension_requests_outcome_valid")
        ),
        sa.CheckConstraint(
            "(outcome = 'pending') = (pending_deadline_id IS NOT NULL)",
            name=op.f("ck_extension_requests_pending_has_deadline"),
        ),
        sa.CheckConstraint(
            "(outcome = 'pending') = (decided_at IS NULL)", name=op.f("ck_extension_requests_decided_has_time")
        ),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_extension_requests_report_id_reports")),
        sa.ForeignKeyConstraint(
            ["deadline_id"], ["report_deadlines.id"], name=op.f("fk_extension_requests_deadline_id_report_deadlines")
        ),
        sa.ForeignKeyConstraint(
            ["pending_deadline_id"],
            ["report_deadlines.id"],
            name=op.f("fk_extension_requests_pending_deadline_id_report_deadlines"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_extension_requests_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_extension_requests_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension_requests")),
        sa.UniqueConstraint("pending_deadline_id", name=op.f("uq_extension_requests_pending_deadline_id")),
    )
    op.create_index(op.f("ix_extension_requests_report_id"), "extension_requests", ["report_id"], unique=False)
    op.create_index(op.f("ix_extension_requests_deadline_id"), "extension_requests", ["deadline_id"], unique=False)
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_web_sessions_end_reason_valid"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_web_sessions_end_reason_valid"), _end_reason_check(END_REASONS + ("totp_reset",))
        )


def downgrade():
    # The old schema has no word for a reset second factor: those sessions ended as if the
    # credentials changed, which is what happened.
    op.execute("UPDATE web_sessions SET end_reason = 'password_changed' WHERE end_reason = 'totp_reset'")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_web_sessions_end_reason_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_web_sessions_end_reason_valid"), _end_reason_check(END_REASONS))
    op.drop_index(op.f("ix_extension_requests_deadline_id"), table_name="extension_requests")
    op.drop_index(op.f("ix_extension_requests_report_id"), table_name="extension_requests")
    op.drop_table("extension_requests")
