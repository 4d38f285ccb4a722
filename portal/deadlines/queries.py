"""Deadline filters for report queries (the queue): they narrow a select(Report) that started
from scoped_reports(), by the report's running clocks."""

from sqlalchemy import select

from portal.clock import local_today
from portal.deadlines.calendar import Calendar
from portal.deadlines.clocks import DUE_SOON_WORKING_DAYS
from portal.deadlines.models import RUNNING, ReportDeadline
from portal.extensions import db
from portal.reports.models import Report


def due_filter(query, which, n=None):
    """Reports with a running clock due within n working days ("due_within"), or past due
    ("overdue"), counted from today; by date, so right even between two sweeps. Reads
    reports.next_due_on, the earliest due date of the running clocks (kept by the database)."""
    today = local_today()
    if which == "overdue":
        return query.where(Report.next_due_on < today)
    if which == "due_within":
        return query.where(Report.next_due_on <= Calendar().add_working_days(today, int(n)).day)
    raise ValueError(f"unknown deadline filter {which!r}")


def next_deadlines(report_ids):
    """{report id: its running clock that falls due first} for a page of the queue (one query)."""
    rows = db.session.scalars(
        select(ReportDeadline)
        .where(ReportDeadline.report_id.in_(list(report_ids)), ReportDeadline.status.in_(RUNNING))
        .order_by(ReportDeadline.due_on, ReportDeadline.id)
    )
    first = {}
    for deadline in rows:
        first.setdefault(deadline.report_id, deadline)
    return first


def badge(deadline, today=None, soon=None):
    """ "overdue", "due_soon" or None for a queue row; by date, so right between two sweeps.
    A page passes `today` and `soon` (badge_dates()) so the calendar is read once, not per row."""
    today = today or local_today()
    if deadline.due_on < today:
        return "overdue"
    soon = soon or Calendar().add_working_days(today, DUE_SOON_WORKING_DAYS).day
    if deadline.status == "due_soon" or deadline.due_on <= soon:
        return "due_soon"
    return None


def badge_dates():
    """(today, the last day that counts as due soon) for one page of badges."""
    today = local_today()
    return today, Calendar().add_working_days(today, DUE_SOON_WORKING_DAYS).day
