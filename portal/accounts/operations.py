"""Staff accounts: sign-in, sign-out, password changes, deactivation. Views only carry cookies."""

import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from portal.accounts import throttle
from portal.accounts.models import DEPARTMENT_ROLES, Role, User, dummy_password_check
from portal.accounts.passwords import AccountError
from portal.audit.chain import Actor, record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.sessions.models import EndReason, SessionKind
from portal.sessions.operations import (
    end_session,
    end_user_sessions,
    find_live_session,
    open_session,
    resume_session,
)

# Who tried to sign in is not known yet; the name typed and the address go in the event's data.
SIGN_IN_DESK = Actor("system", "sign-in")
AUDITED_NAME_LENGTH = 80


class SignInRefused(AccountError):
    """Sign-in failed; `code` says what the person may be told, `wait` how long a lock lasts."""

    def __init__(self, code, wait=None):
        super().__init__(code)
        self.wait = wait or timedelta(0)


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str  # for the cookie; the server keeps only its hash


def printable(text, limit=AUDITED_NAME_LENGTH):
    """Text fit for the audit log: no control or format characters, bounded length."""
    kept = "".join(ch for ch in text or "" if not unicodedata.category(ch).startswith("C"))
    return kept[:limit]


def sign_in(username, password, address, env):
    """Check a sign-in; raise SignInRefused (counted and audited) or open a staff session."""
    from portal.demo import password_refused_in  # the demo seed imports this module

    name = (username or "").strip()
    now = utcnow()
    wait = throttle.wait_before_sign_in(name, address, now)
    if wait:
        _audit_failure(None, username, address, "locked")
        raise SignInRefused("locked", wait)
    user, reason = _check_password(name, password)
    if password_refused_in(env, password):  # whoever's it is, so it reveals no account
        reason = "demo_password"
    if reason is not None:
        throttle.count_failure(name, address, now)
        _audit_failure(user, username, address, reason)
        wait = throttle.wait_before_sign_in(name, address, now)
        raise SignInRefused("demo_password" if reason == "demo_password" else "wrong_credentials", wait)
    if not user.needs_second_factor:  # otherwise the count is cleared once the code passes
        throttle.forget_account_failures(name)
    record_event("user.signed_in", user, Actor.for_user(user), {"address": address})
    return SignedIn(user, open_session(SessionKind.STAFF, user=user))


def _check_password(name, password):
    """(user, None) if the password opens an active account, else (user or None, reason).

    The password hash is always computed, for unknown and deactivated accounts too, so the
    answer takes as long whatever the reason.
    """
    user = None
    if name == printable(name):  # a control character can be in no username
        user = db.session.scalar(select(User).where(User.username == name))
    if user is None:
        dummy_password_check(password)
        return None, "unknown_user"
    if not user.check_password(password):
        return user, "wrong_password"
    if not user.active:
        return user, "inactive"
    return user, None


def _audit_failure(user, typed_name, address, reason):
    """Failed sign-ins are audited with the name as typed, never the password."""
    data = {"username": printable(typed_name), "address": address, "reason": reason}
    record_event("user.sign_in_failed", user, SIGN_IN_DESK, data)


def resume_staff_session(token, user_id):
    """The live staff session this cookie still stands for, or None once it is over."""
    record = resume_session(token, SessionKind.STAFF)
    if record is None or str(record.user_id) != str(user_id):
        return None
    return record


def sign_out(user, token):
    """End this browser's session on the server, so a copy of the cookie stops working too."""
    record = find_live_session(token, SessionKind.STAFF)
    if record is not None and record.user_id == user.id:
        end_session(record, EndReason.SIGNED_OUT, Actor.for_user(user))


def create_user(username, display_name, role, department, password, actor):
    """A new staff account; its password must meet the rule, its role fit its department."""
    role = Role(role)
    if (department is not None) != (role in DEPARTMENT_ROLES):
        raise AccountError("department_required" if department is None else "department_not_allowed")
    if not username or username != printable(username) or " " in username:
        raise AccountError("username_invalid")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError("username_taken")
    user = User(username=username, display_name=display_name, role=role, department=department)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_event("user.created", user, actor, {"role": Role(role).value})
    return user


def change_password(user, password, actor):
    """A new password ends every session opened with the old one."""
    user.set_password(password)
    record_event("user.password_changed", user, actor)
    end_user_sessions(user, EndReason.PASSWORD_CHANGED, actor)


def set_email(user, email, actor):
    """The work address the leads' digests go to (None or empty: no digests). Checked for form,
    never for delivery; the address itself stays out of the audit chain, which keeps forever."""
    email = (email or "").strip() or None
    if email is not None:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            raise AccountError("email_invalid") from None
    if email == user.email:
        return False
    user.email = email
    record_event("user.email_changed", user, actor, {"set": email is not None})
    return True


def deactivate_user(user, actor):
    """A deactivated account is signed out everywhere at once; nobody locks themselves out."""
    if actor.user_id is not None and actor.user_id == user.id:
        raise AccountError("cannot_deactivate_self")
    user.active = False
    record_event("user.deactivated", user, actor)
    end_user_sessions(user, EndReason.DEACTIVATED, actor)
