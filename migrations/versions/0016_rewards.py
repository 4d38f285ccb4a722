"""Reward policies, awards, shares and payouts.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    _create_policies()


def downgrade():
    op.drop_table('reward_policies')


def _create_policies():
    op.create_table('reward_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('level1_rate', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('level1_floor', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('level2_rate', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('level2_floor', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('level3_rate', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('level3_floor', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('case_cap', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('signoff_threshold', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('insider_max_multiplier', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.Column('major_threshold', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('claim_working_days', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('case_cap > 0', name=op.f('ck_reward_policies_case_cap_positive')),
    sa.CheckConstraint('claim_working_days > 0', name=op.f('ck_reward_policies_claim_window_positive')),
    sa.CheckConstraint('effective_to IS NULL OR effective_to >= effective_from', name=op.f('ck_reward_policies_period_valid')),
    sa.CheckConstraint('insider_max_multiplier >= 1', name=op.f('ck_reward_policies_insider_multiplier_valid')),
    sa.CheckConstraint('level1_floor >= 0', name=op.f('ck_reward_policies_level1_floor_not_negative')),
    sa.CheckConstraint('level1_rate >= 0 AND level1_rate <= 1', name=op.f('ck_reward_policies_level1_rate_valid')),
    sa.CheckConstraint('level2_floor >= 0', name=op.f('ck_reward_policies_level2_floor_not_negative')),
    sa.CheckConstraint('level2_rate >= 0 AND level2_rate <= 1', name=op.f('ck_reward_policies_level2_rate_valid')),
    sa.CheckConstraint('level3_floor >= 0', name=op.f('ck_reward_policies_level3_floor_not_negative')),
    sa.CheckConstraint('level3_rate >= 0 AND level3_rate <= 1', name=op.f('ck_reward_policies_level3_rate_valid')),
    sa.CheckConstraint('major_threshold >= 0', name=op.f('ck_reward_policies_major_threshold_not_negative')),
    sa.CheckConstraint('signoff_threshold > 0', name=op.f('ck_reward_policies_signoff_threshold_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_policies')),
    sa.UniqueConstraint('effective_from', name=op.f('uq_reward_policies_effective_from')),
    sa.UniqueConstraint('version', name=op.f('uq_reward_policies_version'))
    )
