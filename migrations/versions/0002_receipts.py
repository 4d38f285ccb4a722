"""Receipts: versioned receipt keys, session-bound submission tokens, content digest.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _current_receipt_key_id():
    """Reports made before this revision were hashed with the first RECEIPT_KEYS entry."""
    try:
        from flask import current_app

        from portal.security import receipt_keys

        return receipt_keys(current_app).current_id
    except (ImportError, RuntimeError, KeyError):
        return 'dev'


def upgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_key_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('submission_digest', sa.String(length=64), nullable=True))
    op.execute(
        sa.text('UPDATE reports SET receipt_key_id = :kid').bindparams(kid=_current_receipt_key_id())
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.alter_column('receipt_key_id', existing_type=sa.String(length=16), nullable=False)


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('submission_digest')
        batch_op.drop_column('receipt_key_id')
