"""A reporter's rating of a closed report (one per report) and the review task a "not satisfied"
rating may open for the department's leads."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.reports.models import Report
from portal.security import EncryptedText

SCORES = range(1, 6)
# At or below: "not satisfied"; such a rating with a reason may ask a lead to review the handling.
NOT_SATISFIED_MAX = 2


class ReviewStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ReviewOutcome(enum.StrEnum):
    """What the lead found when closing a review."""

    HANDLING_CONFIRMED = "handling_confirmed"  # the handling was lawful and adequate
    EXPLAINED = "explained"  # explained to the reporter (through a message)
    CORRECTED = "corrected"  # shortcomings found and corrected in the department
    FURTHER_ACTION = "further_action"  # a new matter opened / referred for further action


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class SatisfactionRating(db.Model):
    __tablename__ = "satisfaction_ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # One rating per report: the unique key refuses a second one even from two requests at once.
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), unique=True)
    score: Mapped[int] = mapped_column()
    comment: Mapped[str | None] = mapped_column(EncryptedText)  # the reporter's words: encrypted
    created_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    local_date: Mapped[date] = mapped_column(Date, index=True)  # Beijing date (statistics)

    report: Mapped[Report] = relationship()

    @property
    def not_satisfied(self):
        return self.score <= NOT_SATISFIED_MAX


class ReviewTask(db.Model):
    """A lead's review of the handling, asked for by a dissatisfied reporter."""

    __tablename__ = "review_tasks"
    __table_args__ = (
        CheckConstraint(_in("status", ReviewStatus), name="status_valid"),
        CheckConstraint(_in("outcome", ReviewOutcome), name="outcome_valid"),  # null passes
        CheckConstraint(
            "(status = 'closed') = "
            "(outcome IS NOT NULL AND closed_at IS NOT NULL AND closed_by_id IS NOT NULL)",
            name="closed_has_outcome",
        ),
        Index("ix_review_tasks_department_status", "department_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("satisfaction_ratings.id"), unique=True)
    # The department whose leads review it: the one that handled the report when it was rated.
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[str] = mapped_column(String(10), default=ReviewStatus.OPEN)
    reason: Mapped[str] = mapped_column(EncryptedText)  # the reporter's reason: encrypted
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_note: Mapped[str | None] = mapped_column(EncryptedText)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    report: Mapped[Report] = relationship()
    rating: Mapped[SatisfactionRating] = relationship()
    closed_by: Mapped["User | None"] = relationship()  # noqa: F821
