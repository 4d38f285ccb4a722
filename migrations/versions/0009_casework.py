"""Casework: assignees, internal notes, search text.

search_text is backfilled with the same jieba segmentation submissions use; on PostgreSQL a
pg_trgm GIN index serves the queue's LIKE search (SQLite gets a plain index LIKE does not use).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BACKFILL_BATCH = 1000


def _backfill():
    from portal.casework.search import search_text_for

    bind = op.get_bind()
    reports = sa.table(
        "reports",
        sa.column("id", sa.Integer),
        sa.column("business_name", sa.String),
        sa.column("business_licence", sa.String),
        sa.column("description", sa.Text),
        sa.column("search_text", sa.Text),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(reports.c.id, reports.c.business_name, reports.c.business_licence, reports.c.description)
            .where(reports.c.id > last)
            .order_by(reports.c.id)
            .limit(BACKFILL_BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            text = search_text_for(row.business_name, row.business_licence, row.description)
            bind.execute(sa.update(reports).where(reports.c.id == row.id).values(search_text=text))
        last = rows[-1].id


def upgrade():
    op.create_table('notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(body) > 0', name=op.f('ck_notes_not_empty')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_notes_author_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_notes_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_report_id'), ['report_id'], unique=False)

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reports_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_reports_department_received', ['department_id', 'received_at', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reports_assignee_id_users'), 'users', ['assignee_id'], ['id'])

    _backfill()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # A GIN trigram index on PostgreSQL; SQLite ignores the options and makes a plain one.
    op.create_index(
        'ix_reports_search_text_trgm', 'reports', ['search_text'],
        postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'},
    )


def downgrade():
    op.drop_index('ix_reports_search_text_trgm', table_name='reports')
    if op.get_bind().dialect.name == "postgresql":
        # Back to 0008's schema exactly (nothing before 0009 uses pg_trgm).
        op.execute("DROP EXTENSION IF EXISTS pg_trgm")
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reports_assignee_id_users'), type_='foreignkey')
        batch_op.drop_index('ix_reports_department_received')
        batch_op.drop_index(batch_op.f('ix_reports_assignee_id'))
        batch_op.drop_column('search_text')
        batch_op.drop_column('assignee_id')

    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notes_report_id'))

    op.drop_table('notes')
