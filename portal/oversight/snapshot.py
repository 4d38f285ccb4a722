"""The dashboard's period figures, kept by the sweep (aggregate, not live SQL: why below).

Measured at 1,000,000 reports on PostgreSQL (BENCHMARKS.md notes): the backlog and overdue
counts read only the open reports, from indexes (migration 0021), and stay live; but the on-time
rate reads every handling clock met in the period and the median every closing (percentile over
about half a million rows for a year): 0.6 s and 2.3 s, far over the 150 ms target. A per-day
table would serve the on-time sums but not an exact median (a median of a year is not a sum of
days), so the sweep computes, hourly, the figures of the current month, quarter and year with the
dashboard's own functions (on_time_by_department, median_handling_days) and the page reads that
row per department. The page says when they were computed; a period the sweep has not computed
yet (a new month before the first sweep, a fresh database) is computed live, as before.
"""

from sqlalchemy import delete, select

from portal.clock import local_today, utcnow
from portal.extensions import db
from portal.oversight.dashboard import PERIODS, median_handling_days, on_time_by_department, period_bounds
from portal.oversight.models import DashboardPeriodFigures


def refresh_dashboard_figures(today=None):
    """Recompute the current periods' rows (replacing the previous ones); returns how many rows
    were written. The caller commits."""
    today, now, written = today or local_today(), utcnow(), 0
    for period in PERIODS:
        start, end = period_bounds(period, today)
        on_time, medians = on_time_by_department(start, end), median_handling_days(start, end)
        db.session.execute(delete(DashboardPeriodFigures).where(DashboardPeriodFigures.period == period))
        departments = sorted(d for d in set(on_time) | set(medians) if d is not None)
        for department_id in [None, *departments]:  # None: the city
            if department_id is None:
                ended = sum(n for n, _ in on_time.values())
                ok = sum(k for _, k in on_time.values())
            else:
                ended, ok = on_time.get(department_id, (0, 0))
            db.session.add(
                DashboardPeriodFigures(
                    period=period,
                    starts_on=start,
                    ends_on=end,
                    department_id=department_id,
                    clocks_ended=ended,
                    clocks_on_time=ok,
                    median_days=medians.get(department_id),
                    computed_at=now,
                )
            )
            written += 1
    db.session.flush()
    return written


def stored_figures(period, start):
    """(on_time, medians, computed_at) shaped as the live functions return them, from the
    sweep's rows of this period, or None if they are not of the period starting on `start`."""
    rows = db.session.scalars(
        select(DashboardPeriodFigures).where(
            DashboardPeriodFigures.period == period, DashboardPeriodFigures.starts_on == start
        )
    ).all()
    if not rows:
        return None
    on_time = {r.department_id: (r.clocks_ended, r.clocks_on_time) for r in rows if r.department_id}
    medians = {r.department_id: r.median_days for r in rows}
    return on_time, medians, min(r.computed_at for r in rows)
