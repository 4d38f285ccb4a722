"""Refresh the statistics aggregate (stats_daily, stats_monthly, stats_decision_days) from the
source rows.

Why an aggregate table: the public page must answer in p95 <= 150 ms at 1,000,000 reports
(issue 12). Grouping a million reports (and their state history and clocks) by month, category,
district and Beijing day on every request takes seconds on PostgreSQL; the aggregate holds at most
days × kinds × categories × districts rows (a few hundred thousand over ten years, usually far
fewer), summed again by month (stats_monthly, 1,728 rows at 1M) for the page to read in
milliseconds. Medians come from the histogram of working days per day and kind, so no
per-report row is read either.

Incremental: stats_refresh.through remembers the moment up to which rows were aggregated. A
refresh recounts whole Beijing days from the day of that moment up to today (deleting and
re-inserting those days' rows), so it is idempotent and every event that happens "now" (a report
received, a clock met, a state change, a rating) is counted on its day. The hourly deadline sweep
calls it; `flask stats refresh` does too, and `--full` rebuilds everything (needed only after
rows were changed or loaded with past dates, e.g. bulk loads or a category corrected by an
administrator).

Both paths group in SQL (GROUP BY day × kind × category × region, the same statements on SQLite
and PostgreSQL, differing only in the bounds): only the grouped rows come back to Python, which
rolls regions up to districts and turns each (start, decision day) span into working days on the
product's calendar. A full refresh at 1,000,000 reports therefore reads tens of thousands of
groups, not a million rows (see BENCHMARKS.md's notes for the timing).

What is counted, per Beijing day × kind × category × district (the report's region rolled up to
its district, level 2):
- received: reports by the day of received_at;
- closed: moves into `closed` by their local_date;
- decided / on_time / decision_days: the first decision clock (DECISION_CLOCKS) met that day,
  on time when met on or before its due date, with the working days from its start to the day
  it was met (a return to the intake office also meets the clock: it is the department's
  decision that it is not competent);
- rated / rating_sum: satisfaction ratings by their local_date.
"""

from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Date, case, cast, delete, func, insert, literal_column, select, type_coerce

from portal.clock import LOCAL_TZ, to_local, utcnow
from portal.deadlines.calendar import Calendar
from portal.deadlines.models import ReportDeadline
from portal.directory.models import Region
from portal.extensions import db
from portal.reports.history import StateChange
from portal.reports.models import Report
from portal.reports.states import State
from portal.satisfaction.models import SatisfactionRating
from portal.statistics.models import COUNTS, StatsDaily, StatsDecisionDays, StatsMonthly, StatsRefresh

# The clock whose end is the first decision on a report: accept or decline a complaint (Art. 15),
# open a case or not on a tip-off (行政处罚程序规定 Art. 18).
DECISION_CLOCKS = ("complaint.accept", "tip.case_decision")
BATCH = 5000
# Beijing's offset from UTC (constant: China has kept no daylight saving time since 1991).
UTC_OFFSET_HOURS = int(LOCAL_TZ.utcoffset(datetime(2026, 1, 1)).total_seconds() // 3600)


def _utc_midnight(day):
    """The naive UTC moment at which Beijing's `day` begins."""
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def _districts():
    """region id → its district's id (level 2); the city and districts map to themselves."""
    regions = db.session.execute(select(Region.id, Region.parent_id, Region.level)).all()
    by_id = {r.id: r for r in regions}
    result = {}
    for region in regions:
        node = region
        while node.level > 2 and node.parent_id is not None:
            node = by_id[node.parent_id]
        result[region.id] = node.id
    return result


def _first_day():
    first = db.session.scalar(select(func.min(Report.received_at)))
    return to_local(first).date() if first is not None else None


def refresh_statistics(full=False):
    """Recount the days since the last refresh (all days if `full` or never refreshed); returns
    the (first, last) Beijing day recounted, or None if there is nothing to count. Caller commits."""
    now = utcnow()
    state = db.session.get(StatsRefresh, 1)
    last = to_local(now).date()
    if full or state is None:
        first = _first_day()
        db.session.execute(delete(StatsDaily))
        db.session.execute(delete(StatsMonthly))
        db.session.execute(delete(StatsDecisionDays))
    else:
        first = to_local(state.through).date()
    if state is None:
        state = StatsRefresh(id=1, through=now, refreshed_at=now)
        db.session.add(state)
    state.through, state.refreshed_at = now, now
    if first is None or first > last:
        db.session.flush()
        return None
    db.session.execute(delete(StatsDaily).where(StatsDaily.day >= first, StatsDaily.day <= last))
    db.session.execute(
        delete(StatsDecisionDays).where(StatsDecisionDays.day >= first, StatsDecisionDays.day <= last)
    )
    _count(first, last)
    _sum_months(first, last)
    db.session.flush()
    return first, last


def _sum_months(first, last):
    """Rewrite the months holding first..last in stats_monthly from their days (in SQL)."""
    start = first.replace(day=1)
    if db.engine.dialect.name == "postgresql":
        month = cast(func.date_trunc(literal_column("'month'"), StatsDaily.day), Date)
    else:
        month = type_coerce(func.date(StatsDaily.day, literal_column("'start of month'")), Date)
    db.session.execute(delete(StatsMonthly).where(StatsMonthly.month >= start, StatsMonthly.month <= last))
    keys = (StatsDaily.kind, StatsDaily.category_id, StatsDaily.region_id)
    sums = select(month, *keys, *[func.sum(getattr(StatsDaily, c)) for c in COUNTS]).where(
        StatsDaily.day >= start, StatsDaily.day <= _month_end(last)
    )
    columns = ["month", "kind", "category_id", "region_id", *COUNTS]
    db.session.execute(insert(StatsMonthly).from_select(columns, sums.group_by(month, *keys)))


def _month_end(day):
    after = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return after - timedelta(days=1)


def _local_day(column):
    """The Beijing date of a naive UTC column, in SQL. Beijing keeps one offset all year (no
    daylight saving since 1991), so adding it and taking the date is exact. Constants are literal
    SQL, so that PostgreSQL sees the same expression in SELECT and GROUP BY."""
    if db.engine.dialect.name == "postgresql":
        return cast(column + literal_column(f"interval '{UTC_OFFSET_HOURS} hours'"), Date)
    return type_coerce(func.date(column, literal_column(f"'+{UTC_OFFSET_HOURS} hours'")), Date)


def _count(first, last):
    """Count the days first..last in SQL (GROUP BY day × kind × category × region), then roll the
    regions up to districts and turn decision spans into working days in Python, on the grouped
    rows only. One path for the sweep's few days and for `--full` over the whole history: a
    million reports are grouped by the database instead of being read row by row."""
    lo, hi = _utc_midnight(first), _utc_midnight(last + timedelta(days=1))
    district = _districts()
    cells = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    histogram = Counter()
    key = (Report.kind, Report.category_id, Report.region_id)

    def cell(day, kind, category_id, region_id):
        return cells[(day, kind, category_id, district[region_id])]

    day = _local_day(Report.received_at)
    received = (
        select(day, *key, func.count())
        .where(Report.received_at >= lo, Report.received_at < hi)
        .group_by(day, *key)
    )
    for day_, kind, category_id, region_id, n in db.session.execute(received):
        cell(day_, kind, category_id, region_id)["received"] += n

    closed = (
        select(StateChange.local_date, *key, func.count())
        .join(Report, Report.id == StateChange.report_id)
        .where(StateChange.to_state == State.CLOSED, StateChange.local_date.between(first, last))
        .group_by(StateChange.local_date, *key)
    )
    for day_, kind, category_id, region_id, n in db.session.execute(closed):
        cell(day_, kind, category_id, region_id)["closed"] += n

    met = _local_day(ReportDeadline.met_at)
    on_time = func.sum(case((met <= ReportDeadline.due_on, 1), else_=0))
    decided = (
        select(met, ReportDeadline.starts_on, *key, func.count(), on_time)
        .join(Report, Report.id == ReportDeadline.report_id)
        .where(
            ReportDeadline.status == "met",
            ReportDeadline.policy_code.in_(DECISION_CLOCKS),
            ReportDeadline.met_at >= lo,
            ReportDeadline.met_at < hi,
        )
        .group_by(met, ReportDeadline.starts_on, *key)
    )
    calendar, spans = Calendar(), {}
    for day_, starts_on, kind, category_id, region_id, n, ok in db.session.execute(decided):
        if (starts_on, day_) not in spans:
            spans[(starts_on, day_)] = max(0, calendar.working_days_between(starts_on, day_))
        days = spans[(starts_on, day_)]
        counts = cell(day_, kind, category_id, region_id)
        counts["decided"] += n
        counts["on_time"] += int(ok)
        counts["decision_days"] += days * n
        histogram[(day_, kind, days)] += n

    rated = (
        select(SatisfactionRating.local_date, *key, func.count(), func.sum(SatisfactionRating.score))
        .join(Report, Report.id == SatisfactionRating.report_id)
        .where(SatisfactionRating.local_date.between(first, last))
        .group_by(SatisfactionRating.local_date, *key)
    )
    for day_, kind, category_id, region_id, n, score_sum in db.session.execute(rated):
        counts = cell(day_, kind, category_id, region_id)
        counts["rated"] += n
        counts["rating_sum"] += int(score_sum)

    rows = [
        {"day": day, "kind": kind, "category_id": category_id, "region_id": region_id, **counts}
        for (day, kind, category_id, region_id), counts in cells.items()
    ]
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(StatsDaily), rows[start : start + BATCH])
    buckets = [
        {"day": day, "kind": kind, "working_days": days, "decisions": n}
        for (day, kind, days), n in histogram.items()
    ]
    for start in range(0, len(buckets), BATCH):
        db.session.execute(insert(StatsDecisionDays), buckets[start : start + BATCH])
