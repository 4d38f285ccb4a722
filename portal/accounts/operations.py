"""Staff sign-in and sign-out: the checks and the audit events (views only handle the session)."""

from sqlalchemy import select

from portal.accounts.models import User, dummy_password_check
from portal.audit.chain import Actor, record_event
from portal.extensions import db


def authenticate(username, password):
    """The active user with this password, or None; unknown names cost as much as wrong passwords."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        dummy_password_check(password)
        return None
    if not (user.active and user.check_password(password)):
        return None
    record_event("user.signed_in", user, Actor.for_user(user))
    return user


def record_sign_out(user):
    record_event("user.signed_out", user, Actor.for_user(user))
