"""Deadline extensions: staff ask, a lead of the report's department approves (or refuses), once
per clock, by what the clock's policy allows (clocks.extend_deadline makes the change).

At most one request per clock waits at a time: pending_deadline_id is the clock's id while the
request is pending and null afterwards, and its unique constraint holds on SQLite and PostgreSQL
alike (as proposals.pending_report_id does). A request still pending when its clock stops (the
report moved on) is closed by the system, so nothing waits for a decision that no longer matters.
"""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Role, User
from portal.accounts.permissions import Action, can, scoped_reports
from portal.audit.chain import SYSTEM, Actor, record_event
from portal.clock import utcnow
from portal.deadlines.clocks import extend_deadline
from portal.deadlines.models import RUNNING, ReportDeadline
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.reports.models import Report

# Why the system closed a request nobody decided (its decision_reason).
DEADLINE_ENDED = "deadline_ended"


class ExtensionOutcome(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


def _in(column, enum_cls):
    return f"{column} IN ({', '.join(repr(m.value) for m in enum_cls)})"


class ExtensionRequest(db.Model):
    __tablename__ = "extension_requests"
    __table_args__ = (
        CheckConstraint(_in("outcome", ExtensionOutcome), name="outcome_valid"),
        CheckConstraint(
            "(outcome = 'pending') = (pending_deadline_id IS NOT NULL)", name="pending_has_deadline"
        ),
        CheckConstraint("(outcome = 'pending') = (decided_at IS NULL)", name="decided_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("report_deadlines.id"), index=True)
    # The clock's id while pending, null once decided: one pending request per clock.
    pending_deadline_id: Mapped[int | None] = mapped_column(ForeignKey("report_deadlines.id"), unique=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(10), default=ExtensionOutcome.PENDING)
    # None with a decided outcome: closed by the system because the clock stopped.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)

    report: Mapped[Report] = relationship()
    deadline: Mapped[ReportDeadline] = relationship(foreign_keys=[deadline_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_pending(self):
        return self.outcome == ExtensionOutcome.PENDING


def pending_extension(deadline):
    return db.session.scalar(
        select(ExtensionRequest).where(ExtensionRequest.pending_deadline_id == deadline.id)
    )


def extendable(deadline):
    """The clock runs, its policy allows an extension, and it was not extended yet."""
    return deadline.status in RUNNING and not deadline.extended and deadline.policy.extension_days > 0


def _check_extendable(deadline):
    if deadline.status not in RUNNING:
        raise ReportError("deadline_not_running", deadline.policy_code)
    if not extendable(deadline):
        raise ReportError("extension_not_allowed", deadline.policy_code)


def _facts(request, **more):
    deadline = request.deadline
    return {
        "request": request.id,
        "deadline": deadline.id,
        "policy": deadline.policy_code,
        "due_on": deadline.due_on,
        **more,
    }


def request_extension(deadline, user, reason):
    """Staff (or a lead) of the report's department ask for the policy's extension, with a reason."""
    report = deadline.report
    if not can(user, Action.ADD_NOTE, report):
        raise ReportError("extension_not_yours")
    reason = (reason or "").strip()
    if not reason:
        raise ReportError("extension_reason_required")
    _check_extendable(deadline)
    if pending_extension(deadline) is not None:
        raise ReportError("extension_pending")
    request = ExtensionRequest(
        report=report,
        deadline=deadline,
        pending_deadline_id=deadline.id,
        requested_by_id=user.id,
        requested_at=utcnow(),
        reason=reason,
        outcome=ExtensionOutcome.PENDING.value,
    )
    db.session.add(request)
    db.session.flush()
    days = deadline.policy.extension_days
    record_event(
        "deadline.extension_requested",
        report,
        Actor.for_user(user),
        _facts(request, days=days, reason=reason),
    )
    return request


def is_deciding_lead(user, report):
    """Extensions are decided by a lead of the department that holds the report."""
    return user.role == Role.LEAD and user.department_id == report.department_id


def _check_decider(request, lead):
    if not request.is_pending:
        raise ReportError("extension_decided")
    if not is_deciding_lead(lead, request.report):
        raise ReportError("extension_lead_only")
    if lead.id == request.requested_by_id:
        raise ReportError("own_extension")


def _close(request, outcome, lead, reason):
    """Decide the request if it is still pending in the database: of two leads deciding at once,
    the second waits for the first's row lock, then finds it decided (on SQLite writes queue)."""
    closed = db.session.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.id == request.id, ExtensionRequest.outcome == ExtensionOutcome.PENDING.value)
        .values(
            outcome=outcome.value,
            pending_deadline_id=None,
            decided_by_id=lead.id if lead is not None else None,
            decided_at=utcnow(),
            decision_reason=reason,
        )
    )
    if closed.rowcount != 1:
        raise ReportError("extension_decided")


def approve_extension(request, lead):
    """A lead approves: the clock's due date moves by the policy's extension (once per clock)."""
    _check_decider(request, lead)
    deadline = request.deadline
    _check_extendable(deadline)
    due_before = deadline.due_on
    _close(request, ExtensionOutcome.APPROVED, lead, None)
    actor = Actor.for_user(lead)
    extend_deadline(deadline, actor)
    record_event("deadline.extension_approved", request.report, actor, _facts(request, due_before=due_before))
    return request


def refuse_extension(request, lead, reason):
    """A lead refuses, with a reason the requester reads; the clock may still be extended later."""
    _check_decider(request, lead)
    reason = (reason or "").strip()
    if not reason:
        raise ReportError("refusal_reason_required")
    _close(request, ExtensionOutcome.REFUSED, lead, reason)
    record_event(
        "deadline.extension_refused", request.report, Actor.for_user(lead), _facts(request, reason=reason)
    )
    return request


def close_pending_extension(deadline):
    """The clock stopped (met or lapsed): a request still pending has nothing left to extend."""
    request = pending_extension(deadline)
    if request is None:
        return
    _close(request, ExtensionOutcome.REFUSED, None, DEADLINE_ENDED)
    record_event("deadline.extension_refused", request.report, SYSTEM, _facts(request, reason=DEADLINE_ENDED))


def extension_requests(report):
    """Every request of the report, oldest first (the case page and its timeline)."""
    return db.session.scalars(
        select(ExtensionRequest).where(ExtensionRequest.report_id == report.id).order_by(ExtensionRequest.id)
    ).all()


def waiting_extensions(lead):
    """Pending requests of the reports this lead sees that the lead may decide (not their own)."""
    visible = scoped_reports(lead).with_only_columns(Report.id)
    return db.session.scalars(
        select(ExtensionRequest)
        .where(
            ExtensionRequest.pending_deadline_id.is_not(None),
            ExtensionRequest.report_id.in_(visible),
            ExtensionRequest.requested_by_id != lead.id,
        )
        .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
    ).all()
