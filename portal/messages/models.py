"""Messages between staff and the reporter. The body is encrypted at rest: reporters may write
personal data into it. A reporter's message has no author (never the reporter's identity)."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.evidence.models import Evidence
from portal.extensions import db
from portal.reports.models import _in
from portal.security import EncryptedText

MESSAGE_MAX_CHARS = 5000


class Direction(enum.StrEnum):
    TO_REPORTER = "to_reporter"  # staff asked or told the reporter something
    FROM_REPORTER = "from_reporter"  # the reporter answered through the receipt


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(_in("direction", Direction), name="direction_valid"),
        # Staff messages name their author; a reporter's never names anyone.
        CheckConstraint(
            "(direction = 'to_reporter') = (author_id IS NOT NULL)", name="author_only_for_staff"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    direction: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Evidence]] = relationship(order_by=Evidence.id)

    @property
    def from_reporter(self):
        return self.direction == Direction.FROM_REPORTER
