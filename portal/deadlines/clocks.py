"""Each report's clocks: started when it enters a state that starts one (from its state history),
met when it leaves the states the clock runs in. Called by the report operations."""

from datetime import timedelta

from sqlalchemy import select

from portal.audit.chain import record_event
from portal.clock import local_today, utcnow
from portal.deadlines.calendar import Calendar, Count
from portal.deadlines.models import RUNNING, ReportDeadline
from portal.deadlines.policies import policies_in_force, policy_in_force
from portal.extensions import db
from portal.reports.errors import ReportError

DUE_SOON_WORKING_DAYS = 2


def due_date(policy, starts_on, calendar, extended=False):
    """When a clock started on `starts_on` under `policy` falls due (and if provisionally)."""
    extra = policy.extension_days if extended else 0
    if policy.calendar_days is not None:
        return Count(starts_on + timedelta(days=policy.calendar_days + extra), False)
    return calendar.add_working_days(starts_on, policy.working_days + extra)


def status_on(deadline, today, calendar):
    """open, due_soon or overdue, for a running clock on `today`."""
    if today > deadline.due_on:
        return "overdue"
    if calendar.working_days_between(today, deadline.due_on) <= DUE_SOON_WORKING_DAYS:
        return "due_soon"
    return "open"


def running_deadlines(report):
    return db.session.scalars(
        select(ReportDeadline).where(
            ReportDeadline.report_id == report.id, ReportDeadline.status.in_(RUNNING)
        )
    ).all()


def start_clocks(report):
    """The clocks a report filed now starts, made in memory with it: nothing is written until
    the report is numbered and flushed with them, so counting the working days happens before
    the numbering lock is taken (portal/reports/operations.py::submit_report). No audit event of
    its own, as refresh_deadlines()."""
    _start_for_state(report, report.state_changes[-1], Calendar())


def refresh_deadlines(report):
    """Meet the clocks the report's new state stops and start those it starts (the day of its
    latest state change, under the policy in force that day).

    No audit event of its own: a clock started or met here follows from the audited state change
    and the versioned policy, so it can be recomputed; the sweep and extensions are audited."""
    db.session.flush()
    change = report.state_changes[-1]
    calendar, running = Calendar(), running_deadlines(report)
    for deadline in running:
        if report.state not in deadline.policy.runs:
            _end(deadline, "met", change.at)
    still_running = {d.policy_code for d in running if d.status in RUNNING}
    _start_for_state(report, change, calendar, running=still_running)


def _start_for_state(report, change, calendar, running=frozenset()):
    """Start the clocks the report's state starts, under the policies in force on the day of
    its state change: not one already running, and no real-name clock for an anonymous report.
    A policy that runs in no state (it only records when one was reached) is met as it starts."""
    for policy in policies_in_force(report.kind, change.local_date):
        starts = report.state in policy.starts and policy.code not in running
        if starts and not (policy.real_name_only and report.anonymous):
            _start(report, policy, change.local_date, calendar, met_at=None if policy.runs else change.at)


def open_clock(report, code):
    """Start a clock that an event rather than a state starts (a proposed return), today; the
    caller's operation audits the event."""
    today = local_today()
    policy = policy_in_force(code, today)
    if policy is None or policy.kind != report.kind:
        raise ReportError("unknown_policy", code)
    return _start(report, policy, today, Calendar())


def meet_clock(report, code):
    """Stop the running clock `code` of the report (the event it waited for happened)."""
    for deadline in running_deadlines(report):
        if deadline.policy_code == code:
            _end(deadline, "met", utcnow())


def _start(report, policy, starts_on, calendar, met_at=None):
    due = due_date(policy, starts_on, calendar)
    deadline = ReportDeadline(
        report=report,
        policy=policy,
        policy_code=policy.code,
        starts_on=starts_on,
        due_on=due.day,
        provisional=due.provisional,
        status="open",
    )
    if met_at is None:
        deadline.status = status_on(deadline, local_today(), calendar)
    else:
        deadline.status, deadline.met_at = "met", met_at
    db.session.add(deadline)
    return deadline


def _end(deadline, status, at):
    """Stop a clock (met or lapsed); an extension still asked for it has nothing left to extend."""
    from portal.deadlines.extensions import close_pending_extension  # it imports this module

    deadline.status, deadline.met_at = status, at
    close_pending_extension(deadline)


def _facts(deadline):
    return {
        "report_id": deadline.report_id,
        "policy": deadline.policy_code,
        "policy_id": deadline.policy_id,
        "starts_on": deadline.starts_on,
        "due_on": deadline.due_on,
        "provisional": deadline.provisional,
        "status": deadline.status,
    }


def extend_deadline(deadline, actor):
    """A lead's approved extension: once per clock, by what the clock's policy allows."""
    if deadline.status not in RUNNING:
        raise ReportError("deadline_not_running", deadline.policy_code)
    if deadline.extended or not deadline.policy.extension_days:
        raise ReportError("extension_not_allowed", deadline.policy_code)
    calendar = Calendar()
    due = due_date(deadline.policy, deadline.starts_on, calendar, extended=True)
    deadline.due_on, deadline.provisional, deadline.extended = due.day, due.provisional, True
    deadline.status = status_on(deadline, local_today(), calendar)
    record_event("deadline.extended", deadline, actor, _facts(deadline))
    return deadline
