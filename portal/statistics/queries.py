"""The numbers of the public statistics page and its CSV, read from the aggregate only (see
refresh.py), with small cells suppressed.

Suppression (no figure may help identify a reporter): a count below STATS_MIN_CELL is shown as
"<N" (value None here). In each table column where exactly one cell is suppressed, the next
smallest cell of that column is suppressed too (secondary suppression), so the column's total
cannot give the hidden cell back by subtraction; totals are then safe to show. Derived figures
(on-time share, average rating, median, reward amount) are shown only where every count they are
computed from is at least STATS_MIN_CELL, so a share cannot be turned back into a small count.
Months, categories and districts are summed over the whole period shown; the tables share one
grand total, and a cell hidden in one table may be visible summed in another at a coarser level
(e.g. a month's total): each published figure is itself at least STATS_MIN_CELL.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, inspect, select

from portal.directory.models import Category, Region
from portal.extensions import db
from portal.statistics.models import StatsDecisionDays, StatsMonthly, StatsRefresh


@dataclass
class Table:
    """One table of the page (and one section of the CSV): rows of label and cells."""

    key: str
    columns: list  # column keys
    rows: list = field(default_factory=list)  # [(label, {column: int | None (suppressed) | text})]


def min_cell():
    return current_app.config["STATS_MIN_CELL"]


def _suppress(rows, columns, minimum):
    """Primary and secondary suppression, in place, on count columns."""
    for column in columns:
        values = [cells for _, cells in rows if cells.get(column) is not None]
        small = [cells for cells in values if 0 < cells[column] < minimum]
        for cells in small:
            cells[column] = None
        if len(small) == 1:
            rest = sorted(
                (c for c in values if c[column] is not None and c[column] > 0), key=lambda c: c[column]
            )
            if rest:
                rest[0][column] = None


def _share(part, whole, minimum):
    """A percentage, only if both counts and the remainder are at least the minimum."""
    if whole is None or part is None or whole < minimum or part < minimum or whole - part < minimum:
        if whole is not None and part is not None and whole >= minimum and part == whole:
            return 100  # everything on time: no remainder to hide
        return None
    return round(100 * part / whole)


def _grouped(group_by):
    """The page reads the monthly sums (stats_monthly: see models.py for why not the days)."""
    sums = [func.sum(getattr(StatsMonthly, c)).label(c) for c in ("received", "closed", "decided", "on_time")]
    return db.session.execute(select(group_by.label("g"), *sums).group_by(group_by).order_by(group_by)).all()


def _table(key, grouped, label, minimum):
    rows = []
    for row in grouped:
        rows.append(
            (
                label(row.g),
                {
                    "received": row.received,
                    "closed": row.closed,
                    "decided": row.decided,
                    "on_time": row.on_time,
                },
            )
        )
    for _, cells in rows:
        cells["on_time_share"] = _share(cells["on_time"], cells["decided"], minimum)
    _suppress(rows, ("received", "closed", "decided"), minimum)
    for _, cells in rows:
        del cells["on_time"]
        if cells["decided"] is None:
            cells["on_time_share"] = None
    return Table(key, ["received", "closed", "decided", "on_time_share"], rows)


def median_from_histogram(buckets):
    """Median of values given as {value: count} (the lower middle for an even count)."""
    total = sum(buckets.values())
    if not total:
        return None
    seen, middle = 0, (total + 1) // 2
    for value in sorted(buckets):
        seen += buckets[value]
        if seen >= middle:
            return value
    return None


def overall():
    """The headline figures: totals, on-time share, median working days, satisfaction."""
    minimum = min_cell()
    columns = ("received", "closed", "decided", "on_time", "rated", "rating_sum")
    row = db.session.execute(
        select(*[func.coalesce(func.sum(getattr(StatsMonthly, c)), 0) for c in columns])
    ).one()
    totals = dict(zip(columns, (int(v) for v in row), strict=True))
    buckets = dict(
        db.session.execute(
            select(StatsDecisionDays.working_days, func.sum(StatsDecisionDays.decisions)).group_by(
                StatsDecisionDays.working_days
            )
        ).all()
    )
    decided = totals["decided"]
    rated = totals["rated"]
    return {
        "received": totals["received"] if totals["received"] >= minimum or not totals["received"] else None,
        "closed": totals["closed"] if totals["closed"] >= minimum or not totals["closed"] else None,
        "decided": decided if decided >= minimum or not decided else None,
        "on_time_share": _share(totals["on_time"], decided, minimum),
        "median_days": median_from_histogram({int(k): int(v) for k, v in buckets.items()})
        if decided >= minimum
        else None,
        "rated": rated if rated >= minimum or not rated else None,
        "average_rating": (
            (Decimal(totals["rating_sum"]) / rated).quantize(Decimal("0.1")) if rated >= minimum else None
        ),
    }


def by_month():
    return _table("month", _grouped(StatsMonthly.month), lambda month: month.strftime("%Y-%m"), min_cell())


def by_category():
    names = {c.id: c.name for c in db.session.scalars(select(Category))}
    return _table("category", _grouped(StatsMonthly.category_id), lambda g: names.get(g, str(g)), min_cell())


def by_region():
    names = {r.id: r.name for r in db.session.scalars(select(Region))}
    return _table("region", _grouped(StatsMonthly.region_id), lambda g: names.get(g, str(g)), min_cell())


def reward_totals_by_year():
    """[(year, awards approved, their amount)] by the year they were decided: amounts and counts
    only. Rewards (issue 10) are few (a few hundred a year), so they are read from reward_awards
    directly rather than through the aggregate. Approved awards count, including those that
    later lapsed (the decision was made); rejected and reversed ones do not."""
    from portal.rewards.models import AwardStatus, RewardAward

    if not inspect(db.engine).has_table(RewardAward.__tablename__):
        return []  # a database without the rewards tables (migration 0016)
    rows = db.session.execute(
        select(RewardAward.decided_at, RewardAward.amount).where(
            RewardAward.status.in_((AwardStatus.APPROVED, AwardStatus.LAPSED)),
            RewardAward.decided_at.is_not(None),
        )
    ).all()
    from portal.clock import to_local

    years = {}
    for decided_at, amount in rows:
        year = to_local(decided_at).year
        count, total = years.get(year, (0, Decimal("0.00")))
        years[year] = (count + 1, total + amount)
    return sorted((year, count, total) for year, (count, total) in years.items())


def rewards_table():
    """Reward totals by year; a year with fewer than the minimum awards shows neither its count
    nor its amount (one award's amount would be one reporter's reward)."""
    minimum = min_cell()
    rows = []
    for year, count, total in reward_totals_by_year():
        if count < minimum:
            rows.append((str(year), {"awards": None, "amount": None}))
        else:
            rows.append((str(year), {"awards": count, "amount": total}))
    return Table("rewards", ["awards", "amount"], rows)


def last_refreshed():
    state = db.session.get(StatsRefresh, 1)
    return state.refreshed_at if state else None


def page_data():
    return {
        "overall": overall(),
        "tables": [by_month(), by_category(), by_region(), rewards_table()],
        "refreshed_at": last_refreshed(),
    }
