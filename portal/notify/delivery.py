"""Delivering the outbox: claim due rows, send each over SMTP (or print it), mark the outcome.

Exactly-once as the recipient sees it: a row is marked `sending` with its attempt counted and
committed BEFORE the mail leaves, under a lease. If the process dies between sending and marking
`sent`, the row falls due again when the lease ends and is sent again with the same Message-ID
(made from the row's UUID) and the same Date: mail clients and most servers treat two mails with
one Message-ID as one. Nothing is ever lost: a row leaves the table's due set only as `sent` or
`dead`, and a dead letter is on the administrators' page until requeued.

Claiming is a compare-and-set UPDATE (state and attempt count as read), so two deliverers can never
both claim one row; on PostgreSQL the candidate rows are also read FOR UPDATE SKIP LOCKED, so
concurrent deliverers take different rows instead of waiting for each other.
"""

import smtplib
import sys
from dataclasses import dataclass
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import current_app
from sqlalchemy import select, update

from portal.audit.chain import SYSTEM, record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.notify.models import Outbox, OutboxState

# A claimed row is the claimant's for this long; then another deliverer may take it (a crash).
LEASE = timedelta(minutes=10)
CLAIM_BATCH = 10  # rows per claim: 10 × SMTP_TIMEOUT stays well inside the lease
SMTP_TIMEOUT = 20  # seconds per connection step
BACKOFF_BASE = timedelta(minutes=2)  # 2, 4, 8 … minutes between tries
BACKOFF_CAP = timedelta(hours=6)


class PermanentFailure(Exception):
    """The server refused this mail for good (5xx): retrying cannot help."""


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    dead: int = 0

    @property
    def handled(self):
        return self.sent + self.retried + self.dead


def backoff(attempts):
    """Wait after the n-th failed attempt: doubling from BACKOFF_BASE, at most BACKOFF_CAP."""
    return min(BACKOFF_BASE * 2 ** max(0, attempts - 1), BACKOFF_CAP)


def _sender():
    return current_app.config["MAIL_DEFAULT_SENDER"]


def message_id_header(row):
    """<uuid@sender's domain>: the same for every attempt at this row."""
    domain = parseaddr(_sender())[1].rpartition("@")[2] or "portal.invalid"
    return f"<{row.message_id}@{domain}>"


def build_email(row):
    """The mail for an outbox row; identical bytes on every attempt (Message-ID and Date fixed)."""
    mail = EmailMessage()
    mail["From"] = _sender()
    mail["To"] = row.recipient
    mail["Subject"] = row.subject
    mail["Message-ID"] = message_id_header(row)
    mail["Date"] = format_datetime(row.created_at.replace(tzinfo=UTC))
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(row.body)
    return mail


class SmtpMailer:
    """smtplib with Flask-Mail's setting names; one connection per mail."""

    def __init__(self, config):
        self.host, self.port = config["MAIL_SERVER"], config["MAIL_PORT"]
        self.tls = config["MAIL_USE_TLS"]
        self.username, self.password = config["MAIL_USERNAME"], config["MAIL_PASSWORD"]

    def send(self, mail, recipient):
        try:
            with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT) as smtp:
                if self.tls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {codes[0]}") from exc
            raise
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            if exc.smtp_code >= 500:
                raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise


class ConsoleMailer:
    """No MAIL_SERVER (development): print the mail, so `flask outbox deliver` shows it."""

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, mail, recipient):
        out = self.stream or sys.stdout
        out.write(f"---- mail to {recipient} (console mailer: MAIL_SERVER is not set) ----\n")
        for name in ("From", "To", "Subject", "Message-ID", "Date"):
            out.write(f"{name}: {mail[name]}\n")  # decoded: readable, unlike the wire format
        out.write("\n" + mail.get_content())
        out.write("---- end of mail ----\n")
        out.flush()


def mailer_from_config():
    config = current_app.config
    return SmtpMailer(config) if config["MAIL_SERVER"] else ConsoleMailer()


def _due_query(now, limit):
    query = (
        select(Outbox.id, Outbox.state, Outbox.attempts)
        .where(Outbox.state.in_((OutboxState.PENDING, OutboxState.SENDING)), Outbox.next_attempt_at <= now)
        .order_by(Outbox.next_attempt_at, Outbox.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return query


def claim_due(limit=CLAIM_BATCH):
    """Mark up to `limit` due rows `sending` (attempt counted, lease set) and commit; their ids."""
    now = utcnow()
    claimed = []
    for row_id, state, attempts in db.session.execute(_due_query(now, limit)).all():
        # Compare-and-set: the attempt count is the row's version (every claim raises it).
        taken = db.session.execute(
            update(Outbox)
            .where(Outbox.id == row_id, Outbox.state == state, Outbox.attempts == attempts)
            .values(state=OutboxState.SENDING, attempts=Outbox.attempts + 1, next_attempt_at=now + LEASE)
        ).rowcount
        if taken == 1:
            claimed.append(row_id)
    db.session.commit()
    return claimed


def mark_sent(row):
    row.state, row.sent_at, row.last_error = OutboxState.SENT, utcnow(), None


def _error_text(exc, row):
    """What failed, for the administrators' page: never the recipient's address."""
    text = f"{type(exc).__name__}: {exc}".replace(row.recipient, "<recipient>")
    return text[:500]


def _failed(row, exc, permanent):
    row.last_error = _error_text(exc, row)
    if permanent or row.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        row.state = OutboxState.DEAD
        data = {"outbox_id": row.id, "kind": row.kind, "attempts": row.attempts, "permanent": permanent}
        record_event("outbox.dead", row, SYSTEM, data)
        return "dead"
    row.state, row.next_attempt_at = OutboxState.PENDING, utcnow() + backoff(row.attempts)
    return "retried"


def deliver_one(row, mailer):
    """Send one claimed row and record the outcome (the caller commits)."""
    try:
        mailer.send(build_email(row), row.recipient)
    except PermanentFailure as exc:
        return _failed(row, exc, permanent=True)
    except (smtplib.SMTPException, OSError) as exc:  # refused, timed out, 4xx: try again later
        return _failed(row, exc, permanent=False)
    mark_sent(row)
    return "sent"


def deliver_due(mailer=None, limit=None):
    """Deliver every row due now (or up to `limit`); each outcome committed as it happens."""
    mailer = mailer or mailer_from_config()
    result = DeliveryResult()
    while limit is None or result.handled < limit:
        batch = claim_due(CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - result.handled))
        if not batch:
            break
        for row_id in batch:
            outcome = deliver_one(db.session.get(Outbox, row_id), mailer)
            db.session.commit()
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def requeue(row, actor):
    """An administrator sends a dead letter again: due now, with a fresh count of attempts."""
    if row.state != OutboxState.DEAD:
        raise ValueError("only a dead letter can be requeued")
    data = {"outbox_id": row.id, "kind": row.kind, "attempts_before": row.attempts}
    row.state, row.attempts, row.next_attempt_at = OutboxState.PENDING, 0, utcnow()
    record_event("outbox.requeued", row, actor, data)
    return row
