"""Deadline filters for report queries (the queue): they narrow a select(Report) that started
from scoped_reports(), by the report's running clocks."""

from sqlalchemy import exists

from portal.clock import local_today
from portal.deadlines.calendar import Calendar
from portal.deadlines.models import RUNNING, ReportDeadline
from portal.reports.models import Report


def due_filter(query, which, n=None):
    """Reports with a running clock due within n working days ("due_within"), or past due
    ("overdue"), counted from today; by date, so right even between two sweeps."""
    today = local_today()
    if which == "overdue":
        condition = ReportDeadline.due_on < today
    elif which == "due_within":
        condition = ReportDeadline.due_on <= Calendar().add_working_days(today, int(n)).day
    else:
        raise ValueError(f"unknown deadline filter {which!r}")
    return query.where(
        exists().where(ReportDeadline.report_id == Report.id, ReportDeadline.status.in_(RUNNING), condition)
    )
