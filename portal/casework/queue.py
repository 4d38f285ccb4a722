"""The department queue: filters, search and keyset pagination by (received_at, id), or by
(due date, received_at, id) for the due-date order, all on top of scoped_reports() so no filter
can reach another department's reports."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import false, or_, select, tuple_
from sqlalchemy.orm import defer, joinedload

from portal.accounts.permissions import scoped_reports
from portal.casework.search import matches
from portal.deadlines.queries import due_filter
from portal.directory.models import Region
from portal.extensions import db
from portal.reports.models import DUE_ORDER, NO_DUE_DATE, Report
from portal.reports.receipts import normalise_number
from portal.reports.states import STATES, Kind
from portal.validators import normalise_code

PAGE_SIZE = 50
NEWEST, OLDEST, DUE = "newest", "oldest", "due"  # DUE: the soonest due first, none last


def default_order(due):
    """The order of a queue page when none is asked for: under a deadline filter the soonest due
    (the most overdue) first, which is what the filter is for; otherwise the newest first."""
    return DUE if due else NEWEST


@dataclass(frozen=True)
class QueueFilters:
    state: str | None = None
    kind: str | None = None
    category_id: int | None = None
    region_id: int | None = None  # a district includes its streets
    mine: bool = False
    unassigned: bool = False
    query: str | None = None
    sort: str = NEWEST
    due: str | None = None  # "overdue", or "within" (due within due_days working days)
    due_days: int = 3


@dataclass(frozen=True)
class QueuePage:
    reports: list
    next_cursor: str | None
    previous_cursor: str | None


def encode_cursor(report, sort=NEWEST):
    key = f"{report.received_at.isoformat()}_{report.id}"
    return f"{report.next_due_on or NO_DUE_DATE}~{key}" if sort == DUE else key


def decode_cursor(value, sort=NEWEST):
    """The key a cursor names, (received_at, id) or for the due-date order (due, received_at, id),
    or None for anything malformed or made for the other order (the first page then)."""
    try:
        due, tilde, rest = (value or "").rpartition("~")
        if bool(tilde) != (sort == DUE):
            return None
        moment, _, ident = rest.rpartition("_")
        key = (datetime.fromisoformat(moment), int(ident))
        return (date.fromisoformat(due), *key) if tilde else key
    except ValueError:
        return None


def _region_ids(region_id):
    """The region and everything below it (a district's streets)."""
    ids, frontier = {region_id}, [region_id]
    while frontier:
        frontier = db.session.scalars(select(Region.id).where(Region.parent_id.in_(frontier))).all()
        ids.update(frontier)
    return ids


def _search(query):
    """Report number, licence, or every term of the text (business name, licence, description).

    The business name is searched through search_text (it holds the name's tokens), not with a
    LIKE on the column: every branch of the OR then has an index (number, licence, trigram), so
    PostgreSQL can answer a rare word from the indexes instead of reading the department."""
    typed = query.strip()
    found = [Report.number == normalise_number(typed), Report.business_licence == normalise_code(typed)]
    words = matches(Report.search_text, typed)
    if words is not None:
        found.append(words)
    return or_(*found)


def filtered(user, filters):
    """The select of the user's reports that pass the filters (unordered)."""
    query = scoped_reports(user)
    if filters.state:
        query = query.where(Report.state == filters.state)
    if filters.kind:
        query = query.where(Report.kind == filters.kind)
        if filters.state and filters.state not in STATES[Kind(filters.kind)]:
            # A state the kind never takes (a complaint is never "verifying"): nothing to read,
            # where the query would have walked the department's reports in that state.
            query = query.where(false())
    if filters.category_id:
        query = query.where(Report.category_id == filters.category_id)
    if filters.region_id:
        query = query.where(Report.region_id.in_(_region_ids(filters.region_id)))
    if filters.mine:
        query = query.where(Report.assignee_id == user.id)
    if filters.unassigned:
        query = query.where(Report.assignee_id.is_(None))
    if filters.due == "overdue":
        query = due_filter(query, "overdue")
    elif filters.due == "within":
        query = due_filter(query, "due_within", filters.due_days)
    if filters.query and filters.query.strip():
        query = query.where(_search(filters.query))
    return query


def _due_page(query, descending):
    """The deadline filters' page: the matching (id, received_at) pairs come from
    ix_reports_department_next_due alone (index-only), are sorted, and only the page's rows are
    read. OFFSET 0 keeps PostgreSQL from "optimising" this into a walk of the department's
    newest reports, which at a million reports meets thousands of running, not yet overdue ones
    before the first overdue one (46 ms against 16 ms, EXPLAIN ANALYZE; see BENCHMARKS.md)."""
    matching = query.with_only_columns(Report.id, Report.received_at).offset(0).subquery()
    if descending:
        key = (matching.c.received_at.desc(), matching.c.id.desc())
        order = (Report.received_at.desc(), Report.id.desc())
    else:
        key = (matching.c.received_at, matching.c.id)
        order = (Report.received_at, Report.id)
    return _rows_of(select(matching.c.id).order_by(*key).limit(PAGE_SIZE + 1), order)


def _page_by_ids(query, order):
    """The page's ids first, then its rows. Asked for ids alone, PostgreSQL reads them from the
    filter's own index, in order and index-only; asked for whole rows joined to their assignee,
    it walked the newest reports of every department instead, which for a filter matching only
    old reports (state=closed, behind 47,292 open ones) read them all: 9.8 → 0.4 ms at 1M."""
    return _rows_of(query.with_only_columns(Report.id).order_by(*order).limit(PAGE_SIZE + 1), order)


def _rows_of(ids, order):
    """The reports of a page's ids (a LIMITed select), in the page's order."""
    return select(Report).where(Report.id.in_(ids)).order_by(*order)


def _order_columns(filters):
    """The columns of the page's order, ascending: received (and id), or for the due-date order
    the earliest running clock's due date first. Under a deadline filter every report has one,
    so the column itself is the key and ix_reports_department_next_due gives the page in order;
    otherwise reports without a running clock come last (DUE_ORDER, with an index of its own)."""
    received = (Report.received_at, Report.id)
    if filters.sort != DUE:
        return received
    due = Report.next_due_on if filters.due else DUE_ORDER
    return (due, *received)


def queue_page(user, filters, after=None, before=None):
    """One page of PAGE_SIZE rows after (or before) a cursor, with the cursors around it."""
    columns = _order_columns(filters)
    key = tuple_(*columns)
    ascending = filters.sort != NEWEST  # oldest first, or the soonest due first
    forward = decode_cursor(before, filters.sort) is None
    cursor = decode_cursor(after, filters.sort) if forward else decode_cursor(before, filters.sort)
    # Going back is going forward in the opposite order, then turning the page around.
    descending = (not ascending) if forward else ascending
    query = filtered(user, filters)
    if cursor is not None:
        query = query.where(key < tuple_(*cursor) if descending else key > tuple_(*cursor))
    order = tuple(c.desc() for c in columns) if descending else columns
    if filters.due and filters.sort != DUE:
        query = _due_page(query, descending)
    else:
        query = _page_by_ids(query, order)
    # The assignee comes with the row (joined), not by one lazy load per row; the page names
    # categories and areas from the filters' lists it loads anyway.
    # A page lists no report's text: its description and search tokens (the two long columns,
    # ~1 KB a row) stay in the database.
    lean = (joinedload(Report.assignee), defer(Report.description), defer(Report.search_text))
    rows = db.session.scalars(query.options(*lean)).unique().all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if not forward:
        rows.reverse()
    has_next = more if forward else True
    has_previous = (cursor is not None) if forward else more
    return QueuePage(
        reports=rows,
        next_cursor=encode_cursor(rows[-1], filters.sort) if rows and has_next else None,
        previous_cursor=encode_cursor(rows[0], filters.sort) if rows and has_previous else None,
    )
