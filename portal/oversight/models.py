"""Public notices, the red list, listed supervision and the steps taken with lagging departments.

The black list has no table: it is derived from published notices (lists.py)."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, Float, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class NoticeStatus(enum.StrEnum):
    DRAFT = "draft"  # waiting for a second person
    PUBLISHED = "published"  # on /notices
    WITHDRAWN = "withdrawn"  # kept, hidden from the public, with the reason


# A published or withdrawn row was reviewed by someone other than its drafter (the DB says so too).
def _two_person_checks(author, reviewer):
    return (
        CheckConstraint(_in("status", NoticeStatus), name="status_valid"),
        CheckConstraint(f"{reviewer}_id IS NULL OR {reviewer}_id != {author}_id", name="reviewer_not_author"),
        CheckConstraint(
            f"status = 'draft' OR ({reviewer}_id IS NOT NULL AND published_at IS NOT NULL)",
            name="published_has_reviewer",
        ),
        CheckConstraint(
            "status != 'withdrawn' OR (withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL"
            " AND withdrawn_by_id IS NOT NULL)",
            name="withdrawn_has_reason",
        ),
    )


class PublicNotice(db.Model):
    """A notice 曝光 of a penalty decision. Its facts are copied from the report's decision fields
    when drafted (never anything about the reporter); the violation is the lead's wording."""

    __tablename__ = "public_notices"
    __table_args__ = (
        *_two_person_checks("drafted_by", "published_by"),
        CheckConstraint("fine_yuan >= 0 AND confiscation_yuan >= 0", name="amounts_not_negative"),
        Index("ix_public_notices_status_decided_on", "status", "decided_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    business_name: Mapped[str] = mapped_column(String(200), index=True)
    business_licence: Mapped[str | None] = mapped_column(String(40), index=True)
    violation: Mapped[str] = mapped_column(Text)
    decision_number: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date] = mapped_column(Date)
    fine_yuan: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    confiscation_yuan: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(String(10), default=NoticeStatus.DRAFT)
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    report: Mapped["Report"] = relationship()  # noqa: F821
    department: Mapped["Department"] = relationship()  # noqa: F821


class RedListEntry(db.Model):
    """A business in good standing named by a lead for a period 红榜; a second person publishes it."""

    __tablename__ = "red_list_entries"
    __table_args__ = (
        *_two_person_checks("named_by", "published_by"),
        CheckConstraint("period_to >= period_from", name="period_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    business_name: Mapped[str] = mapped_column(String(200), index=True)
    business_licence: Mapped[str | None] = mapped_column(String(40), index=True)
    reason: Mapped[str] = mapped_column(Text)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=NoticeStatus.DRAFT)
    named_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    named_at: Mapped[datetime] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    department: Mapped["Department"] = relationship()  # noqa: F821


class SupervisionStatus(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class SupervisedCase(db.Model):
    """A report under listed supervision 挂牌督办 by the supervising office: its own deadline and
    progress reports every `interval_days`; the sweep flags a missed one."""

    __tablename__ = "supervised_cases"
    __table_args__ = (
        CheckConstraint(_in("status", SupervisionStatus), name="status_valid"),
        CheckConstraint("interval_days > 0", name="interval_positive"),
        CheckConstraint("status = 'active' OR ended_at IS NOT NULL", name="ended_has_time"),
        # At most one active listing per report: open_report_id is the report's id while active.
        CheckConstraint("(open_report_id IS NULL) = (status = 'ended')", name="open_report_valid"),
        Index("ix_supervised_cases_status_next_progress_due_on", "status", "next_progress_due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    open_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=SupervisionStatus.ACTIVE)
    instructions: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    interval_days: Mapped[int] = mapped_column()
    next_progress_due_on: Mapped[date] = mapped_column(Date)
    progress_overdue: Mapped[bool] = mapped_column(default=False)
    listed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    listed_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)

    report: Mapped["Report"] = relationship(foreign_keys=[report_id])  # noqa: F821
    department: Mapped["Department"] = relationship()  # noqa: F821
    progress: Mapped[list["ProgressReport"]] = relationship(order_by="ProgressReport.id")


class ProgressReport(db.Model):
    """What the handling department reports on a supervised case."""

    __tablename__ = "supervision_progress"
    id: Mapped[int] = mapped_column(primary_key=True)
    supervised_case_id: Mapped[int] = mapped_column(ForeignKey("supervised_cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    author: Mapped["User"] = relationship()  # noqa: F821


class StepKind(enum.StrEnum):
    """The steps with a lagging department, in their required order (提醒 → 约谈 → 问责)."""

    REMINDER = "reminder"
    INTERVIEW = "interview"
    ACCOUNTABILITY = "accountability"


STEP_ORDER = tuple(StepKind)


class DepartmentStep(db.Model):
    """One recorded step with a lagging department in one year; an interview says who, when, what."""

    __tablename__ = "department_steps"
    __table_args__ = (
        CheckConstraint(_in("kind", StepKind), name="kind_valid"),
        CheckConstraint(
            "kind != 'interview' OR (held_on IS NOT NULL AND attendees IS NOT NULL AND agreed IS NOT NULL)",
            name="interview_has_record",
        ),
        Index("ix_department_steps_department_year", "department_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    year: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    held_on: Mapped[date | None] = mapped_column(Date)
    attendees: Mapped[str | None] = mapped_column(Text)
    agreed: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    department: Mapped["Department"] = relationship()  # noqa: F821


class DashboardPeriodFigures(db.Model):
    """The dashboard's figures of the current month, quarter and year that read a whole period of
    history (handling clocks met, median days to close), computed by the sweep (snapshot.py says
    why). One row per department and period; department_id NULL is the city's row."""

    __tablename__ = "dashboard_period_figures"
    __table_args__ = (
        CheckConstraint("period IN ('month', 'quarter', 'year')", name="period_valid"),
        CheckConstraint("clocks_on_time >= 0 AND clocks_on_time <= clocks_ended", name="counts_valid"),
        Index("ix_dashboard_period_figures_period_start", "period", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    clocks_ended: Mapped[int] = mapped_column(default=0)
    clocks_on_time: Mapped[int] = mapped_column(default=0)
    median_days: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
