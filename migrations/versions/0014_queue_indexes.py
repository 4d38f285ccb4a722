"""Indexes for the queue at a million reports; search_text rewritten as character bigrams.

- (department_id, state, received_at, id): the state filter reads its page in keyset order
  (replaces (department_id, state), of which it is an extension).
- business_licence: search by licence number and same-clue candidates.
- running clocks by due date (partial): the overdue and due-within filters start from the few
  running clocks instead of walking the department's newest reports.
- search_text is re-made by portal.casework.search (bigrams instead of jieba words; see there).
  The downgrade leaves it in that form: 0013's search still finds words of two characters in it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

BACKFILL_BATCH = 1000
RUNNING = "status IN ('open', 'due_soon', 'overdue')"


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
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_department_state')
        batch_op.create_index(
            'ix_reports_department_state_received', ['department_id', 'state', 'received_at', 'id'], unique=False
        )
        batch_op.create_index('ix_reports_business_licence', ['business_licence'], unique=False)

    with op.batch_alter_table('report_deadlines', schema=None) as batch_op:
        batch_op.create_index(
            'ix_report_deadlines_running_due_on', ['due_on', 'report_id'], unique=False,
            postgresql_where=sa.text(RUNNING), sqlite_where=sa.text(RUNNING),
        )
    _backfill()


def downgrade():
    with op.batch_alter_table('report_deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_report_deadlines_running_due_on')

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_business_licence')
        batch_op.drop_index('ix_reports_department_state_received')
        batch_op.create_index('ix_reports_department_state', ['department_id', 'state'], unique=False)
