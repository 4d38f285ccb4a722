"""Indexes for the queue at a million reports; search_text rewritten as character bigrams.

- (department_id, state, received_at, id): the state filter reads its page in keyset order
  (replaces (department_id, state), of which it is an extension).
- business_licence: search by licence number and same-clue candidates.
- reports.next_due_on: the earliest due date of the report's running clocks (NULL: none runs),
  kept by a trigger on report_deadlines (both databases), with the index (department_id,
  next_due_on, received_at, id): the overdue and due-within filters read their page's ids from
  that index alone instead of walking the department's newest reports and probing each one's
  clocks (200 ms at a million reports). See portal/deadlines/models.py for why a trigger.
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
NEXT_DUE = (
    "(SELECT min(due_on) FROM report_deadlines WHERE report_id = {rid} AND " + RUNNING + ")"
)
SQLITE_EVENTS = {"insert": ("INSERT", "NEW"), "update": ("UPDATE OF due_on, status", "NEW"), "delete": ("DELETE", "OLD")}


def _create_trigger():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION reports_next_due_on() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "DECLARE rid integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.report_id ELSE NEW.report_id END; "
            "BEGIN UPDATE reports SET next_due_on = " + NEXT_DUE.format(rid="rid")
            + " WHERE id = rid AND next_due_on IS DISTINCT FROM " + NEXT_DUE.format(rid="rid")
            + "; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER report_deadlines_next_due_on AFTER INSERT OR UPDATE OF due_on, status OR DELETE "
            "ON report_deadlines FOR EACH ROW EXECUTE FUNCTION reports_next_due_on()"
        )
        return
    for name, (event, row) in SQLITE_EVENTS.items():
        value = NEXT_DUE.format(rid=f"{row}.report_id")
        op.execute(
            f"CREATE TRIGGER report_deadlines_next_due_on_{name} AFTER {event} ON report_deadlines "
            f"BEGIN UPDATE reports SET next_due_on = {value} WHERE id = {row}.report_id; END"
        )


def _drop_trigger():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER report_deadlines_next_due_on ON report_deadlines")
        op.execute("DROP FUNCTION reports_next_due_on()")
        return
    for name in SQLITE_EVENTS:
        op.execute(f"DROP TRIGGER report_deadlines_next_due_on_{name}")


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
        batch_op.add_column(sa.Column('next_due_on', sa.Date(), nullable=True))
        batch_op.drop_index('ix_reports_department_state')
        batch_op.create_index(
            'ix_reports_department_state_received', ['department_id', 'state', 'received_at', 'id'], unique=False
        )
        batch_op.create_index('ix_reports_business_licence', ['business_licence'], unique=False)
        batch_op.create_index(
            'ix_reports_department_next_due', ['department_id', 'next_due_on', 'received_at', 'id'], unique=False
        )
    op.execute("UPDATE reports SET next_due_on = " + NEXT_DUE.format(rid="reports.id"))
    _create_trigger()
    _backfill()


def downgrade():
    _drop_trigger()
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_department_next_due')
        batch_op.drop_index('ix_reports_business_licence')
        batch_op.drop_index('ix_reports_department_state_received')
        batch_op.create_index('ix_reports_department_state', ['department_id', 'state'], unique=False)
        batch_op.drop_column('next_due_on')
