"""rewards corrections: award reversals, claims per share, withdrawn proposals.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def _rewards_0016():
    """Migration 0016, for its guard triggers: the downgrade puts back exactly what it made."""
    spec = importlib.util.spec_from_file_location("rewards_0016", Path(__file__).with_name("0016_rewards.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _postgres():
    return op.get_bind().dialect.name == "postgresql"


CLAIM_COLUMNS = ("claimed_at", "claim_method", "payee_name", "bank_name", "bank_account")
OLD_AWARD_CHECKS = {
    "status_valid": "status IN ('proposed', 'rejected', 'approved', 'lapsed', 'reversed')",
    "decided_has_approver": "status = 'proposed' OR approver_id IS NOT NULL",
    "approved_has_claim_window": "status IN ('proposed', 'rejected') OR claim_due_on IS NOT NULL",
    "lapse_valid": "status != 'lapsed' OR (lapsed_at IS NOT NULL AND claimed_at IS NULL)",
    "open_report_valid": "(open_report_id IS NULL) = (status IN ('rejected', 'reversed'))",
    "claim_method_valid": "claim_method IN ('bank', 'in_person')",
    "claim_has_method": "(claimed_at IS NULL) = (claim_method IS NULL)",
}
NEW_AWARD_CHECKS = {
    "status_valid": "status IN ('proposed', 'rejected', 'approved', 'lapsed', 'reversed', 'withdrawn')",
    "decided_has_approver": "status IN ('proposed', 'withdrawn') OR approver_id IS NOT NULL",
    "approved_has_claim_window": "status IN ('proposed', 'rejected', 'withdrawn') OR claim_due_on IS NOT NULL",
    "lapse_valid": "status != 'lapsed' OR lapsed_at IS NOT NULL",
    "open_report_valid": "(open_report_id IS NULL) = (status IN ('rejected', 'reversed', 'withdrawn'))",
    "reversed_has_reversal": "(status = 'reversed') = (reversal_id IS NOT NULL)",
    "withdrawn_valid": "(status = 'withdrawn') = (withdrawn_by_id IS NOT NULL AND withdrawn_at IS NOT NULL)",
    "corrects_other": "corrects_award_id IS NULL OR corrects_award_id != id",
}
SHARE_CHECKS = {
    "claim_method_valid": "claim_method IN ('bank', 'in_person')",
    "claim_has_method": "(claimed_at IS NULL) = (claim_method IS NULL)",
    "claimed_or_lapsed": "claimed_at IS NULL OR lapsed_at IS NULL",
    "bank_claim_has_account": (
        "claim_method IS NULL OR claim_method != 'bank' OR (bank_account IS NOT NULL AND payee_name IS NOT NULL)"
    ),
}


def upgrade():
    old = _rewards_0016()
    old._drop_award_guard()
    op.create_table('reward_award_reversals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('(confirmed_by_id IS NULL) = (confirmed_at IS NULL)', name=op.f('ck_reward_award_reversals_confirmation_valid')),
    sa.CheckConstraint('confirmed_by_id IS NULL OR confirmed_by_id != requested_by_id', name=op.f('ck_reward_award_reversals_two_people')),
    sa.ForeignKeyConstraint(['award_id'], ['reward_awards.id'], name=op.f('fk_reward_award_reversals_award_id_reward_awards')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_reward_award_reversals_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_reward_award_reversals_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_award_reversals')),
    sa.UniqueConstraint('award_id', name=op.f('uq_reward_award_reversals_award_id')),
    sa.UniqueConstraint('id', 'award_id', name='uq_reward_award_reversals_id_award_id')
    )
    with op.batch_alter_table('reward_shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claim_method', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('claim_recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('identity_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('payee_name', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('bank_name', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('bank_account', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('lapsed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_reward_shares_claim_recorded_by_id_users'), 'users', ['claim_recorded_by_id'], ['id'])
        for name, condition in SHARE_CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f'ck_reward_shares_{name}'), condition)
    _claims_to_shares()
    with op.batch_alter_table('reward_awards', schema=None) as batch_op:
        for name in OLD_AWARD_CHECKS:
            batch_op.drop_constraint(batch_op.f(f'ck_reward_awards_{name}'), type_='check')
        for column in CLAIM_COLUMNS:
            batch_op.drop_column(column)
        batch_op.add_column(sa.Column('corrects_award_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reversal_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reward_awards_corrects_award_id'), ['corrects_award_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reward_awards_corrects_award_id_reward_awards'), 'reward_awards', ['corrects_award_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_reward_awards_withdrawn_by_id_users'), 'users', ['withdrawn_by_id'], ['id'])
        batch_op.create_foreign_key('fk_reward_awards_reversal_of_award', 'reward_award_reversals', ['reversal_id', 'id'], ['id', 'award_id'])
        for name, condition in NEW_AWARD_CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f'ck_reward_awards_{name}'), condition)
    _guards()


def downgrade():
    old = _rewards_0016()
    _drop_guards()
    # Withdrawn proposals were never decided and 0019 has no status for them: they go (the audit
    # trail keeps them). Partial (per-share) lapses have no place either and are dropped.
    withdrawn = "SELECT id FROM reward_awards WHERE status = 'withdrawn'"
    op.execute(f"DELETE FROM reward_signoffs WHERE award_id IN ({withdrawn})")
    op.execute(f"DELETE FROM reward_awards WHERE id IN ({withdrawn})")
    with op.batch_alter_table('reward_awards', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reward_awards_reversal_of_award', type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_reward_awards_withdrawn_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_reward_awards_corrects_award_id_reward_awards'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reward_awards_corrects_award_id'))
        for name in NEW_AWARD_CHECKS:
            batch_op.drop_constraint(batch_op.f(f'ck_reward_awards_{name}'), type_='check')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('reversal_id')
        batch_op.drop_column('corrects_award_id')
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claim_method', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('payee_name', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('bank_name', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('bank_account', sa.Text(), nullable=True))
    _claims_to_awards()
    with op.batch_alter_table('reward_awards', schema=None) as batch_op:
        for name, condition in OLD_AWARD_CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f'ck_reward_awards_{name}'), condition)
    with op.batch_alter_table('reward_shares', schema=None) as batch_op:
        for name in SHARE_CHECKS:
            batch_op.drop_constraint(batch_op.f(f'ck_reward_shares_{name}'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_reward_shares_claim_recorded_by_id_users'), type_='foreignkey')
        for column in ('lapsed_at', 'bank_account', 'bank_name', 'payee_name', 'identity_note',
                       'claim_recorded_by_id', 'claim_method', 'claimed_at'):
            batch_op.drop_column(column)
    op.drop_table('reward_award_reversals')
    old._award_guard()


def _claims_to_shares():
    """The award's claim goes to its primary share; to a joint share too if the claim was in
    person (everyone came to the office) or that share was already paid (what happened is kept).
    Encrypted values are copied as they are (same key, same cipher). A lapsed award's shares lapse."""
    columns = ", ".join(f"{c} = (SELECT a.{c} FROM reward_awards a WHERE a.id = reward_shares.award_id)"
                        for c in CLAIM_COLUMNS)
    op.execute(
        f"UPDATE reward_shares SET {columns} WHERE EXISTS (SELECT 1 FROM reward_awards a"
        " WHERE a.id = reward_shares.award_id AND a.claimed_at IS NOT NULL AND (reward_shares.role = 'primary'"
        " OR a.claim_method = 'in_person' OR EXISTS (SELECT 1 FROM reward_payouts p"
        " WHERE p.share_id = reward_shares.id)))"
    )
    op.execute(
        "UPDATE reward_shares SET lapsed_at = (SELECT a.lapsed_at FROM reward_awards a"
        " WHERE a.id = reward_shares.award_id) WHERE EXISTS (SELECT 1 FROM reward_awards a"
        " WHERE a.id = reward_shares.award_id AND a.status = 'lapsed')"
    )


def _claims_to_awards():
    """Back to one claim per award: the primary share's (the first share of the award)."""
    first = ("SELECT MIN(s.id) FROM reward_shares s WHERE s.award_id = reward_awards.id"
             " AND s.claimed_at IS NOT NULL")
    columns = ", ".join(f"{c} = (SELECT s.{c} FROM reward_shares s WHERE s.id = ({first}))" for c in CLAIM_COLUMNS)
    op.execute(f"UPDATE reward_awards SET {columns} WHERE status != 'lapsed'")


# Keep in step with portal/rewards/models.py DECISION_COLUMNS and SHARE_COLUMNS.
DECISION_COLUMNS = (
    "report_id", "policy_id", "policy_version", "level", "penalty_yuan", "already_awarded",
    "insider_multiplier", "rule_amount", "amount", "amount_reason", "justification", "answers",
    "proposer_id", "proposed_at", "approver_id", "decided_at", "notified_on", "claim_due_on",
    "corrects_award_id",
)
SHARE_COLUMNS = ("id", "award_id", "reporter_id", "role", "amount")
REVERSAL_COLUMNS = ("id", "award_id", "reason", "requested_by_id", "requested_at")
FROZEN = "reward decisions are never edited: record a reversal"
# From a decided award only these moves: approved lapses or is reversed, lapsed is reversed.
MOVES = ("(OLD.status = NEW.status OR (OLD.status = 'approved' AND NEW.status IN ('lapsed', 'reversed'))"
         " OR (OLD.status = 'lapsed' AND NEW.status = 'reversed'))")
# A share's claim is filled once: while it is neither claimed nor lapsed.
SHARE_OPEN = "OLD.claimed_at IS NULL AND OLD.lapsed_at IS NULL"
# An award's reversal: only its confirmation is filled in, once.
REVERSAL_OPEN = "OLD.confirmed_at IS NULL"
NEW_GUARDS = (
    # (table, columns that never change, condition an update must meet, deletable when)
    ("reward_awards", DECISION_COLUMNS, f"OLD.status = 'proposed' OR {MOVES}", "OLD.status = 'proposed'"),
    ("reward_shares", SHARE_COLUMNS, SHARE_OPEN, None),
    ("reward_award_reversals", REVERSAL_COLUMNS, REVERSAL_OPEN, None),
)


def _changed(columns, same):
    # JSON has no equality operator on PostgreSQL: compare its text.
    def side(prefix, c):
        return f"CAST({prefix}.{c} AS TEXT)" if c == "answers" else f"{prefix}.{c}"

    return " OR ".join(f"{side('NEW', c)} IS {same} {side('OLD', c)}" for c in columns)


def _guards():
    """Awards: the decision frozen once decided (proposals stay free), only the moves above,
    decided ones never deleted. Shares: the decision never changes, the claim is filled once.
    Award reversals: only confirmed, once. Payouts and payout reversals stay append-only (0016)."""
    if _postgres():
        for table, columns, allowed, deletable in NEW_GUARDS:
            first = "IF OLD.status = 'proposed' THEN RETURN NEW; END IF;" if table == "reward_awards" else ""
            delete = f"IF {deletable} THEN RETURN OLD; END IF;" if deletable else ""
            op.execute(
                f"""
                CREATE FUNCTION {table}_guard() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP = 'DELETE' THEN {delete} RAISE EXCEPTION '{table}: {FROZEN}'; END IF;
                  {first}
                  IF ({allowed}) AND NOT ({_changed(columns, "DISTINCT FROM")}) THEN RETURN NEW; END IF;
                  RAISE EXCEPTION '{table}: {FROZEN}';
                END $$;
                """
            )
            op.execute(
                f"CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_guard()"
            )
        op.execute(
            f"CREATE FUNCTION reward_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '% is append-only: {FROZEN}', TG_TABLE_NAME; END $$;"
        )
        for table in ("reward_payouts", "reward_reversals"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION reward_append_only()"
            )
        return
    for table, columns, allowed, deletable in NEW_GUARDS:
        proposed = "OLD.status != 'proposed' AND " if table == "reward_awards" else ""
        op.execute(
            f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} "
            f"WHEN {proposed}(NOT ({allowed}) OR {_changed(columns, 'NOT')}) "
            f"BEGIN SELECT RAISE(ABORT, '{table}: {FROZEN}'); END"
        )
        kept = f"WHEN NOT ({deletable}) " if deletable else ""
        op.execute(
            f"CREATE TRIGGER {table}_kept BEFORE DELETE ON {table} {kept}"
            f"BEGIN SELECT RAISE(ABORT, '{table}: {FROZEN}'); END"
        )
    for table in ("reward_payouts", "reward_reversals"):
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {FROZEN}'); END"
            )


def _drop_guards():
    if _postgres():
        for table, *_ in NEW_GUARDS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_guard ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_guard()")
        for table in ("reward_payouts", "reward_reversals"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS reward_append_only()")
        return
    for table, *_ in NEW_GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_kept")
    for table in ("reward_payouts", "reward_reversals"):
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
