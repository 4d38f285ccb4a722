"""The statistics aggregate (see portal/statistics/refresh.py for why it exists).

stats_daily holds, per Beijing day × kind × category × district, how many reports were received,
closed, decided (their first decision clock met), decided on time, the working days those
decisions took (sum), and the satisfaction ratings given (count, sum of scores).
stats_decision_days is the histogram of decision working days per day and kind, for medians.
stats_monthly is stats_daily summed by month (what the public page reads: at a million reports
the daily table holds about 50,000 rows, which took the page's four sums 70 ms; the monthly one
holds a thirtieth of that).
stats_refresh remembers up to which moment the source rows were aggregated.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db

COUNTS = ("received", "closed", "decided", "on_time", "decision_days", "rated", "rating_sum")


class StatsDaily(db.Model):
    __tablename__ = "stats_daily"
    __table_args__ = (
        CheckConstraint(
            "received >= 0 AND closed >= 0 AND decided >= 0 AND on_time >= 0 AND on_time <= decided "
            "AND decision_days >= 0 AND rated >= 0 AND rating_sum >= rated AND rating_sum <= 5 * rated",
            name="counts_valid",
        ),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)
    # The district (level 2; the city itself for a report placed only in the city).
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True)
    received: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)
    decided: Mapped[int] = mapped_column(default=0)
    on_time: Mapped[int] = mapped_column(default=0)
    decision_days: Mapped[int] = mapped_column(default=0)  # sum of working days to decision
    rated: Mapped[int] = mapped_column(default=0)
    rating_sum: Mapped[int] = mapped_column(default=0)


class StatsMonthly(db.Model):
    """stats_daily summed per month (`month` is its first day); rewritten with the days."""

    __tablename__ = "stats_monthly"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True)
    received: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)
    decided: Mapped[int] = mapped_column(default=0)
    on_time: Mapped[int] = mapped_column(default=0)
    decision_days: Mapped[int] = mapped_column(default=0)
    rated: Mapped[int] = mapped_column(default=0)
    rating_sum: Mapped[int] = mapped_column(default=0)


class StatsDecisionDays(db.Model):
    __tablename__ = "stats_decision_days"
    __table_args__ = (CheckConstraint("working_days >= 0 AND decisions > 0", name="bucket_valid"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    working_days: Mapped[int] = mapped_column(primary_key=True)
    decisions: Mapped[int] = mapped_column()


class StatsRefresh(db.Model):
    __tablename__ = "stats_refresh"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    through: Mapped[datetime] = mapped_column(DateTime)  # naive UTC: events before it are counted
    refreshed_at: Mapped[datetime] = mapped_column(DateTime)
