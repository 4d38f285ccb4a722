"""Internal notes: what staff write on a case. Citizens never see them (not on the status page,
not in the public timeline)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db

NOTE_MAX_CHARS = 5000


class Note(db.Model):
    __tablename__ = "notes"
    __table_args__ = (CheckConstraint("length(body) > 0", name="not_empty"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    author: Mapped[User] = relationship()
