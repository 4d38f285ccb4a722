"""Every change of a report's state, one row each: what deadlines, timelines and statistics read
(the audit log stays the proof). Written only by operations._change_state and submit_report."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import to_local
from portal.directory.models import Department
from portal.extensions import db
from portal.reports.models import Report, _in
from portal.reports.states import DeclineGround, MediationEndGround, State

GROUNDS = sorted({g.value for g in DeclineGround} | {g.value for g in MediationEndGround})


class StateChange(db.Model):
    __tablename__ = "state_changes"
    __table_args__ = (
        CheckConstraint(_in("to_state", State), name="to_state_valid"),
        CheckConstraint(_in("from_state", State), name="from_state_valid"),  # null: the submission
        CheckConstraint(_in("ground", GROUNDS), name="ground_valid"),
        # The oversight dashboard's handling time reads the closings of a period (migration 0019).
        Index("ix_state_changes_to_state_local_date", "to_state", "local_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    # The Beijing date of `at`: working-day deadlines count from the day people saw it happen.
    local_date: Mapped[date] = mapped_column(Date, index=True)
    actor_kind: Mapped[str] = mapped_column(String(20))  # citizen, staff, system
    actor_id: Mapped[int | None] = mapped_column()
    actor_label: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(Text)
    ground: Mapped[str | None] = mapped_column(String(40))
    # The department the move handed the report to (submission, return, re-routing), if any.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))

    report: Mapped[Report] = relationship(back_populates="state_changes")
    department: Mapped[Department | None] = relationship()


def record_change(report, previous, target, actor, at, *, reason=None, ground=None, department=None):
    """Append one history row to the report (flushed with it)."""
    change = StateChange(
        from_state=previous.value if previous else None,
        to_state=State(target).value,
        at=at,
        local_date=to_local(at).date(),
        actor_kind=actor.kind,
        actor_id=actor.user_id,
        actor_label=actor.label,
        reason=reason,
        ground=ground,
        department=department,
    )
    report.state_changes.append(change)
    return change
