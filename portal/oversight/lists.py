"""Red and black lists 红黑榜. The black list is derived from published notices (no table of its
own, so it can never disagree with them); the red list is named by leads, two-person rule."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select

from portal.audit.chain import Actor, record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.oversight.errors import OversightError
from portal.oversight.models import NoticeStatus, PublicNotice, RedListEntry
from portal.oversight.notices import _text, may_withdraw
from portal.oversight.roles import is_lead, is_supervisor, may_review


@dataclass
class BlackListEntry:
    business_name: str
    business_licence: str | None
    notices: list = field(default_factory=list)


def _matching(query, name_column, licence_column):
    pattern = f"%{query.strip()[:100]}%"
    return or_(name_column.like(pattern), licence_column.like(pattern))


def black_list(period_from, period_to, query=None):
    """Businesses with a notice published for a decision taken in the period, one entry each
    (by licence number, or by name where there is none), with the notices behind it."""
    found = select(PublicNotice).where(
        PublicNotice.status == NoticeStatus.PUBLISHED,
        PublicNotice.decided_on >= period_from,
        PublicNotice.decided_on <= period_to,
    )
    if query:
        found = found.where(_matching(query, PublicNotice.business_name, PublicNotice.business_licence))
    entries = {}
    for notice in db.session.scalars(found.order_by(PublicNotice.decided_on.desc(), PublicNotice.id.desc())):
        key = notice.business_licence or f"name:{notice.business_name}"
        entry = entries.setdefault(key, BlackListEntry(notice.business_name, notice.business_licence))
        entry.notices.append(notice)
    return list(entries.values())


def red_list(period_from, period_to, query=None):
    """Published red-list entries whose period overlaps the one asked for."""
    found = select(RedListEntry).where(
        RedListEntry.status == NoticeStatus.PUBLISHED,
        RedListEntry.period_from <= period_to,
        RedListEntry.period_to >= period_from,
    )
    if query:
        found = found.where(_matching(query, RedListEntry.business_name, RedListEntry.business_licence))
    return db.session.scalars(found.order_by(RedListEntry.business_name, RedListEntry.id)).all()


def name_red_list(user, business_name, licence, reason, period_from: date, period_to: date):
    """A lead names a business in good standing for a period; it waits for a second person."""
    if not is_lead(user):
        raise OversightError("not_allowed")
    if period_from is None or period_to is None or period_to < period_from:
        raise OversightError("period_invalid")
    entry = RedListEntry(
        department_id=user.department_id,
        business_name=_text(business_name, "business_required")[:200],
        business_licence=(licence or "").strip()[:40] or None,
        reason=_text(reason, "reason_required"),
        period_from=period_from,
        period_to=period_to,
        status=NoticeStatus.DRAFT,
        named_by_id=user.id,
        named_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    record_event("red_list.named", entry, Actor.for_user(user))
    return entry


def publish_red_list(entry, user):
    if not may_review(user, entry.department_id, entry.named_by_id):
        raise OversightError("second_person_required")
    if entry.status != NoticeStatus.DRAFT:
        raise OversightError("not_a_draft")
    entry.status, entry.published_by_id, entry.published_at = NoticeStatus.PUBLISHED, user.id, utcnow()
    record_event("red_list.published", entry, Actor.for_user(user))
    return entry


def withdraw_red_list(entry, user, reason):
    if not may_withdraw(user, entry.department_id):
        raise OversightError("not_allowed")
    if entry.status != NoticeStatus.PUBLISHED:
        raise OversightError("not_published")
    entry.withdrawal_reason = _text(reason, "reason_required")
    entry.status, entry.withdrawn_by_id, entry.withdrawn_at = NoticeStatus.WITHDRAWN, user.id, utcnow()
    record_event("red_list.withdrawn", entry, Actor.for_user(user), {"reason": entry.withdrawal_reason})
    return entry


def red_list_for(user):
    query = select(RedListEntry).order_by(RedListEntry.id.desc()).limit(200)
    if not is_supervisor(user):
        query = query.where(RedListEntry.department_id == user.department_id)
    return db.session.scalars(query).all()
