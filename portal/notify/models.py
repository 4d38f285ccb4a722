"""The outbox: every notification is a row written in the same transaction as the change that
caused it, and delivered afterwards by `flask outbox deliver` (portal/notify/delivery.py).

A row goes pending → sending → sent, or → dead after OUTBOX_MAX_ATTEMPTS tries or at once on a
permanent SMTP refusal; `sending` is committed (with the attempt counted) before the mail leaves.
Its message_id is the mail's Message-ID, so a resend after a crash is recognisably the same mail.
"""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.reports.models import Report, _in
from portal.security import EncryptedText


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


class NotificationKind(enum.StrEnum):
    MESSAGE = "message"  # staff wrote to the reporter
    STATE_CHANGE = "state_change"  # the report moved to a state the citizen is told of
    LEGAL_NOTICE = "legal_notice"  # a notice the law requires (acceptance, refusal, case decision…)
    RECEIPT = "receipt"  # "email me my receipt": the report number only
    DIGEST = "digest"  # a lead's daily list of due, overdue and waiting reports


class Outbox(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("state", OutboxState), name="state_valid"),
        CheckConstraint(_in("kind", NotificationKind), name="kind_valid"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("state != 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        # What the deliverer asks for: due rows by time (pending, or sending past its lease).
        Index("ix_outbox_state_next_attempt", "state", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # A UUID: the Message-ID of every attempt (idempotency as the recipient's mail client sees it).
    message_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(EncryptedText)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    # Set for notifications that may exist once only (a digest per lead, department and day).
    dedup_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(10), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    # When the row is due: the next retry, or for `sending` the end of the deliverer's lease.
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    report: Mapped[Report | None] = relationship()
