"""Personal API tokens for staff: `flask users token` prints one once; only its keyed hash is
stored (RECEIPT_KEYS ring, purpose "api-token", the key's id beside it so keys can rotate). A token
carries its user's role and department: the API loads the user and asks the back office's checks.
Every use is audited (api.token_used) and stamps last_used_at."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.audit.chain import Actor, record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.security import keyed_hash, receipt_keys

PURPOSE = "api-token"
PREFIX = "pat_"
DEFAULT_EXPIRY_DAYS = 90


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()

    def usable_at(self, now):
        return self.revoked_at is None and now < self.expires_at and self.user.active


class TokenError(ValueError):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _hash(plain, key):
    return keyed_hash(PURPOSE, plain, key)


def create_token(user, actor, expires_days=DEFAULT_EXPIRY_DAYS):
    """A new token for a staff user: (row, the plain token, shown once and never stored)."""
    if not user.active:
        raise TokenError("user_inactive")
    if expires_days < 1:
        raise TokenError("expiry_too_short")
    ring, now = receipt_keys(), utcnow()
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        token_hash=_hash(plain, ring.current),
        key_id=ring.current_id,
        created_at=now,
        expires_at=now + timedelta(days=expires_days),
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        "api.token_created",
        token,
        actor,
        {"token": token.id, "user": user.username, "expires_days": expires_days},
    )
    return token, plain


def find_token(plain):
    """The token row for a plain token under whichever receipt key hashed it, or None."""
    if not plain or not plain.startswith(PREFIX) or len(plain) > 100:
        return None
    hashes = {_hash(plain, key): kid for kid, key in receipt_keys().keys}
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash.in_(hashes)))
    if token is None or hashes[token.token_hash] != token.key_id:
        return None
    return token


def use_token(plain, endpoint, method):
    """The user behind a live token (its use audited and stamped), or None: unknown, expired,
    revoked, or its user deactivated all answer the same."""
    token, now = find_token(plain), utcnow()
    if token is None or not token.usable_at(now):
        return None
    token.last_used_at = now
    record_event(
        "api.token_used",
        token,
        Actor.for_user(token.user),
        {"token": token.id, "endpoint": endpoint, "method": method},
    )
    return token.user


def tokens_to_revoke(token_id_or_username):
    """Live tokens named by id, or every live token of a user."""
    query = select(ApiToken).where(ApiToken.revoked_at.is_(None))
    if str(token_id_or_username).isdigit():
        return db.session.scalars(query.where(ApiToken.id == int(token_id_or_username))).all()
    user_ids = select(User.id).where(User.username == token_id_or_username)
    return db.session.scalars(query.where(ApiToken.user_id.in_(user_ids)).order_by(ApiToken.id)).all()


def revoke_tokens(token_id_or_username, actor):
    """Revoke; returns the tokens revoked (empty: nothing live matched)."""
    tokens, now = tokens_to_revoke(token_id_or_username), utcnow()
    for token in tokens:
        token.revoked_at = now
        record_event("api.token_revoked", token, actor, {"token": token.id})
    return tokens
