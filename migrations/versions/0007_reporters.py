"""Reporters out of the report row; complaint demands; linked submissions; licence kinds.

Identity moves as ciphertext (copied in SQL, never decrypted: the same DATA_KEYS read it). One
reporter row per report that had any identity or contact; anonymous reports without a contact get
none. The downgrade copies each report's primary reporter back (joint reporters, which the old
schema cannot hold, are dropped with their table).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

IDENTITY = (  # reports column -> reporters column
    ("reporter_name", "name"),
    ("reporter_phone", "phone"),
    ("reporter_id_number", "id_number"),
    ("contact_email", "email"),
)
ONLINE_CATEGORIES = ("food.online_ordering", "quality.online_shopping")
DEMANDS = ("refund", "replacement", "repair", "compensation", "other")
LICENCE_KINDS = ("uscc", "registration", "food_business", "food_production", "other")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


REPORT_CHECKS = {
    "demand_valid": _in("demand", DEMANDS),
    "demand_only_for_complaints": "kind = 'complaint' OR demand IS NULL",
    "money_demand_has_amount": (
        "demand IS NULL OR demand NOT IN ('compensation', 'refund') OR demand_amount IS NOT NULL"
    ),
    "amount_positive": "demand_amount IS NULL OR (demand IS NOT NULL AND demand_amount > 0)",
    "business_licence_kind_valid": _in("business_licence_kind", LICENCE_KINDS),
    "licence_has_kind": "(business_licence IS NULL) = (business_licence_kind IS NULL)",
    "not_linked_to_itself": "linked_report_id != id",
}


def upgrade():
    op.create_table('reporters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('postal_address', sa.Text(), nullable=True),
    sa.Column('id_number', sa.Text(), nullable=True),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporters'))
    )
    op.create_table('report_reporters',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.CheckConstraint("role IN ('primary', 'joint')", name=op.f('ck_report_reporters_role_valid')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_reporters_report_id_reports')),
    sa.ForeignKeyConstraint(['reporter_id'], ['reporters.id'], name=op.f('fk_report_reporters_reporter_id_reporters')),
    sa.PrimaryKeyConstraint('report_id', 'reporter_id', name=op.f('pk_report_reporters'))
    )
    with op.batch_alter_table('report_reporters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_reporters_reporter_id'), ['reporter_id'], unique=False)

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.get_bind().execute(
        sa.text("UPDATE categories SET online = :yes WHERE code IN :codes").bindparams(
            sa.bindparam("codes", expanding=True)
        ),
        {"yes": True, "codes": list(ONLINE_CATEGORIES)},
    )

    _move_identity_out()

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('business_licence_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('demand', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('demand_amount', sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column('platform', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('order_number', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('linked_report_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_reports_linked_report_id'), ['linked_report_id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_reports_linked_report_id_reports'), 'reports', ['linked_report_id'], ['id']
        )
        batch_op.drop_constraint(batch_op.f('ck_reports_real_name_has_name'), type_='check')
        for old, _ in IDENTITY:
            batch_op.drop_column(old)
    # Licences on file passed the old check: an 18-character credit code or 15 digits.
    op.execute(
        "UPDATE reports SET business_licence_kind = CASE WHEN length(business_licence) = 18"
        " THEN 'uscc' WHEN length(business_licence) = 15 THEN 'registration' ELSE 'other' END"
        " WHERE business_licence IS NOT NULL"
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        for name, sql in REPORT_CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f'ck_reports_{name}'), sql)


def _move_identity_out():
    """One reporter row (ciphertext as stored) and one primary link per report with identity."""
    conn = op.get_bind()
    old = ", ".join(column for column, _ in IDENTITY)
    rows = conn.execute(
        sa.text(
            f"SELECT id, received_at, {old} FROM reports WHERE "
            + " OR ".join(f"{column} IS NOT NULL" for column, _ in IDENTITY)
            + " ORDER BY id"
        )
    ).all()
    reporters = sa.table('reporters', sa.column('id'), sa.column('created_at'),
                         *(sa.column(new) for _, new in IDENTITY))
    links = sa.table('report_reporters', sa.column('report_id'), sa.column('reporter_id'), sa.column('role'))
    for row in rows:
        values = {new: getattr(row, old) for old, new in IDENTITY}
        reporter_id = conn.execute(
            reporters.insert().values(created_at=row.received_at, **values).returning(reporters.c.id)
        ).scalar_one()
        conn.execute(links.insert().values(report_id=row.id, reporter_id=reporter_id, role='primary'))


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        for name in reversed(REPORT_CHECKS):
            batch_op.drop_constraint(batch_op.f(f'ck_reports_{name}'), type_='check')
        for old, _ in IDENTITY:
            batch_op.add_column(sa.Column(old, sa.Text(), nullable=True))
    primary = (
        "(SELECT r.{new} FROM reporters r JOIN report_reporters l ON l.reporter_id = r.id"
        " WHERE l.report_id = reports.id AND l.role = 'primary')"
    )
    op.execute(
        "UPDATE reports SET "
        + ", ".join(f"{old} = {primary.format(new=new)}" for old, new in IDENTITY)
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f('ck_reports_real_name_has_name'), 'anonymous = true OR reporter_name IS NOT NULL'
        )
        batch_op.drop_constraint(batch_op.f('fk_reports_linked_report_id_reports'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_reports_linked_report_id'), type_='unique')
        batch_op.drop_column('linked_report_id')
        batch_op.drop_column('order_number')
        batch_op.drop_column('platform')
        batch_op.drop_column('demand_amount')
        batch_op.drop_column('demand')
        batch_op.drop_column('business_licence_kind')

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('online')

    with op.batch_alter_table('report_reporters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_reporters_reporter_id'))
    op.drop_table('report_reporters')
    op.drop_table('reporters')
