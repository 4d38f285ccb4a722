"""Session rows. The cookie carries a random token; only its hash is stored, with its fate."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db
from portal.reports.models import Report


class SessionKind(enum.StrEnum):
    STAFF = "staff"  # a signed-in staff member
    TRACKING = "tracking"  # a citizen who opened a report with its receipt


class EndReason(enum.StrEnum):
    SIGNED_OUT = "signed_out"
    LEFT = "left"  # the citizen pressed "leave"
    IDLE = "idle"
    EXPIRED = "expired"  # the absolute lifetime ran out
    DEACTIVATED = "deactivated"
    PASSWORD_CHANGED = "password_changed"
    TOTP_RESET = "totp_reset"  # the second factor was reset (a lost phone): sign in again
    REPLACED = "replaced"  # the browser opened another report


def _in(column, enum_cls):
    return f"{column} IN ({', '.join(repr(m.value) for m in enum_cls)})"


class WebSession(db.Model):
    __tablename__ = "web_sessions"
    __table_args__ = (
        CheckConstraint(_in("kind", SessionKind), name="kind_valid"),
        CheckConstraint(_in("end_reason", EndReason), name="end_reason_valid"),
        CheckConstraint(
            "(kind = 'staff' AND user_id IS NOT NULL AND report_id IS NULL)"
            " OR (kind = 'tracking' AND report_id IS NOT NULL AND user_id IS NULL)",
            name="kind_has_its_owner",
        ),
        CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)", name="ended_has_reason"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(String(20))
    # When this staff session passed the second factor (TOTP or a recovery code); until then
    # it reaches only the second-factor pages and sign-out.
    second_factor_at: Mapped[datetime | None] = mapped_column(DateTime)
    user: Mapped[User | None] = relationship()
    report: Mapped[Report | None] = relationship()
