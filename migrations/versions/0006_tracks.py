"""The complaint and tip-off tracks: states per kind, decision columns, state history.

Existing reports move to their kind's new states and keep their history: state_changes is
backfilled from the audit events (which are never changed). Where the old state said less than
the new one needs, the migration writes a marked placeholder ("migrated from <old state>",
case number MIGRATED-<id>) rather than inventing a decision:
- complaint investigating → mediating; substantiated / partly_substantiated → mediated (terms
  "migrated from …"); unsubstantiated → mediation_ended (ground other_legal); declined without a
  ground → ground other_legal.
- tip accepted → verifying; declined → not_opened (the decline reason moves); investigating →
  case_opened (case MIGRATED-<id>, dated the day it reached investigating); substantiated /
  partly_substantiated → case_opened as well (no decision data existed: the history row says
  "migrated from …"); unsubstantiated → no_penalty ("migrated from unsubstantiated").
- closed stays closed and gets the columns of the state it was closed from, as far as the history
  tells; closed itself has no check (the app only reaches it from a concluded state).
The downgrade maps back, to the exact old state where a marker says which it was.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""
from datetime import UTC
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Values as of this revision (not imported from the app, which moves on).
OLD_STATES = (
    'submitted', 'accepted', 'declined', 'returned', 'investigating', 'substantiated',
    'partly_substantiated', 'unsubstantiated', 'closed',
)
COMPLAINT_STATES = (
    'submitted', 'returned', 'accepted', 'mediating', 'mediated', 'mediation_ended', 'declined', 'closed',
)
TIP_STATES = (
    'submitted', 'returned', 'verifying', 'case_opened', 'not_opened', 'penalty_decided', 'no_penalty',
    'closed',
)
ALL_STATES = (
    'submitted', 'returned', 'closed', 'accepted', 'declined', 'mediating', 'mediated', 'mediation_ended',
    'verifying', 'case_opened', 'not_opened', 'penalty_decided', 'no_penalty',
)
DECLINE_GROUNDS = (
    'not_our_duty', 'before_court', 'not_personal_consumption', 'time_barred', 'materials_missing',
    'other_legal',
)
MEDIATION_END_GROUNDS = (
    'withdrawn_or_settled', 'no_testing_agreement', 'party_refused_or_absent',
    'party_declared_no_agreement', 'deadline_passed_45_days', 'decline_ground_found', 'other_legal',
)
GROUNDS = sorted(set(DECLINE_GROUNDS) | set(MEDIATION_END_GROUNDS))
REQUIRED_COLUMNS = {
    'returned': ('return_reason',),
    'declined': ('decline_ground', 'decline_reason'),
    'mediated': ('mediation_terms',),
    'mediation_ended': ('mediation_end_ground',),
    'case_opened': ('case_number', 'case_opened_on'),
    'not_opened': ('not_opened_reason',),
    'penalty_decided': (
        'case_number', 'case_opened_on', 'decision_number', 'decided_on', 'confiscation_yuan', 'fine_yuan',
        'referred_for_prosecution',
    ),
    'no_penalty': ('case_number', 'case_opened_on', 'no_penalty_reason'),
}
NEW_COLUMNS = (
    ('mediation_terms', sa.Text()),
    ('mediation_end_ground', sa.String(length=40)),
    ('mediation_end_reason', sa.Text()),
    ('case_number', sa.String(length=60)),
    ('case_opened_on', sa.Date()),
    ('not_opened_reason', sa.Text()),
    ('decision_number', sa.String(length=60)),
    ('decided_on', sa.Date()),
    ('confiscation_yuan', sa.Numeric(precision=14, scale=2)),
    ('fine_yuan', sa.Numeric(precision=14, scale=2)),
    ('referred_for_prosecution', sa.Boolean()),
    ('no_penalty_reason', sa.Text()),
)
STATE_MAP = {
    'complaint': {
        'accepted': 'accepted', 'investigating': 'mediating', 'substantiated': 'mediated',
        'partly_substantiated': 'mediated', 'unsubstantiated': 'mediation_ended',
    },
    'tip': {
        'accepted': 'verifying', 'declined': 'not_opened', 'investigating': 'case_opened',
        'substantiated': 'case_opened', 'partly_substantiated': 'case_opened',
        'unsubstantiated': 'no_penalty',
    },
}
# States whose old name said more than the new one: the history row keeps the old name.
LOSSY = {'substantiated', 'partly_substantiated', 'unsubstantiated'}
MARK = 'migrated from '
BEIJING = ZoneInfo('Asia/Shanghai')

REPORTS = sa.table(
    'reports', sa.column('id', sa.Integer), sa.column('kind', sa.String), sa.column('state', sa.String),
    sa.column('department_id', sa.Integer), sa.column('received_at', sa.DateTime),
    sa.column('updated_at', sa.DateTime), sa.column('decline_reason', sa.Text),
    sa.column('decline_ground', sa.String), *(sa.column(name, type_) for name, type_ in NEW_COLUMNS),
)
EVENTS = sa.table(
    'audit_events', sa.column('seq', sa.Integer), sa.column('created_at', sa.DateTime),
    sa.column('actor_kind', sa.String), sa.column('actor_id', sa.Integer),
    sa.column('actor_label', sa.String), sa.column('action', sa.String),
    sa.column('object_type', sa.String), sa.column('object_id', sa.Integer), sa.column('data', sa.JSON),
)
DEPARTMENTS = sa.table('departments', sa.column('id', sa.Integer), sa.column('code', sa.String))


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _new_checks():
    per_kind = (
        f"(kind = 'complaint' AND {_in('state', COMPLAINT_STATES)})"
        f" OR (kind = 'tip' AND {_in('state', TIP_STATES)})"
    )
    yield 'state_valid', per_kind
    for state, columns in REQUIRED_COLUMNS.items():
        yield f'{state}_has_details', f"state != '{state}' OR (" + ' AND '.join(
            f'{c} IS NOT NULL' for c in columns) + ')'
    yield 'mediation_end_ground_valid', _in('mediation_end_ground', MEDIATION_END_GROUNDS)
    yield 'amounts_not_negative', 'confiscation_yuan >= 0 AND fine_yuan >= 0'


OLD_CHECKS = (
    ('state_valid', _in('state', OLD_STATES)),
    ('declined_has_reason', "state != 'declined' OR decline_reason IS NOT NULL"),
    ('returned_has_reason', "state != 'returned' OR return_reason IS NOT NULL"),
)


def upgrade():
    op.create_table(
        'state_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('from_state', sa.String(length=30), nullable=True),
        sa.Column('to_state', sa.String(length=30), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('actor_kind', sa.String(length=20), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_label', sa.String(length=120), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('ground', sa.String(length=40), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(_in('to_state', ALL_STATES), name=op.f('ck_state_changes_to_state_valid')),
        sa.CheckConstraint(_in('from_state', ALL_STATES), name=op.f('ck_state_changes_from_state_valid')),
        sa.CheckConstraint(_in('ground', GROUNDS), name=op.f('ck_state_changes_ground_valid')),
        sa.ForeignKeyConstraint(
            ['department_id'], ['departments.id'], name=op.f('fk_state_changes_department_id_departments')
        ),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_state_changes_report_id_reports')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_state_changes')),
    )
    with op.batch_alter_table('state_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_state_changes_local_date'), ['local_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_state_changes_report_id'), ['report_id'], unique=False)
    with op.batch_alter_table('reports', schema=None) as batch_op:
        for name, _sql in OLD_CHECKS:
            batch_op.drop_constraint(op.f(f'ck_reports_{name}'), type_='check')
        for name, type_ in NEW_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    _move_rows_up(op.get_bind())
    with op.batch_alter_table('reports', schema=None) as batch_op:
        for name, sql in _new_checks():
            batch_op.create_check_constraint(op.f(f'ck_reports_{name}'), sql)


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        for name, _sql in _new_checks():
            batch_op.drop_constraint(op.f(f'ck_reports_{name}'), type_='check')
    _move_rows_down(op.get_bind())
    with op.batch_alter_table('reports', schema=None) as batch_op:
        for name, _type in reversed(NEW_COLUMNS):
            batch_op.drop_column(name)
        for name, sql in OLD_CHECKS:
            batch_op.create_check_constraint(op.f(f'ck_reports_{name}'), sql)
    with op.batch_alter_table('state_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_state_changes_report_id'))
        batch_op.drop_index(batch_op.f('ix_state_changes_local_date'))
    op.drop_table('state_changes')


# ---- up: new states, decision placeholders, history from the audit log ---------------------


def _new_state(kind, old):
    return STATE_MAP[kind].get(old, old) if old else None


def _local_date(moment):
    return moment.replace(tzinfo=UTC).astimezone(BEIJING).date()


def _events_by_report(conn):
    rows = conn.execute(
        sa.select(EVENTS).where(EVENTS.c.object_type == 'reports').order_by(EVENTS.c.seq)
    ).mappings()
    found = {}
    for row in rows:
        found.setdefault(row['object_id'], []).append(row)
    return found


def _history(report, events, departments):
    """One history row per state-changing audit event, in the new states ('old' kept aside)."""
    kind, rows, current = report['kind'], [], None
    for ev in events:
        action, data = ev['action'], ev['data'] or {}
        if action == 'report.submitted':
            old_from, old_to = None, 'submitted'
        elif action == 'report.rerouted':
            old_from, old_to = 'returned', 'submitted'
        elif action.startswith('report.') and action[7:] in OLD_STATES:
            old_from, old_to = data.get('from') or current, action[7:]
        else:
            continue
        rows.append(_change_row(report, ev, kind, old_from, old_to, data, departments))
        current = old_to
    if not rows:  # no audit trail to read: say so rather than invent one
        rows = _synthetic_history(report)
    return rows


def _change_row(report, ev, kind, old_from, old_to, data, departments):
    reason, ground = data.get('reason'), data.get('ground')
    if old_to in LOSSY:
        reason = f'{MARK}{old_to}' + (f': {reason}' if reason else '')
    if kind == 'tip' or old_to != 'declined':
        ground = None  # only a declined complaint had a legal ground
    if kind == 'complaint' and old_to == 'declined':
        ground = ground or 'other_legal'
    if kind == 'complaint' and old_to == 'unsubstantiated':
        ground = 'other_legal'
    return {
        'report_id': report['id'], 'from_state': _new_state(kind, old_from),
        'to_state': _new_state(kind, old_to), 'at': ev['created_at'], 'local_date': _local_date(ev['created_at']),
        'actor_kind': ev['actor_kind'], 'actor_id': ev['actor_id'], 'actor_label': ev['actor_label'],
        'reason': reason, 'ground': ground, 'department_id': departments.get(data.get('department')),
        'old': old_to,
    }


def _synthetic_history(report):
    base = {
        'report_id': report['id'], 'actor_kind': 'system', 'actor_id': None, 'actor_label': 'migration 0006',
        'ground': None, 'department_id': None,
    }
    rows = [base | {
        'from_state': None, 'to_state': 'submitted', 'at': report['received_at'],
        'local_date': _local_date(report['received_at']), 'reason': None, 'old': 'submitted',
    }]
    if report['state'] != 'submitted':
        rows.append(base | {
            'from_state': 'submitted', 'to_state': _new_state(report['kind'], report['state']),
            'at': report['updated_at'], 'local_date': _local_date(report['updated_at']),
            'reason': f"{MARK}{report['state']}: no audit events found", 'old': report['state'],
        })
    return rows


def _case_opened_on(report, history):
    """The day the tip-off reached investigation (its case, in the new terms), else its last change."""
    for row in history:
        if row['old'] in ('investigating', 'substantiated', 'partly_substantiated', 'unsubstantiated'):
            return row['local_date']
    return _local_date(report['updated_at'])


def _concluded_from(report, history):
    """The old state a report's columns describe: its own, or for a closed one the state before."""
    if report['state'] != 'closed':
        return report['state']
    before = [row['old'] for row in history if row['old'] not in ('closed', None)]
    return before[-1] if before else None


def _columns_up(report, history):
    kind, old = report['kind'], _concluded_from(report, history)
    values = {'state': _new_state(kind, report['state'])}
    if kind == 'complaint':
        if old == 'declined':
            values['decline_ground'] = report['decline_ground'] or 'other_legal'
        elif old in ('substantiated', 'partly_substantiated'):
            values['mediation_terms'] = f'{MARK}{old}'
        elif old == 'unsubstantiated':
            values |= {'mediation_end_ground': 'other_legal', 'mediation_end_reason': f'{MARK}{old}'}
        return values
    if old == 'declined':
        reason = report['decline_reason'] or f'{MARK}declined'
        values |= {'not_opened_reason': reason, 'decline_reason': None, 'decline_ground': None}
    elif old in ('investigating', 'substantiated', 'partly_substantiated', 'unsubstantiated'):
        values |= {'case_number': f"MIGRATED-{report['id']}", 'case_opened_on': _case_opened_on(report, history)}
        if old == 'unsubstantiated':
            values['no_penalty_reason'] = f'{MARK}{old}'
    return values


def _move_rows_up(conn):
    events = _events_by_report(conn)
    departments = dict(conn.execute(sa.select(DEPARTMENTS.c.code, DEPARTMENTS.c.id)).all())
    changes = sa.table('state_changes', *(sa.column(c) for c in (
        'report_id', 'from_state', 'to_state', 'at', 'local_date', 'actor_kind', 'actor_id', 'actor_label',
        'reason', 'ground', 'department_id')))
    for report in conn.execute(sa.select(REPORTS).order_by(REPORTS.c.id)).mappings().all():
        history = _history(report, events.get(report['id'], []), departments)
        conn.execute(sa.insert(changes), [{k: v for k, v in row.items() if k != 'old'} for row in history])
        conn.execute(sa.update(REPORTS).where(REPORTS.c.id == report['id']).values(_columns_up(report, history)))


# ---- down: the nearest old state ----------------------------------------------------------

DOWN_MAP = {
    'complaint': {'mediating': 'investigating', 'mediated': 'substantiated', 'mediation_ended': 'unsubstantiated'},
    'tip': {
        'verifying': 'accepted', 'case_opened': 'investigating', 'not_opened': 'declined',
        'penalty_decided': 'substantiated', 'no_penalty': 'unsubstantiated',
    },
}


def _marked_state(*texts):
    """The old state a migration marker names, if any of these texts carries one."""
    for text in texts:
        if text and text.startswith(MARK):
            old = text[len(MARK):].split(':')[0]
            if old in OLD_STATES:
                return old
    return None


def _last_reasons(conn):
    changes = sa.table('state_changes', sa.column('id'), sa.column('report_id'), sa.column('reason'))
    rows = conn.execute(sa.select(changes.c.report_id, changes.c.reason).order_by(changes.c.id)).all()
    return {report_id: reason for report_id, reason in rows}  # the last one wins


def _old_state(report, last_reason):
    state = report['state']
    old = DOWN_MAP[report['kind']].get(state, state)
    if state in ('mediated', 'case_opened'):
        old = _marked_state(report['mediation_terms'], last_reason) or old
    return old


def _move_rows_down(conn):
    last_reasons = _last_reasons(conn)
    for report in conn.execute(sa.select(REPORTS)).mappings().all():
        values = {'state': _old_state(report, last_reasons.get(report['id']))}
        if report['kind'] == 'tip' and report['not_opened_reason']:
            values['decline_reason'] = report['not_opened_reason']  # where the old schema kept it
        conn.execute(sa.update(REPORTS).where(REPORTS.c.id == report['id']).values(values))
