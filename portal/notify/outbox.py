"""Writing notifications to the outbox, in the caller's transaction (the caller commits).

What a reporter's email may say is decided here, once: the report number and one line saying
what changed, and a link to /track. Never the reporter's identity, the access key, a message's
text or any detail of the report. It is written in the report's own language.
"""

import uuid

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.audit.chain import CITIZEN, record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.notify.models import NotificationKind, Outbox, OutboxState
from portal.reports.states import KIND_TEXT, Kind, State, public_state_text

# The decisions the law says the reporter must be told of (2019 measures, amended 2022): the
# acceptance or refusal of a complaint, an ended mediation, and a real-name tip-off's case decision.
LEGAL_NOTICES = {
    Kind.COMPLAINT: frozenset({State.ACCEPTED, State.DECLINED, State.MEDIATION_ENDED}),
    Kind.TIP: frozenset({State.CASE_OPENED, State.NOT_OPENED}),
}
# Moves the citizen is not told of by email: a new routing, a return to the intake office (the
# status page shows both; nothing has been decided about the report yet).
NOT_NOTIFIED = frozenset({State.SUBMITTED, State.RETURNED})


def track_url():
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/track"


def reporter_email(report):
    """The primary reporter's contact address, or None (no reporter row, or none given)."""
    person = report.primary_reporter
    return person.email if person is not None and person.email else None


def queue_mail(kind, recipient, subject, body, report=None, dedup_key=None, now=None):
    """One outbox row, added to the current transaction: it exists if and only if the change does."""
    now = now or utcnow()
    row = Outbox(
        message_id=str(uuid.uuid4()),
        kind=NotificationKind(kind).value,
        recipient=recipient,
        subject=subject[:300],
        body=body,
        report=report,
        dedup_key=dedup_key,
        created_at=now,
        state=OutboxState.PENDING.value,
        attempts=0,
        next_attempt_at=now,
    )
    db.session.add(row)
    return row


def _reporter_mail(report, line):
    """Subject and body for the reporter, in the report's language."""
    with force_locale(report.language or "zh_CN"):
        what = KIND_TEXT[Kind(report.kind)]
        subject = _("%(kind)s %(number)s: there is news", kind=what, number=report.number)
        body = "\n\n".join(
            [
                _("Hello,"),
                f"{what} {report.number}: {line()}",
                _(
                    "Open it at %(url)s with the report number and your access key to read more.",
                    url=track_url(),
                ),
                _(
                    "This is an automatic message; replies are not read. We never ask for your "
                    "access key by email or phone."
                ),
            ]
        )
    return subject, body + "\n"


def notify_reporter(report, kind, line):
    """Queue a mail to the reporter if they gave an address; `line` is called in their language."""
    recipient = reporter_email(report)
    if recipient is None:
        return None
    subject, body = _reporter_mail(report, line)
    return queue_mail(kind, recipient, subject, body, report=report)


def notify_state_change(report, target):
    """Called by operations._change_state for every move: the one place this rule lives."""
    target = State(target)
    if target in NOT_NOTIFIED:
        return None
    legal = target in LEGAL_NOTICES[Kind(report.kind)] and (
        report.kind == Kind.COMPLAINT or not report.anonymous
    )
    kind = NotificationKind.LEGAL_NOTICE if legal else NotificationKind.STATE_CHANGE

    def line():
        text = _("Status now: %(state)s.", state=public_state_text(report.kind, target))
        if legal:
            text += " " + _(
                "This is the formal notice of the decision; its grounds are on the report's page."
            )
        return text

    return notify_reporter(report, kind, line)


def notify_new_message(report):
    """Staff wrote to the reporter: the mail says so, never what was written."""
    return notify_reporter(
        report,
        NotificationKind.MESSAGE,
        lambda: _("The department has sent you a message. Read it and answer on the report's page."),
    )


def queue_receipt_mail(report, recipient, numbers):
    """ "Email me my receipt": the report number(s) only, never the access key."""

    def line():
        return _(
            "You asked us to email you the number of your report: %(numbers)s. Keep your access key "
            "apart from this email: it is never sent by email.",
            numbers=", ".join(numbers),
        )

    subject, body = _reporter_mail(report, line)
    return queue_mail(NotificationKind.RECEIPT, recipient, subject, body, report=report)


def email_receipt(report, address):
    """The reporter asks for their report number(s) by email (never the key); audited without
    the address. A linked pair's second number goes in the same mail."""
    from portal.reports.linking import shares_receipt  # linking imports operations, which imports us

    numbers = [report.number]
    if shares_receipt(report, report.linked_report):
        numbers.append(report.linked_report.number)
    row = queue_receipt_mail(report, address, numbers)
    db.session.flush()
    record_event("receipt.emailed", report, CITIZEN, {"outbox_id": row.id, "numbers": numbers})
    return row
