"""Reference rows per process: categories, regions, departments, active routing rules, deadline
policies and calendar overrides, handed to a request's session without a query.

A submission used to read six of these rows (its category and region, the region's parent, the
routing rules, the deadline policies, the year's calendar), one statement each, on every request
(issue 7's profile). They change a few times a year. Each process keeps detached copies, loaded in
a session of their own, and `Session.merge(load=False)` puts a copy into the request's session as
if it had been loaded there, without SQL (SQLAlchemy's documented pattern for cached objects).

When the copies are stale:
- Another process changed the data: every change writes an audit event named in
  REFERENCE_ACTIONS, and the copies are reloaded when the newest such event differs (the same one
  indexed query per request as the form's lists, portal/directory/cache.py).
- This transaction changed the data (an administration screen, an import, a test): its own
  changes are not committed, so no event says so yet. Then the callers read the database, as
  before (`usable()` is false for the rest of the transaction).
"""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session, joinedload

from portal.deadlines.models import CalendarDay, DeadlinePolicy
from portal.directory.cache import reference_lists
from portal.directory.models import Category, Department, Region, RoutingRule
from portal.extensions import db

REFERENCE_MODELS = (Category, Department, Region, RoutingRule, DeadlinePolicy, CalendarDay)
_KEY = "portal.reference_rows"
_TOUCHED = "reference_rows_touched"


@dataclass
class Rows:
    version: object
    by_key: dict  # (model, id) → detached row (categories, regions, departments)
    by_code: dict  # (model, code) → the same rows
    parents: dict  # region id → parent id
    rules: tuple  # active routing rules, each with its department
    policies: tuple  # every deadline policy version
    calendar: dict = field(default_factory=dict)  # year → {source: {day: StoredDay}}, as read


def _load(version):
    with Session(db.engine) as private:
        by_key = {}
        for model in (Category, Department, Region):
            for row in private.scalars(select(model)):
                by_key[(model, row.id)] = row
        rules = private.scalars(
            select(RoutingRule).where(RoutingRule.active).options(joinedload(RoutingRule.department))
        ).all()
        policies = private.scalars(select(DeadlinePolicy).order_by(DeadlinePolicy.code)).all()
        parents = {key[1]: row.parent_id for key, row in by_key.items() if key[0] is Region}
        private.expunge_all()
    by_code = {(model, row.code): row for (model, _id), row in by_key.items()}
    return Rows(version, by_key, by_code, parents, tuple(rules), tuple(policies))


def _touched(session):
    if session.info.get(_TOUCHED):
        return True
    pending = (*session.new, *session.dirty, *session.deleted)
    return any(isinstance(row, REFERENCE_MODELS) for row in pending)


@event.listens_for(Session, "before_flush")
def _note_reference_changes(session, flush_context, instances):
    if _touched(session):
        session.info[_TOUCHED] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_reference_changes(session, transaction):
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_TOUCHED, None)


def usable():
    """The process's rows, or None when this transaction changed reference data itself."""
    session = db.session()
    if _touched(session):
        return None
    version = reference_lists().version
    rows = current_app.extensions.get(_KEY)
    if rows is None or rows.version != version:
        rows = _load(version)
        current_app.extensions[_KEY] = rows
    return rows


def attach(row):
    """The request's own instance of a cached row (no SQL)."""
    return db.session.merge(row, load=False) if row is not None else None


def get(model, pk):
    """db.session.get(model, pk) for categories, regions and departments, from the copies."""
    rows = usable()
    if rows is None:
        return db.session.get(model, pk)
    try:
        return attach(rows.by_key.get((model, int(pk))))
    except (TypeError, ValueError):
        return None


def get_by_code(model, code):
    """The row of a category, region or department with this code (None if there is none)."""
    rows = usable()
    if rows is None:
        return db.session.scalar(select(model).where(model.code == code))
    return attach(rows.by_code.get((model, code)))


def calendar_year(year):
    """{source: {day: StoredDay}} of a year's stored days (overrides, an imported schedule)."""
    rows = usable()
    if rows is not None and year in rows.calendar:
        return rows.calendar[year]
    by_source = {"override": {}, "import": {}}
    stored = select(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
    for row in db.session.scalars(stored):
        by_source[row.source][row.day] = StoredDay(row.working, row.note)
    if rows is not None:
        rows.calendar[year] = by_source
    return by_source


@dataclass(frozen=True)
class StoredDay:
    working: bool
    note: str
