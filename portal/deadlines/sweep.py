"""The hourly sweep: flag due-soon and overdue clocks, recount provisional ones once their year
is known, lapse what the policy lapses and unclaimed rewards, queue the leads' daily digests (once
a day), purge stale staged uploads and old session records, refresh the statistics aggregate and
the dashboard's period figures, and publish the audit chain's head once a day.
A second run changes nothing and records nothing."""

from dataclasses import dataclass, field

from sqlalchemy import select

from portal.audit.anchor import publish_head
from portal.audit.chain import SYSTEM, record_event
from portal.clock import local_today, utcnow
from portal.deadlines.calendar import Calendar
from portal.deadlines.clocks import _end, _facts, due_date, status_on
from portal.deadlines.models import RUNNING, ReportDeadline
from portal.evidence.storage import purge_stale_staging
from portal.extensions import db
from portal.notify.digests import queue_digests
from portal.oversight.snapshot import refresh_dashboard_figures
from portal.oversight.supervision import flag_overdue_progress
from portal.rewards.operations import lapse_unclaimed
from portal.sessions.operations import purge_old_sessions
from portal.statistics.refresh import refresh_statistics


@dataclass
class SweepResult:
    changed: dict = field(default_factory=dict)  # new status or "recounted" -> how many
    purged_uploads: int = 0
    purged_sessions: int = 0
    digests: int = 0  # leads' daily digests queued in the outbox (once per lead and day)
    stats_days: tuple | None = None  # (first, last) Beijing day the statistics recounted
    dashboard_rows: int = 0  # the dashboard's period figures written (portal/oversight/snapshot.py)
    head_published: dict | None = None  # the audit head appended to AUDIT_HEADS_FILE (once a day)


def sweep_deadlines(actor=SYSTEM):
    """Bring every running clock up to date; one audit event per clock that changed. The caller commits."""
    today, calendar, result = local_today(), Calendar(), SweepResult()
    running = db.session.scalars(
        select(ReportDeadline).where(ReportDeadline.status.in_(RUNNING)).order_by(ReportDeadline.id)
    )
    for deadline in running:
        for what in _update(deadline, today, calendar):
            result.changed[what] = result.changed.get(what, 0) + 1
            record_event(f"deadline.{what}", deadline, actor, _facts(deadline))
    late = flag_overdue_progress(today, actor)
    if late:
        result.changed["supervision_progress_overdue"] = late
    lapsed = lapse_unclaimed(actor, today)
    if lapsed:
        result.changed["reward_lapsed"] = lapsed
    result.digests = queue_digests(actor=actor)
    result.purged_uploads = purge_stale_staging()
    result.purged_sessions = purge_old_sessions()
    # The public statistics aggregate, incrementally (portal/statistics/refresh.py says why).
    result.stats_days = refresh_statistics()
    # The dashboard's month, quarter and year figures that read a whole period (snapshot.py).
    result.dashboard_rows = refresh_dashboard_figures(today)
    # The chain head published outside the database, once a day (portal/audit/anchor.py).
    result.head_published = publish_head(today)
    return result


def _update(deadline, today, calendar):
    """What changed on this clock: recounted (its year became known), a new status, lapsed."""
    changes = []
    if deadline.provisional:
        due = due_date(deadline.policy, deadline.starts_on, calendar, deadline.extended)
        if (due.day, due.provisional) != (deadline.due_on, deadline.provisional):
            deadline.due_on, deadline.provisional = due.day, due.provisional
            changes.append("recounted")
    status = status_on(deadline, today, calendar)
    if status == "overdue" and _lapses(deadline):
        _end(deadline, "lapsed", utcnow())
        return [*changes, "lapsed"]
    if status != deadline.status:
        deadline.status = status
        changes.append(status)
    return changes


def _lapses(deadline):
    """The hook for clocks whose expiry ends the matter; the 2022 rules have none."""
    return deadline.policy.lapses
