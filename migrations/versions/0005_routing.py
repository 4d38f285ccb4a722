"""Routing rules: no two rules of equal specificity; CHECKs on decline grounds and user roles.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


# Null counts as a value ("any"): ids start at 1, so 0 stands for null.
KEY = [sa.text("coalesce(category_id, 0)"), sa.text("coalesce(region_id, 0)")]


TIES = sa.text(
    "SELECT a.code, b.code FROM routing_rules a JOIN routing_rules b"
    " ON coalesce(a.category_id, 0) = coalesce(b.category_id, 0)"
    " AND coalesce(a.region_id, 0) = coalesce(b.region_id, 0) AND a.id < b.id"
)


def _refuse_existing_ties():
    """Name the tied rules instead of failing on the index with a bare IntegrityError."""
    ties = op.get_bind().execute(TIES).all()
    if ties:
        pairs = "; ".join(f"{a} and {b}" for a, b in ties)
        raise RuntimeError(f"routing rules with the same category and region: {pairs}. Keep one of each pair.")


# Enum-backed columns that had no CHECK (values as of this revision, not imported from the app).
DECLINE_GROUNDS = (
    "not_our_duty",
    "before_court",
    "not_personal_consumption",
    "time_barred",
    "materials_missing",
    "other_legal",
)
ROLES = ("staff", "lead", "finance", "auditor", "admin")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    _refuse_existing_ties()
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.drop_constraint("category_region", type_="unique")
    # Outside the batch: SQLite's table rebuild does not carry expression indexes.
    op.create_index("uq_routing_rules_category_region", "routing_rules", KEY, unique=True)
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_reports_decline_ground_valid"), _in("decline_ground", DECLINE_GROUNDS)
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_users_user_role"), _in("role", ROLES))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_user_role"), type_="check")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_reports_decline_ground_valid"), type_="check")
    op.drop_index("uq_routing_rules_category_region", table_name="routing_rules")
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.create_unique_constraint("category_region", ["category_id", "region_id"])
