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
    _create_awards()
    _create_payouts()
    _award_guard()


def downgrade():
    _drop_award_guard()
    op.drop_table('reward_reversals')
    op.drop_index(op.f('ix_reward_payouts_award_id'), table_name='reward_payouts')
    op.drop_table('reward_payouts')
    op.drop_table('reward_signoffs')
    op.drop_index(op.f('ix_reward_shares_award_id'), table_name='reward_shares')
    op.drop_table('reward_shares')
    op.drop_index(op.f('ix_reward_awards_report_id'), table_name='reward_awards')
    op.drop_table('reward_awards')
    op.drop_table('reward_policies')


def _postgres():
    return op.get_bind().dialect.name == "postgresql"


# An award's decision is frozen once it leaves `proposed` (a correction is a reversal row), and a
# decided award is never deleted; shares are never changed once made. Keep in step with
# portal/rewards/models.py DECISION_COLUMNS.
DECISION_COLUMNS = (
    "report_id", "policy_id", "policy_version", "level", "penalty_yuan", "already_awarded",
    "insider_multiplier", "rule_amount", "amount", "amount_reason", "justification", "answers",
    "proposer_id", "proposed_at", "approver_id", "decided_at", "notified_on", "claim_due_on",
)
FROZEN = "reward decisions are never edited: record a reversal"
APPEND_ONLY = ("reward_shares", "reward_payouts", "reward_reversals")


def _changed(same):
    # JSON has no equality operator on PostgreSQL: compare its text.
    columns = [f"NEW.{c}" if c != "answers" else "CAST(NEW.answers AS TEXT)" for c in DECISION_COLUMNS]
    olds = [f"OLD.{c}" if c != "answers" else "CAST(OLD.answers AS TEXT)" for c in DECISION_COLUMNS]
    return " OR ".join(f"{new} IS {same} {old}" for new, old in zip(columns, olds))


def _award_guard():
    if _postgres():
        op.execute(
            f"""
            CREATE FUNCTION reward_awards_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF OLD.status = 'proposed' THEN
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
              END IF;
              IF TG_OP = 'UPDATE' AND NOT ({_changed("DISTINCT FROM")}) THEN RETURN NEW; END IF;
              RAISE EXCEPTION '{FROZEN}';
            END $$;
            """
        )
        op.execute(
            "CREATE TRIGGER reward_awards_guard BEFORE UPDATE OR DELETE ON reward_awards "
            "FOR EACH ROW EXECUTE FUNCTION reward_awards_guard()"
        )
        op.execute(
            f"CREATE FUNCTION reward_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '% is append-only: {FROZEN}', TG_TABLE_NAME; END $$;"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION reward_append_only()"
            )
        return
    op.execute(
        "CREATE TRIGGER reward_awards_frozen BEFORE UPDATE ON reward_awards "
        f"WHEN OLD.status != 'proposed' AND ({_changed('NOT')}) "
        f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END"
    )
    op.execute(
        "CREATE TRIGGER reward_awards_kept BEFORE DELETE ON reward_awards WHEN OLD.status != 'proposed' "
        f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END"
    )
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {FROZEN}'); END"
            )


def _drop_award_guard():
    if _postgres():
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP TRIGGER IF EXISTS reward_awards_guard ON reward_awards")
        op.execute("DROP FUNCTION IF EXISTS reward_append_only()")
        op.execute("DROP FUNCTION IF EXISTS reward_awards_guard()")
        return
    names = ["reward_awards_frozen", "reward_awards_kept"]
    names += [f"{table}_no_{verb}" for table in APPEND_ONLY for verb in ("update", "delete")]
    for name in names:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _create_payouts():
    op.create_table('reward_payouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('share_id', sa.Integer(), nullable=False),
    sa.Column('share_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("method IN ('bank_transfer', 'cash')", name=op.f('ck_reward_payouts_method_valid')),
    sa.CheckConstraint('amount > 0 AND amount <= share_amount', name=op.f('ck_reward_payouts_amount_within_share')),
    sa.CheckConstraint('attempt >= 1', name=op.f('ck_reward_payouts_attempt_valid')),
    sa.ForeignKeyConstraint(['award_id'], ['reward_awards.id'], name=op.f('fk_reward_payouts_award_id_reward_awards')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_reward_payouts_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['share_id', 'share_amount'], ['reward_shares.id', 'reward_shares.amount'], name='fk_reward_payouts_share_amount'),
    sa.ForeignKeyConstraint(['share_id'], ['reward_shares.id'], name=op.f('fk_reward_payouts_share_id_reward_shares')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_payouts')),
    sa.UniqueConstraint('share_id', 'attempt', name='uq_reward_payouts_share_id_attempt')
    )
    with op.batch_alter_table('reward_payouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reward_payouts_award_id'), ['award_id'], unique=False)

    op.create_table('reward_reversals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payout_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_reward_reversals_amount_positive')),
    sa.ForeignKeyConstraint(['payout_id'], ['reward_payouts.id'], name=op.f('fk_reward_reversals_payout_id_reward_payouts')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_reward_reversals_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_reversals')),
    sa.UniqueConstraint('payout_id', name=op.f('uq_reward_reversals_payout_id'))
    )


def _create_awards():
    op.create_table('reward_awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('open_report_id', sa.Integer(), nullable=True),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('policy_version', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('penalty_yuan', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('already_awarded', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('insider_multiplier', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.Column('rule_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount_reason', sa.Text(), nullable=True),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('proposer_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('notified_on', sa.Date(), nullable=True),
    sa.Column('claim_due_on', sa.Date(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('claim_method', sa.String(length=10), nullable=True),
    sa.Column('payee_name', sa.Text(), nullable=True),
    sa.Column('bank_name', sa.Text(), nullable=True),
    sa.Column('bank_account', sa.Text(), nullable=True),
    sa.Column('lapsed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("(open_report_id IS NULL) = (status IN ('rejected', 'reversed'))", name=op.f('ck_reward_awards_open_report_valid')),
    sa.CheckConstraint("claim_method IN ('bank', 'in_person')", name=op.f('ck_reward_awards_claim_method_valid')),
    sa.CheckConstraint("status != 'lapsed' OR (lapsed_at IS NOT NULL AND claimed_at IS NULL)", name=op.f('ck_reward_awards_lapse_valid')),
    sa.CheckConstraint("status = 'proposed' OR approver_id IS NOT NULL", name=op.f('ck_reward_awards_decided_has_approver')),
    sa.CheckConstraint("status IN ('proposed', 'rejected') OR claim_due_on IS NOT NULL", name=op.f('ck_reward_awards_approved_has_claim_window')),
    sa.CheckConstraint("status IN ('proposed', 'rejected', 'approved', 'lapsed', 'reversed')", name=op.f('ck_reward_awards_status_valid')),
    sa.CheckConstraint('(claimed_at IS NULL) = (claim_method IS NULL)', name=op.f('ck_reward_awards_claim_has_method')),
    sa.CheckConstraint('amount = rule_amount OR amount_reason IS NOT NULL', name=op.f('ck_reward_awards_off_rule_has_reason')),
    sa.CheckConstraint('amount > 0 AND rule_amount >= 0 AND already_awarded >= 0', name=op.f('ck_reward_awards_amounts_valid')),
    sa.CheckConstraint('approver_id IS NULL OR approver_id != proposer_id', name=op.f('ck_reward_awards_approver_not_proposer')),
    sa.CheckConstraint('level IN (1, 2, 3)', name=op.f('ck_reward_awards_level_valid')),
    sa.CheckConstraint('penalty_yuan >= 0 AND insider_multiplier >= 1', name=op.f('ck_reward_awards_inputs_valid')),
    sa.ForeignKeyConstraint(['approver_id'], ['users.id'], name=op.f('fk_reward_awards_approver_id_users')),
    sa.ForeignKeyConstraint(['open_report_id'], ['reports.id'], name=op.f('fk_reward_awards_open_report_id_reports')),
    sa.ForeignKeyConstraint(['policy_id'], ['reward_policies.id'], name=op.f('fk_reward_awards_policy_id_reward_policies')),
    sa.ForeignKeyConstraint(['proposer_id'], ['users.id'], name=op.f('fk_reward_awards_proposer_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_reward_awards_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_awards')),
    sa.UniqueConstraint('open_report_id', name=op.f('uq_reward_awards_open_report_id'))
    )
    with op.batch_alter_table('reward_awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reward_awards_report_id'), ['report_id'], unique=False)

    op.create_table('reward_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_reward_shares_amount_not_negative')),
    sa.ForeignKeyConstraint(['award_id'], ['reward_awards.id'], name=op.f('fk_reward_shares_award_id_reward_awards')),
    sa.ForeignKeyConstraint(['reporter_id'], ['reporters.id'], name=op.f('fk_reward_shares_reporter_id_reporters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_shares')),
    sa.UniqueConstraint('award_id', 'reporter_id', name='uq_reward_shares_award_id_reporter_id'),
    sa.UniqueConstraint('id', 'amount', name='uq_reward_shares_id_amount')
    )
    with op.batch_alter_table('reward_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reward_shares_award_id'), ['award_id'], unique=False)

    op.create_table('reward_signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('large_award', 'insider_raise')", name=op.f('ck_reward_signoffs_kind_valid')),
    sa.ForeignKeyConstraint(['award_id'], ['reward_awards.id'], name=op.f('fk_reward_signoffs_award_id_reward_awards')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reward_signoffs_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_signoffs')),
    sa.UniqueConstraint('award_id', 'kind', name='uq_reward_signoffs_award_id_kind')
    )




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
