"""Staff users. Citizens have no accounts: they hold a receipt instead."""

import contextlib
import enum
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from argon2.profiles import CHEAPEST
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, DateTime, Enum, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.passwords import check_new_password
from portal.directory.models import Department
from portal.extensions import db
from portal.security import EncryptedText

# argon2id with the library's defaults (RFC 9106 low-memory profile). The test suite may switch to
# the cheapest parameters with FAST_PASSWORD_HASHES: a setting never read from the environment and
# refused by PORTAL_ENV=production; the suite hashes hundreds of passwords whose cost it does not test.
_STRONG = PasswordHasher()
_FAST = PasswordHasher.from_parameters(CHEAPEST)


def _hasher():
    fast = has_app_context() and current_app.config.get("FAST_PASSWORD_HASHES")
    return _FAST if fast else _STRONG


class Role(enum.StrEnum):
    STAFF = "staff"  # 承办人
    LEAD = "lead"  # 负责人
    FINANCE = "finance"  # 财务
    AUDITOR = "auditor"  # 审计
    ADMIN = "admin"  # system administrator


# Roles that work inside one department and must have one.
DEPARTMENT_ROLES = (Role.STAFF, Role.LEAD)
# Roles whose sign-in always needs a second factor (TOTP); staff may choose to enrol.
SECOND_FACTOR_ROLES = (Role.LEAD, Role.FINANCE, Role.AUDITOR, Role.ADMIN)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role NOT IN ('staff', 'lead') OR department_id IS NOT NULL",
            name="department_role_has_department",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="user_role",
            native_enum=False,
            create_constraint=True,  # a CHECK: without it any string would do
            values_callable=lambda e: [m.value for m in e],
        )
    )
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # Where the daily digest goes (leads); staff addresses are work addresses, not personal data.
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    department: Mapped[Department | None] = relationship()
    # The TOTP secret (base32), encrypted at rest; set at enrolment, confirmed by a first code.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText)
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The last time step whose code was accepted: a code is good once, even within its window.
    totp_last_counter: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def is_active(self):
        return self.active

    @property
    def totp_enrolled(self):
        return self.totp_confirmed_at is not None

    @property
    def needs_second_factor(self):
        """Required roles always; staff once they have enrolled of their own accord."""
        return self.role in SECOND_FACTOR_ROLES or self.totp_enrolled

    def set_password(self, password):
        """Hash a new password; the length rule applies wherever a password is set."""
        check_new_password(password)
        self.password_hash = _hasher().hash(password)

    def check_password(self, password):
        try:
            return _hasher().verify(self.password_hash, password)
        except (VerifyMismatchError, InvalidHashError):
            return False


class SignInThrottle(db.Model):
    """Failed sign-ins per account name or per address, shared by every worker."""

    __tablename__ = "sign_in_throttles"
    __table_args__ = (
        CheckConstraint("scope IN ('account', 'address')", name="scope_valid"),
        UniqueConstraint("scope", "key_hash", name="uq_sign_in_throttles_scope_key_hash"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))
    # SHA-256 of the name as typed or of the address: fixed length, nothing readable at rest.
    key_hash: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class RecoveryCode(db.Model):
    """One of the ten codes shown once at enrolment; each opens one sign-in, then never again."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash", name="uq_recovery_codes_user_id_code_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Keyed hash of the code (portal/accounts/totp.py says why not argon2).
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


def dummy_password_check(password):
    """Spend the same time as a real check so unknown usernames are not revealed by timing."""
    with contextlib.suppress(VerifyMismatchError):
        hasher = _hasher()
        hasher.verify(_DUMMY_HASHES[hasher is _FAST], password)
    return False


# One hash of a password nobody has, made with each hasher, for dummy_password_check().
_DUMMY_HASHES = {False: _STRONG.hash("not-a-real-password"), True: _FAST.hash("not-a-real-password")}
