"""Satisfaction ratings, statistics aggregates, published audit heads.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-23

Ratings and review tasks (portal/satisfaction); the statistics aggregate (portal/statistics).
Comments, reasons and outcome notes are EncryptedText (Fernet tokens in a TEXT column). The
published audit heads live in a file outside the database (AUDIT_HEADS_FILE), not here.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stats_decision_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('decisions', sa.Integer(), nullable=False),
    sa.CheckConstraint('working_days >= 0 AND decisions > 0', name=op.f('ck_stats_decision_days_bucket_valid')),
    sa.PrimaryKeyConstraint('day', 'kind', 'working_days', name=op.f('pk_stats_decision_days'))
    )
    op.create_table('stats_refresh',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('through', sa.DateTime(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_stats_refresh_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_refresh'))
    )
    op.create_table('stats_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('decided', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('decision_days', sa.Integer(), nullable=False),
    sa.Column('rated', sa.Integer(), nullable=False),
    sa.Column('rating_sum', sa.Integer(), nullable=False),
    sa.CheckConstraint('received >= 0 AND closed >= 0 AND decided >= 0 AND on_time >= 0 AND on_time <= decided AND decision_days >= 0 AND rated >= 0 AND rating_sum >= rated AND rating_sum <= 5 * rated', name=op.f('ck_stats_daily_counts_valid')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_stats_daily_category_id_categories')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_stats_daily_region_id_regions')),
    sa.PrimaryKeyConstraint('day', 'kind', 'category_id', 'region_id', name=op.f('pk_stats_daily'))
    )
    op.create_table('satisfaction_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_satisfaction_ratings_score_valid')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_satisfaction_ratings_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_ratings')),
    sa.UniqueConstraint('report_id', name=op.f('uq_satisfaction_ratings_report_id'))
    )
    with op.batch_alter_table('satisfaction_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_ratings_local_date'), ['local_date'], unique=False)

    op.create_table('review_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'closed') = (outcome IS NOT NULL AND closed_at IS NOT NULL AND closed_by_id IS NOT NULL)", name=op.f('ck_review_tasks_closed_has_outcome')),
    sa.CheckConstraint("outcome IN ('handling_confirmed', 'explained', 'corrected', 'further_action')", name=op.f('ck_review_tasks_outcome_valid')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_review_tasks_status_valid')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_review_tasks_closed_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_review_tasks_department_id_departments')),
    sa.ForeignKeyConstraint(['rating_id'], ['satisfaction_ratings.id'], name=op.f('fk_review_tasks_rating_id_satisfaction_ratings')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_review_tasks_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_tasks')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_review_tasks_rating_id'))
    )
    with op.batch_alter_table('review_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_review_tasks_department_status', ['department_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_tasks_report_id'), ['report_id'], unique=False)

    # The statistics refresh reads the decision clocks met since its last run (by met_at).
    with op.batch_alter_table('report_deadlines', schema=None) as batch_op:
        batch_op.create_index('ix_report_deadlines_met_at', ['met_at'], unique=False)


def downgrade():
    with op.batch_alter_table('report_deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_report_deadlines_met_at')
    with op.batch_alter_table('review_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_tasks_report_id'))
        batch_op.drop_index('ix_review_tasks_department_status')

    op.drop_table('review_tasks')
    with op.batch_alter_table('satisfaction_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_ratings_local_date'))

    op.drop_table('satisfaction_ratings')
    op.drop_table('stats_daily')
    op.drop_table('stats_refresh')
    op.drop_table('stats_decision_days')
