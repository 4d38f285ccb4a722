"""Administration: routing rules are retired, never edited in place (active, retired_at).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


# Null counts as a value ("any"): ids start at 1, so 0 stands for null.
KEY = [sa.text("coalesce(category_id, 0)"), sa.text("coalesce(region_id, 0)")]
ACTIVE = sa.text("active")
RETIRED = "(active AND retired_at IS NULL) OR (NOT active AND retired_at IS NOT NULL)"


def upgrade():
    # Before the batch: SQLite's table rebuild does not carry expression indexes.
    op.drop_index("uq_routing_rules_category_region", table_name="routing_rules")
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(), nullable=True))
        batch_op.drop_constraint("uq_routing_rules_code", type_="unique")
        batch_op.create_check_constraint(op.f("ck_routing_rules_retired_when_inactive"), RETIRED)
    # Retired rows keep their code and key: only active rules must be unique.
    for name, columns in (("uq_routing_rules_category_region", KEY), ("uq_routing_rules_code", ["code"])):
        op.create_index(
            name, "routing_rules", columns, unique=True, sqlite_where=ACTIVE, postgresql_where=ACTIVE
        )


def downgrade():
    # Retired rules are history (assignments name them); the old schema cannot hold two per code.
    retired = (
        op.get_bind().execute(sa.text("SELECT code FROM routing_rules WHERE NOT active")).scalars().all()
    )
    if retired:
        raise RuntimeError(f"retired routing rules would be lost: {', '.join(sorted(set(retired)))}")
    op.drop_index("uq_routing_rules_code", table_name="routing_rules")
    op.drop_index("uq_routing_rules_category_region", table_name="routing_rules")
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_routing_rules_retired_when_inactive"), type_="check")
        batch_op.create_unique_constraint(op.f("uq_routing_rules_code"), ["code"])
        batch_op.drop_column("retired_at")
        batch_op.drop_column("active")
    op.create_index("uq_routing_rules_category_region", "routing_rules", KEY, unique=True)
