"""Rating a decided report and the review loop. One place for each rule:

- only a report no longer open (decided or closed: states.OPEN_STATES) can be rated;
- within SATISFACTION_DAYS of its decision (the first move out of the open states);
- once per report (the unique key refuses a second rating even from two requests at once);
- a rating of NOT_SATISFIED_MAX or less with a reason may ask for a lead's review: a review task
  for the leads of the department that handled the report; a lead of that department closes it
  with an outcome.
Audit events carry the report number, the score and the outcome, never the comment or reason.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.permissions import Action, can
from portal.audit.chain import CITIZEN, Actor, record_event
from portal.clock import to_local, utcnow
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.reports.states import OPEN_STATES, State
from portal.satisfaction.models import (
    NOT_SATISFIED_MAX,
    SCORES,
    ReviewOutcome,
    ReviewStatus,
    ReviewTask,
    SatisfactionRating,
)

COMMENT_MAX = 1000


def decided_at(report):
    """When the report left the open states (its decision), or None while it is open."""
    if report.is_open:
        return None
    for change in report.state_changes:
        if change.to_state not in OPEN_STATES:
            return change.at
    return None


def rating_due(report):
    """The last moment (naive UTC) the reporter may rate, or None while the report is open."""
    start = decided_at(report)
    if start is None:
        return None
    return start + timedelta(days=current_app.config["SATISFACTION_DAYS"])


def rating_of(report):
    # A rating is given once the report is decided (may_rate), and a decided report never reopens
    # (reports/states.py): an open one has none, without asking.
    if report.is_open:
        return None
    return db.session.scalar(select(SatisfactionRating).where(SatisfactionRating.report_id == report.id))


def may_rate(report, now=None):
    """None if the reporter may rate now, else the refusal code."""
    if report.is_open or report.state == State.RETURNED:
        return "rating_not_decided"
    if rating_of(report) is not None:
        return "rating_twice"
    if (now or utcnow()) > rating_due(report):
        return "rating_too_late"
    return None


def rate_report(report, score, comment="", *, ask_review=False, reason=""):
    """The reporter's rating (through the receipt); a review task if a dissatisfied reporter asks
    for one with a reason. The caller commits."""
    now = utcnow()
    refused = may_rate(report, now)
    if refused:
        raise ReportError(refused)
    if score not in SCORES:
        raise ReportError("rating_score_invalid")
    comment, reason = (comment or "").strip(), (reason or "").strip()
    if len(comment) > COMMENT_MAX or len(reason) > COMMENT_MAX:
        raise ReportError("rating_text_too_long")
    if ask_review and score > NOT_SATISFIED_MAX:
        raise ReportError("review_needs_low_score")
    if ask_review and not reason:
        raise ReportError("review_needs_reason")
    rating = SatisfactionRating(
        report_id=report.id,
        score=score,
        comment=comment or None,
        created_at=now,
        local_date=to_local(now).date(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(rating)
    except IntegrityError:  # rated meanwhile by another request
        raise ReportError("rating_twice") from None
    record_event(
        "satisfaction.rated", rating, CITIZEN, {"report": report.number, "score": score, "review": ask_review}
    )
    if ask_review:
        review = ReviewTask(
            report_id=report.id,
            rating_id=rating.id,
            department_id=report.department_id,
            status=ReviewStatus.OPEN,
            reason=reason,
            opened_at=now,
        )
        db.session.add(review)
        db.session.flush()
        record_event("review.opened", review, CITIZEN, {"report": report.number, "score": score})
    return rating


def reviews_of(report):
    return db.session.scalars(
        select(ReviewTask).where(ReviewTask.report_id == report.id).order_by(ReviewTask.id)
    ).all()


def open_reviews(user):
    """The open review tasks this lead may close: their own department's, oldest first."""
    if user.department_id is None:
        return []
    rows = db.session.scalars(
        select(ReviewTask)
        .where(ReviewTask.department_id == user.department_id, ReviewTask.status == ReviewStatus.OPEN)
        .order_by(ReviewTask.opened_at, ReviewTask.id)
    ).all()
    return [row for row in rows if can(user, Action.REVIEW_SATISFACTION, row.report)]


def close_review(review, lead, outcome, note=""):
    """A lead of the report's department closes the review with an outcome. The caller commits."""
    if not can(lead, Action.REVIEW_SATISFACTION, review.report):
        raise ReportError("review_not_yours")
    if review.status != ReviewStatus.OPEN:
        raise ReportError("review_closed")
    try:
        outcome = ReviewOutcome(outcome)
    except ValueError:
        raise ReportError("review_outcome_invalid") from None
    note = (note or "").strip()
    if len(note) > COMMENT_MAX:
        raise ReportError("rating_text_too_long")
    # Compare-and-set: of two leads closing at once, only the first changes the row.
    closed = db.session.execute(
        ReviewTask.__table__.update()
        .where(ReviewTask.id == review.id, ReviewTask.status == ReviewStatus.OPEN)
        .values(
            status=ReviewStatus.CLOSED,
            outcome=outcome.value,
            outcome_note=note or None,
            closed_at=utcnow(),
            closed_by_id=lead.id,
        )
    ).rowcount
    if closed != 1:
        raise ReportError("review_closed")
    db.session.refresh(review)
    record_event(
        "review.closed",
        review,
        Actor.for_user(lead),
        {"report": review.report.number, "outcome": outcome.value},
    )
    return review
