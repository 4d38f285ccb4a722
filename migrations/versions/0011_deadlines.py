"""Working-day deadlines: calendar overrides, deadline policies, report deadlines.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.CheckConstraint("source IN ('override', 'import')", name=op.f('ck_calendar_days_source_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days')),
    sa.UniqueConstraint('day', 'source', name='uq_calendar_days_day_source')
    )
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_days_day'), ['day'], unique=False)

    op.create_table('deadline_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('start_states', sa.String(length=200), nullable=False),
    sa.Column('run_states', sa.String(length=200), nullable=False),
    sa.Column('real_name_only', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=True),
    sa.Column('calendar_days', sa.Integer(), nullable=True),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('lapses', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('complaint', 'tip')", name=op.f('ck_deadline_policies_kind_valid')),
    sa.CheckConstraint('(working_days IS NULL) != (calendar_days IS NULL)', name=op.f('ck_deadline_policies_one_day_count')),
    sa.CheckConstraint('coalesce(working_days, calendar_days) >= 0', name=op.f('ck_deadline_policies_days_not_negative')),
    sa.CheckConstraint('extension_days >= 0', name=op.f('ck_deadline_policies_extension_not_negative')),
    sa.CheckConstraint('effective_to IS NULL OR effective_to >= effective_from', name=op.f('ck_deadline_policies_period_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_policies')),
    sa.UniqueConstraint('code', 'effective_from', name='uq_deadline_policies_code_effective_from')
    )
    with op.batch_alter_table('deadline_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_policies_code'), ['code'], unique=False)

    op.create_table('report_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('policy_code', sa.String(length=40), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('extended', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('met_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.CheckConstraint("status IN ('open', 'due_soon', 'overdue', 'met', 'lapsed')", name=op.f('ck_report_deadlines_status_valid')),
    sa.CheckConstraint("(met_at IS NULL) = (status IN ('open', 'due_soon', 'overdue'))", name=op.f('ck_report_deadlines_met_has_time')),
    sa.ForeignKeyConstraint(['policy_id'], ['deadline_policies.id'], name=op.f('fk_report_deadlines_policy_id_deadline_policies')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_deadlines_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_deadlines'))
    )
    with op.batch_alter_table('report_deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_deadlines_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_report_deadlines_status_due_on', ['status', 'due_on'], unique=False)


def downgrade():
    op.drop_table('report_deadlines')
    op.drop_table('deadline_policies')
    op.drop_table('calendar_days')
