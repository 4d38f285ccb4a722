"""Who filed a report, kept apart from the report row so that loading reports loads no identity.

One person (a Reporter row) can stand behind several reports (a linked complaint and tip-off
share one), and one tip-off can have joint reporters (they share one reward). An anonymous report
has no reporter row unless a contact address was given; then the row holds only that contact.
"""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.security import EncryptedText


class ReporterRole(enum.StrEnum):
    PRIMARY = "primary"  # the person who filed it
    JOINT = "joint"  # a co-reporter of a tip-off, added by staff


class Reporter(db.Model):
    """Identity and contact, every value encrypted at rest with the data key."""

    __tablename__ = "reporters"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    postal_address: Mapped[str | None] = mapped_column(EncryptedText)
    id_number: Mapped[str | None] = mapped_column(EncryptedText)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ReportReporter(db.Model):
    """Links a report to a person, as its primary or a joint reporter."""

    __tablename__ = "report_reporters"
    __table_args__ = (CheckConstraint(f"role IN {tuple(r.value for r in ReporterRole)}", name="role_valid"),)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("reporters.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10), default=ReporterRole.PRIMARY)
    reporter: Mapped[Reporter] = relationship(lazy="select")
