"""Public notices, red list, supervision of departments.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('department_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('attendees', sa.Text(), nullable=True),
    sa.Column('agreed', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind != 'interview' OR (held_on IS NOT NULL AND attendees IS NOT NULL AND agreed IS NOT NULL)", name=op.f('ck_department_steps_interview_has_record')),
    sa.CheckConstraint("kind IN ('reminder', 'interview', 'accountability')", name=op.f('ck_department_steps_kind_valid')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_department_steps_department_id_departments')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_department_steps_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department_steps'))
    )
    with op.batch_alter_table('department_steps', schema=None) as batch_op:
        batch_op.create_index('ix_department_steps_department_year', ['department_id', 'year'], unique=False)

    op.create_table('red_list_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('business_name', sa.String(length=200), nullable=False),
    sa.Column('business_licence', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('named_by_id', sa.Integer(), nullable=False),
    sa.Column('named_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status != 'withdrawn' OR (withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL AND withdrawn_by_id IS NOT NULL)", name=op.f('ck_red_list_entries_withdrawn_has_reason')),
    sa.CheckConstraint("status = 'draft' OR (published_by_id IS NOT NULL AND published_at IS NOT NULL)", name=op.f('ck_red_list_entries_published_has_reviewer')),
    sa.CheckConstraint("status IN ('draft', 'published', 'withdrawn')", name=op.f('ck_red_list_entries_status_valid')),
    sa.CheckConstraint('period_to >= period_from', name=op.f('ck_red_list_entries_period_valid')),
    sa.CheckConstraint('published_by_id IS NULL OR published_by_id != named_by_id', name=op.f('ck_red_list_entries_reviewer_not_author')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_red_list_entries_department_id_departments')),
    sa.ForeignKeyConstraint(['named_by_id'], ['users.id'], name=op.f('fk_red_list_entries_named_by_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_red_list_entries_published_by_id_users')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_red_list_entries_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_red_list_entries'))
    )
    with op.batch_alter_table('red_list_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_red_list_entries_business_licence'), ['business_licence'], unique=False)
        batch_op.create_index(batch_op.f('ix_red_list_entries_business_name'), ['business_name'], unique=False)

    op.create_table('public_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('business_name', sa.String(length=200), nullable=False),
    sa.Column('business_licence', sa.String(length=40), nullable=True),
    sa.Column('violation', sa.Text(), nullable=False),
    sa.Column('decision_number', sa.String(length=60), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('fine_yuan', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('confiscation_yuan', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('drafted_by_id', sa.Integer(), nullable=False),
    sa.Column('drafted_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status != 'withdrawn' OR (withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL AND withdrawn_by_id IS NOT NULL)", name=op.f('ck_public_notices_withdrawn_has_reason')),
    sa.CheckConstraint("status = 'draft' OR (published_by_id IS NOT NULL AND published_at IS NOT NULL)", name=op.f('ck_public_notices_published_has_reviewer')),
    sa.CheckConstraint("status IN ('draft', 'published', 'withdrawn')", name=op.f('ck_public_notices_status_valid')),
    sa.CheckConstraint('fine_yuan >= 0 AND confiscation_yuan >= 0', name=op.f('ck_public_notices_amounts_not_negative')),
    sa.CheckConstraint('published_by_id IS NULL OR published_by_id != drafted_by_id', name=op.f('ck_public_notices_reviewer_not_author')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_public_notices_department_id_departments')),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['users.id'], name=op.f('fk_public_notices_drafted_by_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_public_notices_published_by_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_public_notices_report_id_reports')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_public_notices_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_notices'))
    )
    with op.batch_alter_table('public_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_notices_business_licence'), ['business_licence'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_notices_business_name'), ['business_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_notices_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_public_notices_status_decided_on', ['status', 'decided_on'], unique=False)

    op.create_table('supervised_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('open_report_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('interval_days', sa.Integer(), nullable=False),
    sa.Column('next_progress_due_on', sa.Date(), nullable=False),
    sa.Column('progress_overdue', sa.Boolean(), nullable=False),
    sa.Column('listed_by_id', sa.Integer(), nullable=False),
    sa.Column('listed_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("(open_report_id IS NULL) = (status = 'ended')", name=op.f('ck_supervised_cases_open_report_valid')),
    sa.CheckConstraint("status = 'active' OR ended_at IS NOT NULL", name=op.f('ck_supervised_cases_ended_has_time')),
    sa.CheckConstraint("status IN ('active', 'ended')", name=op.f('ck_supervised_cases_status_valid')),
    sa.CheckConstraint('interval_days > 0', name=op.f('ck_supervised_cases_interval_positive')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_supervised_cases_department_id_departments')),
    sa.ForeignKeyConstraint(['listed_by_id'], ['users.id'], name=op.f('fk_supervised_cases_listed_by_id_users')),
    sa.ForeignKeyConstraint(['open_report_id'], ['reports.id'], name=op.f('fk_supervised_cases_open_report_id_reports')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_supervised_cases_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervised_cases')),
    sa.UniqueConstraint('open_report_id', name=op.f('uq_supervised_cases_open_report_id'))
    )
    with op.batch_alter_table('supervised_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervised_cases_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervised_cases_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_supervised_cases_status_next_progress_due_on', ['status', 'next_progress_due_on'], unique=False)

    op.create_table('supervision_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supervised_case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_supervision_progress_author_id_users')),
    sa.ForeignKeyConstraint(['supervised_case_id'], ['supervised_cases.id'], name=op.f('fk_supervision_progress_supervised_case_id_supervised_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_progress'))
    )
    with op.batch_alter_table('supervision_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_progress_supervised_case_id'), ['supervised_case_id'], unique=False)

    # ix_report_deadlines_met_at (the on-time rate by period) already comes with migration 0018.
    with op.batch_alter_table('state_changes', schema=None) as batch_op:
        batch_op.create_index('ix_state_changes_to_state_local_date', ['to_state', 'local_date'], unique=False)



def downgrade():
    with op.batch_alter_table('state_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_state_changes_to_state_local_date')

    with op.batch_alter_table('supervision_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_progress_supervised_case_id'))

    op.drop_table('supervision_progress')
    with op.batch_alter_table('supervised_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_supervised_cases_status_next_progress_due_on')
        batch_op.drop_index(batch_op.f('ix_supervised_cases_report_id'))
        batch_op.drop_index(batch_op.f('ix_supervised_cases_department_id'))

    op.drop_table('supervised_cases')
    with op.batch_alter_table('public_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_public_notices_status_decided_on')
        batch_op.drop_index(batch_op.f('ix_public_notices_report_id'))
        batch_op.drop_index(batch_op.f('ix_public_notices_business_name'))
        batch_op.drop_index(batch_op.f('ix_public_notices_business_licence'))

    op.drop_table('public_notices')
    with op.batch_alter_table('red_list_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_red_list_entries_business_name'))
        batch_op.drop_index(batch_op.f('ix_red_list_entries_business_licence'))

    op.drop_table('red_list_entries')
    with op.batch_alter_table('department_steps', schema=None) as batch_op:
        batch_op.drop_index('ix_department_steps_department_year')

    op.drop_table('department_steps')
