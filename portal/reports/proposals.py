"""Proposals: a decision the law puts on a lead (负责人), proposed by staff and approved or refused
by a lead of the department. Approval makes the move as the lead through transition_report()."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Role, User
from portal.accounts.permissions import Action, can, scoped_reports
from portal.audit.chain import Actor, record_event
from portal.clock import utcnow
from portal.deadlines.clocks import meet_clock, open_clock
from portal.extensions import db
from portal.reports.decisions import check_details
from portal.reports.errors import ReportError
from portal.reports.models import Report
from portal.reports.operations import transition_report
from portal.reports.states import State, move

# Details that travel as ISO dates in the proposal's JSON.
DATE_DETAILS = frozenset({"opened_on", "decided_on"})


class ProposalStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'refused')", name="status_valid"),
        # pending_report_id is the report's id while pending: its unique constraint allows one
        # pending proposal per report on SQLite and PostgreSQL alike.
        CheckConstraint("(status = 'pending') = (pending_report_id IS NOT NULL)", name="pending_has_report"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    pending_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), unique=True)
    from_state: Mapped[str] = mapped_column(String(30))
    target: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(10), default=ProposalStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)

    report: Mapped[Report] = relationship(foreign_keys=[report_id])
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_stale(self):
        """The report moved since it was proposed: the proposal no longer fits it."""
        return self.report.state != self.from_state

    def move_details(self):
        """The details as transition_report() takes them (dates back from ISO text)."""
        return {k: date.fromisoformat(v) if k in DATE_DETAILS and v else v for k, v in self.details.items()}


def is_department_lead(user, report):
    """Leads decide proposals for the department that holds the report."""
    return user.role == Role.LEAD and user.department_id == report.department_id


def pending_proposal(report):
    return db.session.scalar(select(Proposal).where(Proposal.pending_report_id == report.id))


def pending_proposals(user):
    """Proposals waiting for a lead in the reports this user sees, oldest first."""
    visible = scoped_reports(user).with_only_columns(Report.id)
    query = select(Proposal).where(Proposal.pending_report_id.in_(visible)).order_by(Proposal.proposed_at)
    return db.session.scalars(query).all()


def _stored(recorded):
    """JSON-safe details: dates as ISO text, Decimal yuan as exact strings."""
    return {
        k: v.isoformat() if isinstance(v, date) else (v if isinstance(v, bool) else str(v))
        for k, v in recorded.items()
    }


def propose_move(report, target, user, reason=None, **details):
    """Staff propose a decision a lead must make; checked now so a lead sees only complete ones."""
    target = State(target)
    if not can(user, Action.PROPOSE, report, target):
        raise ReportError("invalid_transition", f"{user.username} may not propose {target}")
    step = move(report.kind, report.state, target)
    recorded = check_details(target, step.details, reason, details)
    existing = pending_proposal(report)
    if existing is not None and not existing.is_stale:
        raise ReportError("proposal_pending")
    if existing is not None:
        _close(existing, ProposalStatus.REFUSED, None, "stale")
    now = utcnow()
    proposal = Proposal(
        report=report,
        pending_report_id=report.id,
        from_state=report.state,
        target=target.value,
        reason=(reason or "").strip() or None,
        details=_stored(recorded),
        proposed_by_id=user.id,
        proposed_at=now,
        status=ProposalStatus.PENDING,
    )
    db.session.add(proposal)
    db.session.flush()
    data = {
        "proposal": proposal.id,
        "from": proposal.from_state,
        "to": proposal.target,
        "reason": proposal.reason,
    }
    record_event("proposal.made", report, Actor.for_user(user), data | proposal.details)
    if target == State.RETURNED:  # the lead has 3 working days to approve a return
        open_clock(report, _return_clock(report))
    return proposal


def _return_clock(report):
    return f"{report.kind}.return_approval"


def _close(proposal, status, lead, reason):
    if proposal.target == State.RETURNED:
        meet_clock(proposal.report, _return_clock(proposal.report))
    proposal.status = status.value
    proposal.pending_report_id = None
    proposal.decided_by_id = lead.id if lead is not None else None  # None: closed as stale by a new one
    proposal.decided_at = utcnow()
    proposal.decision_reason = reason
    actor = Actor.for_user(lead) if lead is not None else Actor("system", "system")
    record_event(
        f"proposal.{status.value}",
        proposal.report,
        actor,
        {"proposal": proposal.id, "to": proposal.target, "reason": reason},
    )


def _check_decider(proposal, lead):
    if proposal.status != ProposalStatus.PENDING:
        raise ReportError("proposal_decided")
    if lead.id == proposal.proposed_by_id:
        raise ReportError("own_proposal")


def approve_proposal(proposal, lead):
    """A lead approves: the move is made as the lead. A stale proposal is refused instead (and
    returned as such: the caller commits and says why)."""
    _check_decider(proposal, lead)
    if proposal.is_stale:
        _close(proposal, ProposalStatus.REFUSED, lead, "stale")
        return proposal
    if not can(lead, Action.MOVE, proposal.report, proposal.target):
        raise ReportError("invalid_transition", f"{lead.username} may not make {proposal.target}")
    _close(proposal, ProposalStatus.APPROVED, lead, None)
    transition_report(
        proposal.report, proposal.target, Actor.for_user(lead), proposal.reason, **proposal.move_details()
    )
    return proposal


def refuse_proposal(proposal, lead, reason):
    """A lead refuses, with a reason the proposer reads."""
    _check_decider(proposal, lead)
    if not is_department_lead(lead, proposal.report):
        raise ReportError("invalid_transition", f"{lead.username} may not decide {proposal.target}")
    if not (reason or "").strip():
        raise ReportError("reason_required")
    _close(proposal, ProposalStatus.REFUSED, lead, reason.strip())
    return proposal
