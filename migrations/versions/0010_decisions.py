"""Decisions: proposals awaiting a lead, same-clue links.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("pending_report_id", sa.Integer(), nullable=True),
        sa.Column("from_state", sa.String(length=30), nullable=False),
        sa.Column("target", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused')", name=op.f("ck_proposals_status_valid")
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (pending_report_id IS NOT NULL)",
            name=op.f("ck_proposals_pending_has_report"),
        ),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_proposals_report_id_reports")),
        sa.ForeignKeyConstraint(
            ["pending_report_id"], ["reports.id"], name=op.f("fk_proposals_pending_report_id_reports")
        ),
        sa.ForeignKeyConstraint(["proposed_by_id"], ["users.id"], name=op.f("fk_proposals_proposed_by_id_users")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_proposals_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("pending_report_id", name=op.f("uq_proposals_pending_report_id")),
    )
    op.create_index(op.f("ix_proposals_report_id"), "proposals", ["report_id"], unique=False)
    op.create_table(
        "clue_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("clue_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_clue_links_report_id_reports")),
        sa.ForeignKeyConstraint(["clue_id"], ["reports.id"], name=op.f("fk_clue_links_clue_id_reports")),
        sa.ForeignKeyConstraint(["linked_by_id"], ["users.id"], name=op.f("fk_clue_links_linked_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_links")),
        sa.UniqueConstraint("report_id", name=op.f("uq_clue_links_report_id")),
    )
    op.create_index(op.f("ix_clue_links_clue_id"), "clue_links", ["clue_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_clue_links_clue_id"), table_name="clue_links")
    op.drop_table("clue_links")
    op.drop_index(op.f("ix_proposals_report_id"), table_name="proposals")
    op.drop_table("proposals")
