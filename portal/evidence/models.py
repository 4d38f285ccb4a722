from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


class Evidence(db.Model):
    __tablename__ = "evidence"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="not_empty"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    supplement_id: Mapped[int | None] = mapped_column(ForeignKey("supplements.id"))
    # A file the reporter attached to an answer (portal/messages); null for intake and supplements.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    metadata_stripped: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    report: Mapped["Report"] = relationship(back_populates="evidence")  # noqa: F821
    supplement: Mapped["Supplement | None"] = relationship()  # noqa: F821
