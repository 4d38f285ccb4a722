"""Calendar days, deadline policies (versioned, with effective dates) and each report's clocks."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.reports.models import Report

CALENDAR_SOURCES = ("override", "import")
DEADLINE_STATUSES = ("open", "due_soon", "overdue", "met", "lapsed")
# A deadline still running: the queue's filters and the sweep read only these.
RUNNING = ("open", "due_soon", "overdue")


class CalendarDay(db.Model):
    """One date whose working status someone stated: an administrator ("override", wins) or the
    State Council's schedule loaded by `flask holidays import` ("import")."""

    __tablename__ = "calendar_days"
    __table_args__ = (
        UniqueConstraint("day", "source", name="uq_calendar_days_day_source"),
        CheckConstraint("source IN ('override', 'import')", name="source_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    working: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(10))


class DeadlinePolicy(db.Model):
    """One version of one clock's rule. Versions are never edited: a new one starts on its
    effective date and the one before it ends the day before, so any past deadline can be
    recomputed with the rule in force on the day its clock started."""

    __tablename__ = "deadline_policies"
    __table_args__ = (
        UniqueConstraint("code", "effective_from", name="uq_deadline_policies_code_effective_from"),
        CheckConstraint("kind IN ('complaint', 'tip')", name="kind_valid"),
        CheckConstraint("(working_days IS NULL) != (calendar_days IS NULL)", name="one_day_count"),
        CheckConstraint("coalesce(working_days, calendar_days) >= 0", name="days_not_negative"),
        CheckConstraint("extension_days >= 0", name="extension_not_negative"),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="period_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Space-separated states: entering one of start_states starts the clock; it keeps running
    # while the report stays in run_states and is met when it leaves them (none: met at once).
    start_states: Mapped[str] = mapped_column(String(200))
    run_states: Mapped[str] = mapped_column(String(200), default="")
    real_name_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    working_days: Mapped[int | None] = mapped_column()
    calendar_days: Mapped[int | None] = mapped_column()
    extension_days: Mapped[int] = mapped_column(default=0)
    # The hook for clocks whose end lapses the matter; no clock of the 2022 rules does.
    lapses: Mapped[bool] = mapped_column(default=False, server_default=false())
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)  # last day in force; none: still
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    @property
    def starts(self):
        return frozenset(self.start_states.split())

    @property
    def runs(self):
        return frozenset(self.run_states.split())


class ReportDeadline(db.Model):
    """One clock of one report: when it started, when it is due, and how it ended."""

    __tablename__ = "report_deadlines"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'due_soon', 'overdue', 'met', 'lapsed')", name="status_valid"),
        CheckConstraint(
            "(met_at IS NULL) = (status IN ('open', 'due_soon', 'overdue'))", name="met_has_time"
        ),
        Index("ix_report_deadlines_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("deadline_policies.id"))
    policy_code: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    # Counted (partly) on the computed calendar of a year nobody loaded: the sweep recounts it.
    provisional: Mapped[bool] = mapped_column(default=False)
    extended: Mapped[bool] = mapped_column(default=False, server_default=false())
    met_at: Mapped[datetime | None] = mapped_column(DateTime)  # naive UTC
    status: Mapped[str] = mapped_column(String(10), default="open")

    report: Mapped[Report] = relationship()
    policy: Mapped[DeadlinePolicy] = relationship()
