"""Messages between the department and the reporter: each checks the rules, writes the row, one
audit event (ids, direction and attachment hashes: never the text) and, for a staff message, the
reporter's notification in the same transaction. Callers commit once afterwards."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.permissions import Action, can
from portal.audit.chain import CITIZEN, Actor, record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.messages.models import MESSAGE_MAX_CHARS, Direction, Message
from portal.notify.outbox import notify_new_message
from portal.reports.errors import ReportError
from portal.reports.operations import attach_evidence


def _open_for_messages(report):
    """Messaging ends when the report is closed (the states in which nothing more can be added)."""
    if not report.is_open:
        raise ReportError("messaging_closed")


def _checked_body(body, allow_empty=False):
    body = (body or "").strip()
    if not body and not allow_empty:
        raise ReportError("empty_message")
    if len(body) > MESSAGE_MAX_CHARS:
        raise ReportError("message_too_long")
    return body


def send_to_reporter(report, body, user):
    """Staff write to the reporter; the reporter reads it on the status page."""
    if not can(user, Action.MESSAGE, report):
        raise ReportError("not_allowed")
    _open_for_messages(report)
    message = Message(
        report_id=report.id,
        direction=Direction.TO_REPORTER.value,
        author=user,
        body=_checked_body(body),
        created_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    notify_new_message(report)
    # Not whether a mail was queued: that would tell staff whether an anonymous reporter left an address.
    data = {"number": report.number, "message_id": message.id, "direction": message.direction}
    record_event("message.sent", report, Actor.for_user(user), data)
    return message


def reply_from_reporter(report, body, staged_files):
    """The reporter answers through the receipt, with text and/or evidence (same checks as intake)."""
    _open_for_messages(report)
    body = _checked_body(body, allow_empty=True)
    if not body and not staged_files:
        raise ReportError("nothing_to_add")
    now = utcnow()
    message = Message(report_id=report.id, direction=Direction.FROM_REPORTER.value, body=body, created_at=now)
    db.session.add(message)
    db.session.flush()
    attach_evidence(report, staged_files, now, message=message)
    report.updated_at = now
    db.session.flush()
    record_event(
        "message.received",
        report,
        CITIZEN,
        {
            "number": report.number,
            "message_id": message.id,
            "direction": message.direction,
            "evidence_sha256": [f.sha256 for f in staged_files],
        },
    )
    return message


def conversation(report):
    """The report's messages, oldest first, with their attachments."""
    return db.session.scalars(
        select(Message)
        .where(Message.report_id == report.id)
        .options(selectinload(Message.attachments), selectinload(Message.author))
        .order_by(Message.id)
    ).all()
