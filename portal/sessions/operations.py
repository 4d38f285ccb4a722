"""Open, resume and end server-side sessions. Ending one here is what makes a copied cookie useless."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from portal.audit.chain import CITIZEN, PENDING, SYSTEM, record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.sessions.models import EndReason, SessionKind, WebSession

# (idle timeout, absolute lifetime) per kind, checked on the server whatever the cookie says.
LIMITS = {
    SessionKind.STAFF: (timedelta(minutes=30), timedelta(hours=12)),
    SessionKind.TRACKING: (timedelta(minutes=30), timedelta(hours=4)),
}
# "Last seen" is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=1)
# Ended records are kept this long for investigations, then removed.
KEEP_RECORDS = timedelta(days=30)

# Audit action per way a staff session ends.
END_ACTIONS = {
    EndReason.SIGNED_OUT: "user.signed_out",
    EndReason.IDLE: "user.session_expired",
    EndReason.EXPIRED: "user.session_expired",
    EndReason.DEACTIVATED: "user.session_ended",
    EndReason.PASSWORD_CHANGED: "user.session_ended",
    EndReason.TOTP_RESET: "user.session_ended",
}


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(kind, user=None, report_id=None):
    """Start a session and return the token for the cookie; the database keeps only its hash."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        WebSession(
            token_hash=_hash(token),
            kind=kind,
            user_id=user.id if user is not None else None,
            report_id=report_id,
            created_at=now,
            last_seen_at=now,
        )
    )
    return token


def purge_old_sessions(now=None):
    """Remove session records older than KEEP_RECORDS (the hourly sweep calls it: not on every
    sign-in or lookup, which the benchmark showed costs a table scan each time)."""
    now = now or utcnow()
    return db.session.execute(delete(WebSession).where(WebSession.created_at < now - KEEP_RECORDS)).rowcount


def find_live_session(token, kind):
    """The session a cookie token names, if it has not ended (does not check the clock)."""
    if not isinstance(token, str) or not token:
        return None
    query = select(WebSession).where(WebSession.token_hash == _hash(token), WebSession.kind == kind)
    if kind == SessionKind.STAFF:
        query = query.options(joinedload(WebSession.user))  # every check reads the user: one query
    record = db.session.scalar(query)
    return record if record is not None and record.ended_at is None else None


def resume_session(token, kind):
    """The live session for this token, or None; a session that has run out is ended now."""
    record = find_live_session(token, kind)
    if record is None:
        return None
    now = utcnow()
    reason = _why_over(record, now)
    if reason is not None:
        end_session(record, reason, SYSTEM)
        return None
    if now - record.last_seen_at >= TOUCH_EVERY:
        record.last_seen_at = now
    return record


def _why_over(record, now):
    idle, lifetime = LIMITS[SessionKind(record.kind)]
    if record.user is not None and not record.user.active:
        return EndReason.DEACTIVATED
    if now - record.created_at >= lifetime:
        return EndReason.EXPIRED
    if now - record.last_seen_at >= idle:
        return EndReason.IDLE
    return None


def end_session(record, reason, actor):
    """End one session; a staff session's end is audited on its user."""
    record.ended_at = utcnow()
    record.end_reason = reason
    if record.kind == SessionKind.STAFF:
        data = {"session": record.id, "reason": EndReason(reason).value}
        record_event(END_ACTIONS[EndReason(reason)], record.user, actor, data)


def end_user_sessions(user, reason, actor):
    """End every live session of a staff member at once (deactivation, new password, TOTP reset)."""
    live = db.session.scalars(
        select(WebSession).where(
            WebSession.kind == SessionKind.STAFF, WebSession.user_id == user.id, WebSession.ended_at.is_(None)
        )
    ).all()
    for record in live:
        end_session(record, reason, actor)
    return len(live)


def open_tracking(report_id, previous_token=None):
    """A citizen opened a report with its receipt; an earlier report in this browser is closed."""
    previous = find_live_session(previous_token, SessionKind.TRACKING)
    if previous is not None:
        end_session(previous, EndReason.REPLACED, CITIZEN)
    return open_session(SessionKind.TRACKING, report_id=report_id)


def tracked_report_id(token):
    """The id of the report this browser may see, while its tracking session lives (the caller
    loads the report with what its page needs, in one query)."""
    record = resume_session(token, SessionKind.TRACKING)
    return record.report_id if record is not None else None


def unsaved_changes():
    """Rows or audit events waiting to be written in this transaction: resuming a session
    changes nothing most of the time (it touches "last seen" once a minute), and then a commit
    would only cost a round trip and, with pool_pre_ping, a second connection checkout."""
    pending = db.session.new or db.session.dirty or db.session.deleted
    return bool(pending or db.session.info.get(PENDING))


def end_tracking(token):
    """The citizen pressed "leave": the cookie stops working, wherever it was copied."""
    record = find_live_session(token, SessionKind.TRACKING)
    if record is not None:
        end_session(record, EndReason.LEFT, CITIZEN)
