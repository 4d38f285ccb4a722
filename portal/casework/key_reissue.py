"""A new access key for a real-name reporter who lost theirs, issued by staff of the handling
department after checking identity in person (or as the department's rules say).

The new key replaces the old one's keyed hash at once (both reports of a linked pair that share
the receipt), so the old key opens nothing; tracking sessions opened with it end too. How identity
was checked is kept as an internal note; the audit event names that note, never the key.
"""

from sqlalchemy import select

from portal.accounts.permissions import Action, can
from portal.audit.chain import Actor, record_event
from portal.casework.models import Note
from portal.clock import utcnow
from portal.extensions import db
from portal.keys import BadKey
from portal.reports.errors import ReportError
from portal.reports.linking import shares_receipt
from portal.reports.receipts import hash_access_key, new_access_key
from portal.security import receipt_keys
from portal.sessions.models import EndReason, SessionKind, WebSession
from portal.sessions.operations import end_session

IDENTITY_CHECK_MAX_CHARS = 500


def receipt_reports(report):
    """The reports one access key opens: this one, and its linked report if they share the key."""
    other = report.linked_report
    return [report, other] if shares_receipt(report, other) else [report]


def reissue_access_key(report, identity_check, user):
    """Replace the report's access key with a new random one and return it (shown once)."""
    if not can(user, Action.REISSUE_KEY, report):
        raise ReportError("not_allowed")
    if report.anonymous:
        raise ReportError("anonymous_no_new_key")
    identity_check = (identity_check or "").strip()
    if not identity_check:
        raise ReportError("identity_check_required")
    if len(identity_check) > IDENTITY_CHECK_MAX_CHARS:
        raise ReportError("identity_check_too_long")
    reports = receipt_reports(report)
    try:
        # The report's own receipt key, so its form-token and content hashes stay consistent.
        secret = receipt_keys().get(report.receipt_key_id)
    except BadKey:
        raise ReportError("receipt_key_missing", report.receipt_key_id) from None
    access_key, now, actor = new_access_key(), utcnow(), Actor.for_user(user)
    for each in reports:
        each.access_key_hash = hash_access_key(access_key, secret)
        note = Note(report_id=each.id, author=user, body=identity_check, created_at=now)
        db.session.add(note)
        db.session.flush()
        data = {"number": each.number, "note_id": note.id}
        data |= {"also": [r.number for r in reports if r is not each]} if len(reports) > 1 else {}
        record_event("receipt.key_reissued", each, actor, data)
    _end_tracking_sessions(reports)
    return access_key


def _end_tracking_sessions(reports):
    """Whoever opened the report with the old key is out now, not when the session runs out."""
    live = db.session.scalars(
        select(WebSession).where(
            WebSession.kind == SessionKind.TRACKING,
            WebSession.report_id.in_([r.id for r in reports]),
            WebSession.ended_at.is_(None),
        )
    )
    for record in live:
        # REPLACED: the receipt's key was replaced (a reason of its own needs a new CHECK value).
        end_session(record, EndReason.REPLACED, Actor("system", "system"))
