"""Statistics speed: the oversight dashboard at a million reports (issue 12).

- reports (department_id, received_at) WHERE state != 'closed': the backlog by age reads the open
  reports only, from the index (a few percent of the table; 150 ms → see BENCHMARKS.md notes).
- reports (next_due_on, department_id): the overdue count per department is a range of this
  index (next_due_on is the earliest running clock's due date, kept by 0014's trigger).
- stats_monthly: stats_daily summed by month, what the public statistics page reads (filled here
  from stats_daily; kept by the statistics refresh from then on).
- dashboard_period_figures: the figures of the current month, quarter and year that read a whole
  period of history (handling clocks met, median days to close), filled by the hourly sweep
  (portal/oversight/snapshot.py says why an aggregate and not live SQL).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

OPEN = sa.text("state != 'closed'")
COUNTS = "received, closed, decided, on_time, decision_days, rated, rating_sum"
MONTH = {"postgresql": "CAST(date_trunc('month', day) AS DATE)", "sqlite": "date(day, 'start of month')"}


def upgrade():
    op.create_table('stats_monthly',
    sa.Column('month', sa.Date(), nullable=False),
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
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_stats_monthly_category_id_categories')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_stats_monthly_region_id_regions')),
    sa.PrimaryKeyConstraint('month', 'kind', 'category_id', 'region_id', name=op.f('pk_stats_monthly'))
    )
    month = MONTH[op.get_bind().dialect.name]
    sums = ", ".join(f"sum({c})" for c in COUNTS.split(", "))
    op.execute(
        f"INSERT INTO stats_monthly (month, kind, category_id, region_id, {COUNTS}) "
        f"SELECT {month}, kind, category_id, region_id, {sums} FROM stats_daily "
        f"GROUP BY {month}, kind, category_id, region_id"
    )
    op.create_table('dashboard_period_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('clocks_ended', sa.Integer(), nullable=False),
    sa.Column('clocks_on_time', sa.Integer(), nullable=False),
    sa.Column('median_days', sa.Float(), nullable=True),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("period IN ('month', 'quarter', 'year')", name=op.f('ck_dashboard_period_figures_period_valid')),
    sa.CheckConstraint('clocks_on_time >= 0 AND clocks_on_time <= clocks_ended', name=op.f('ck_dashboard_period_figures_counts_valid')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_dashboard_period_figures_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_period_figures'))
    )
    with op.batch_alter_table('dashboard_period_figures', schema=None) as batch_op:
        batch_op.create_index('ix_dashboard_period_figures_period_start', ['period', 'starts_on'], unique=False)
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(
            'ix_reports_open_department_received', ['department_id', 'received_at'], unique=False,
            sqlite_where=OPEN, postgresql_where=OPEN,
        )
        batch_op.create_index('ix_reports_next_due_department', ['next_due_on', 'department_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_next_due_department')
        batch_op.drop_index('ix_reports_open_department_received')
    with op.batch_alter_table('dashboard_period_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_dashboard_period_figures_period_start')
    op.drop_table('dashboard_period_figures')
    op.drop_table('stats_monthly')
