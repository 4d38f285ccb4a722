"""Public notices 曝光台: a lead of the handling department drafts a notice of a penalty decision,
a second person publishes it, and a withdrawal hides it while keeping the audited record.

The facts are copied from the report's decision fields; nothing about the reporter is read."""

from sqlalchemy import or_, select

from portal.audit.chain import Actor, record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.oversight.errors import OversightError
from portal.oversight.models import NoticeStatus, PublicNotice
from portal.oversight.roles import is_lead, is_supervisor, may_review
from portal.reports.states import Kind

TEXT_MAX = 2000
LIVE = (NoticeStatus.DRAFT, NoticeStatus.PUBLISHED)


def _text(value, code):
    value = (value or "").strip()
    if not value:
        raise OversightError(code)
    if len(value) > TEXT_MAX:
        raise OversightError("text_too_long")
    return value


def may_draft(user, report):
    return is_lead(user) and user.department_id == report.department_id


def live_notice(report):
    return db.session.scalar(
        select(PublicNotice).where(PublicNotice.report_id == report.id, PublicNotice.status.in_(LIVE))
    )


def draft_notice(report, violation, user):
    """A lead of the report's department drafts the notice of its penalty decision."""
    if not may_draft(user, report):
        raise OversightError("not_allowed")
    if report.kind != Kind.TIP or report.decision_number is None:
        raise OversightError("no_penalty_decision")
    if live_notice(report) is not None:
        raise OversightError("notice_exists")
    notice = PublicNotice(
        report_id=report.id,
        department_id=report.department_id,
        business_name=report.business_name,
        business_licence=report.business_licence,
        violation=_text(violation, "violation_required"),
        decision_number=report.decision_number,
        decided_on=report.decided_on,
        fine_yuan=report.fine_yuan,
        confiscation_yuan=report.confiscation_yuan,
        status=NoticeStatus.DRAFT,
        drafted_by_id=user.id,
        drafted_at=utcnow(),
    )
    db.session.add(notice)
    db.session.flush()
    record_event("notice.drafted", notice, Actor.for_user(user), {"report": report.number})
    return notice


def publish_notice(notice, user):
    """The second person publishes: never the drafter (the database refuses it too)."""
    if not may_review(user, notice.department_id, notice.drafted_by_id):
        raise OversightError("second_person_required")
    if notice.status != NoticeStatus.DRAFT:
        raise OversightError("not_a_draft")
    notice.status, notice.published_by_id, notice.published_at = NoticeStatus.PUBLISHED, user.id, utcnow()
    record_event("notice.published", notice, Actor.for_user(user))
    return notice


def may_withdraw(user, department_id):
    return is_lead(user) and (user.department_id == department_id or is_supervisor(user))


def withdraw_notice(notice, user, reason):
    """Hide a published notice from the public; the row and its events stay."""
    if not may_withdraw(user, notice.department_id):
        raise OversightError("not_allowed")
    if notice.status != NoticeStatus.PUBLISHED:
        raise OversightError("not_published")
    notice.withdrawal_reason = _text(reason, "reason_required")
    notice.status, notice.withdrawn_by_id, notice.withdrawn_at = NoticeStatus.WITHDRAWN, user.id, utcnow()
    record_event("notice.withdrawn", notice, Actor.for_user(user), {"reason": notice.withdrawal_reason})
    return notice


def public_notices(query=None, limit=50):
    """Published notices, newest decision first; `query` matches the business name or licence."""
    found = select(PublicNotice).where(PublicNotice.status == NoticeStatus.PUBLISHED)
    if query:
        pattern = f"%{query.strip()[:100]}%"
        found = found.where(
            or_(PublicNotice.business_name.like(pattern), PublicNotice.business_licence.like(pattern))
        )
    return db.session.scalars(
        found.order_by(PublicNotice.decided_on.desc(), PublicNotice.id.desc()).limit(limit)
    ).all()


def public_notice(notice_id):
    """A published notice, or None (a draft or a withdrawn one is not public)."""
    notice = db.session.get(PublicNotice, notice_id)
    return notice if notice is not None and notice.status == NoticeStatus.PUBLISHED else None


def notices_for(user):
    """The notices a lead works on: their department's, or every department's for a supervisor."""
    query = select(PublicNotice).order_by(PublicNotice.id.desc()).limit(200)
    if not is_supervisor(user):
        query = query.where(PublicNotice.department_id == user.department_id)
    return db.session.scalars(query).all()
