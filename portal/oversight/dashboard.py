"""The department dashboard's figures (issue 12, item 5): backlog by age, overdue, on-time rate,
median handling days, rewards — per department and for the city, by month, quarter or year.

Each figure is one GROUP BY. The backlog and the overdue count are live: they read only the open
reports, from partial and covering indexes (migration 0021). Rewards are live too (a few hundred
a year). The on-time rate and the median days to close read a whole period of history: at a
million reports they took 0.6 s and 2.3 s for a year, so the hourly sweep stores them per period
(snapshot.py) and city_figures reads them from there when they are of the current period."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import case, func, literal_column, select

from portal.clock import LOCAL_TZ
from portal.deadlines.models import ReportDeadline
from portal.directory.models import Department
from portal.extensions import db
from portal.reports.history import StateChange
from portal.reports.models import Report
from portal.reports.states import State
from portal.rewards.models import AwardStatus, RewardAward, RewardPayout

PERIODS = ("month", "quarter", "year")
AGE_BUCKETS = ((0, 7), (8, 15), (16, 30), (31, 60), (61, None))  # days since received
# The clocks of handling (not the notices that are met the day they start).
HANDLING_CLOCKS = ("complaint.accept", "complaint.mediation", "tip.case_decision", "tip.case_conclusion")
APPROVED = (AwardStatus.APPROVED, AwardStatus.LAPSED, AwardStatus.REVERSED)  # approved at some point


def period_bounds(kind, today):
    """The first and last day of the month, quarter or year holding `today`."""
    if kind == "month":
        start = today.replace(day=1)
        months = 1
    elif kind == "quarter":
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        months = 3
    else:
        return date(today.year, 1, 1), date(today.year, 12, 31)
    month = start.month - 1 + months
    after = date(start.year + month // 12, month % 12 + 1, 1)
    return start, after - timedelta(days=1)


def utc_start(day):
    """Naive UTC of 00:00 Beijing time on `day` (stored times are naive UTC)."""
    from datetime import UTC

    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


@dataclass
class Figures:
    backlog: list = field(default_factory=lambda: [0] * len(AGE_BUCKETS))
    overdue: int = 0
    clocks_ended: int = 0
    clocks_on_time: int = 0
    median_days: float | None = None
    rewards: dict = field(default_factory=dict)
    computed_at: datetime | None = None  # the city's row: when the sweep computed the period figures

    @property
    def on_time_rate(self):
        return None if not self.clocks_ended else self.clocks_on_time / self.clocks_ended


def backlog_by_age(today):
    """{department id: [open reports per age bucket]} — every report not yet closed."""
    bucket = case(
        *[
            (Report.received_at >= utc_start(today - timedelta(days=high)), n)
            for n, (_, high) in enumerate(AGE_BUCKETS)
            if high is not None
        ],
        else_=len(AGE_BUCKETS) - 1,
    )
    # `!= closed` (not an IN list of the other states): the partial index's own predicate.
    query = (
        select(Report.department_id, bucket, func.count())
        .where(Report.state != State.CLOSED.value)
        .group_by(Report.department_id, bucket)
    )
    found = {}
    for department_id, n, count in db.session.execute(query):
        found.setdefault(department_id, [0] * len(AGE_BUCKETS))[n] += count
    return found


def overdue_by_department(today):
    """{department id: reports with a running clock past its due date} (by date, as the queue's
    overdue filter: next_due_on is the earliest running clock's due date, kept by a trigger)."""
    query = (
        select(Report.department_id, func.count())
        .where(Report.next_due_on < today)
        .group_by(Report.department_id)
    )
    return dict(db.session.execute(query).all())


def _end_of_due_day():
    """The naive UTC moment a clock's due day ends in Beijing (24:00 local = 16:00 UTC)."""
    if db.engine.dialect.name == "postgresql":
        return ReportDeadline.due_on + literal_column("interval '16 hours'")
    return func.datetime(ReportDeadline.due_on, "+16 hours")


def on_time_by_department(start, end):
    """{department id: (handling clocks met in the period, of them met by their due day)}."""
    on_time = func.sum(case((ReportDeadline.met_at < _end_of_due_day(), 1), else_=0))
    query = (
        select(Report.department_id, func.count(), on_time)
        .join(Report, Report.id == ReportDeadline.report_id)
        .where(
            ReportDeadline.met_at >= utc_start(start),
            ReportDeadline.met_at < utc_start(end + timedelta(days=1)),
            ReportDeadline.policy_code.in_(HANDLING_CLOCKS),
        )
        .group_by(Report.department_id)
    )
    return {d: (n, int(ok or 0)) for d, n, ok in db.session.execute(query)}


def median_handling_days(start, end):
    """{department id: median days from receipt to closing, of the reports closed in the period},
    and the city's median under key None. PostgreSQL computes it (percentile_cont); SQLite, used
    only by tests and laptops, gets the durations and Python takes the median."""
    closed = (StateChange.to_state == State.CLOSED, StateChange.local_date.between(start, end))
    if db.engine.dialect.name == "postgresql":
        days = func.extract("epoch", StateChange.at - Report.received_at) / 86400
        median = func.percentile_cont(0.5).within_group(days)

        def closings(*columns):
            return (
                select(*columns)
                .select_from(StateChange)
                .join(Report, Report.id == StateChange.report_id)
                .where(*closed)
            )

        per = closings(Report.department_id, median).group_by(Report.department_id)
        found = {d: float(m) for d, m in db.session.execute(per)}
        city = db.session.scalar(closings(median))
        found[None] = float(city) if city is not None else None
        return found
    days = func.julianday(StateChange.at) - func.julianday(Report.received_at)
    rows = db.session.execute(
        select(Report.department_id, days).join(Report, Report.id == StateChange.report_id).where(*closed)
    ).all()
    per = {}
    for department_id, value in rows:
        per.setdefault(department_id, []).append(value)
    found = {d: statistics.median(v) for d, v in per.items()}
    found[None] = statistics.median([v for _, v in rows]) if rows else None
    return found


def reward_figures(start, end):
    """{department id: {proposed, approved, paid: (count, amount)}} of the period, read from the
    rewards tables (awards proposed / approved, payouts paid in it)."""
    zero = {"proposed": (0, Decimal("0.00")), "approved": (0, Decimal("0.00")), "paid": (0, Decimal("0.00"))}
    begin, stop = utc_start(start), utc_start(end + timedelta(days=1))
    queries = {
        "proposed": select(Report.department_id, func.count(), func.sum(RewardAward.amount))
        .join(Report, Report.id == RewardAward.report_id)
        .where(RewardAward.proposed_at >= begin, RewardAward.proposed_at < stop),
        "approved": select(Report.department_id, func.count(), func.sum(RewardAward.amount))
        .join(Report, Report.id == RewardAward.report_id)
        .where(
            RewardAward.decided_at >= begin, RewardAward.decided_at < stop, RewardAward.status.in_(APPROVED)
        ),
        "paid": select(Report.department_id, func.count(), func.sum(RewardPayout.amount))
        .join(RewardAward, RewardAward.id == RewardPayout.award_id)
        .join(Report, Report.id == RewardAward.report_id)
        .where(RewardPayout.paid_on.between(start, end)),
    }
    found = {}
    for what, query in queries.items():
        for department_id, count, amount in db.session.execute(query.group_by(Report.department_id)):
            found.setdefault(department_id, dict(zero))[what] = (
                count,
                Decimal(amount or 0).quantize(Decimal("0.01")),
            )
    return found, zero


def period_figures(period, start, end):
    """(on-time counts, medians, computed at) of the period: the sweep's stored ones if they are
    of this period (snapshot.py), else computed now (computed at: None)."""
    from portal.oversight.snapshot import stored_figures

    stored = stored_figures(period, start) if period else None
    if stored is not None:
        return stored
    return on_time_by_department(start, end), median_handling_days(start, end), None


def city_figures(today, start, end, period=None):
    """Every active department's Figures, and the city's (sums; rates and median over all). With
    `period`, the period figures come from the sweep's rows when it has computed them."""
    backlog, overdue = backlog_by_age(today), overdue_by_department(today)
    on_time, medians, computed_at = period_figures(period, start, end)
    rewards, zero = reward_figures(start, end)
    departments = db.session.scalars(
        select(Department).where(Department.active).order_by(Department.id)
    ).all()
    rows = {}
    for department in departments:
        ended, ok = on_time.get(department.id, (0, 0))
        rows[department.id] = Figures(
            backlog=backlog.get(department.id, [0] * len(AGE_BUCKETS)),
            overdue=overdue.get(department.id, 0),
            clocks_ended=ended,
            clocks_on_time=ok,
            median_days=medians.get(department.id),
            rewards=rewards.get(department.id, dict(zero)),
        )
    city = Figures(
        backlog=[sum(f.backlog[n] for f in rows.values()) for n in range(len(AGE_BUCKETS))],
        overdue=sum(f.overdue for f in rows.values()),
        clocks_ended=sum(f.clocks_ended for f in rows.values()),
        clocks_on_time=sum(f.clocks_on_time for f in rows.values()),
        median_days=medians.get(None),
        rewards={
            k: (sum(f.rewards[k][0] for f in rows.values()), sum(f.rewards[k][1] for f in rows.values()))
            for k in zero
        },
        computed_at=computed_at,
    )
    return departments, rows, city
