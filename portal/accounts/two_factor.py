"""The second factor: TOTP enrolment, codes at sign-in, recovery codes, reset. Views only carry
cookies; every failure is counted in the sign-in throttle and audited like a wrong password."""

from sqlalchemy import delete, func, select

from portal.accounts import throttle, totp
from portal.accounts.models import RecoveryCode
from portal.accounts.operations import SignInRefused
from portal.accounts.passwords import AccountError
from portal.audit.chain import Actor, record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.sessions.models import EndReason
from portal.sessions.operations import end_user_sessions


def second_factor_pending(user, record):
    """True while this staff session has passed only the password but needs more."""
    return user.needs_second_factor and (record is None or record.second_factor_at is None)


def begin_enrolment(user):
    """The secret to enrol (made once, kept encrypted until a first code confirms it)."""
    if user.totp_enrolled:
        raise AccountError("totp_already_enrolled")
    if user.totp_secret is None:
        user.totp_secret = totp.new_secret()
    return user.totp_secret


def confirm_enrolment(user, code, record, address):
    """A first good code proves the app holds the secret; returns the ten recovery codes (once)."""
    now = _check_lock(user, address)
    if user.totp_enrolled or user.totp_secret is None:
        raise AccountError("totp_already_enrolled" if user.totp_enrolled else "totp_not_started")
    counter = totp.matching_counter(user.totp_secret, code, now)
    if counter is None:
        _fail(user, address, now, "wrong_code", "enrolment")
    user.totp_confirmed_at, user.totp_last_counter = now, counter
    codes = _replace_recovery_codes(user)
    record_event("user.totp_enrolled", user, Actor.for_user(user), {"recovery_codes": len(codes)})
    _passed(user, record, address, now, "totp")
    return codes


def pass_second_factor(user, code, record, address):
    """Accept a TOTP code (each time step once) or an unused recovery code, or refuse it."""
    now = _check_lock(user, address)
    db.session.refresh(user, with_for_update=True)  # two tabs cannot spend one code twice
    if not user.totp_enrolled:
        raise AccountError("totp_not_enrolled")
    if totp.looks_like_totp(code):
        _accept_totp(user, code, address, now)
        method = "totp"
    else:
        _spend_recovery_code(user, code, address, now)
        method = "recovery_code"
    _passed(user, record, address, now, method)


def enrol_with_secret(user, secret, actor):
    """Enrol with a secret chosen elsewhere (the demo's published ones), without recovery codes."""
    user.totp_secret, user.totp_confirmed_at, user.totp_last_counter = secret, utcnow(), None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record_event("user.totp_enrolled", user, actor, {"recovery_codes": 0})


def reset_totp(user, actor):
    """Forget the secret and the recovery codes; the next sign-in enrols afresh. Every live
    session ends too: a reset follows a lost or stolen phone, and a session that passed the old
    second factor must not outlive it (as deactivation and a new password do)."""
    had = user.totp_enrolled
    user.totp_secret = user.totp_confirmed_at = user.totp_last_counter = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record_event("user.totp_reset", user, actor, {"was_enrolled": had})
    end_user_sessions(user, EndReason.TOTP_RESET, actor)


def recovery_codes_left(user):
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def _accept_totp(user, code, address, now):
    counter = totp.matching_counter(user.totp_secret, code, now)
    if counter is None:
        _fail(user, address, now, "wrong_code", "totp")
    if user.totp_last_counter is not None and counter <= user.totp_last_counter:
        _fail(user, address, now, "reused_code", "totp")
    user.totp_last_counter = counter


def _spend_recovery_code(user, code, address, now):
    row = db.session.scalar(
        select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == totp.recovery_hash(user.totp_secret, code),
        )
        .with_for_update()
    )
    if row is None:
        _fail(user, address, now, "wrong_code", "recovery_code")
    if row.used_at is not None:
        _fail(user, address, now, "reused_code", "recovery_code")
    row.used_at = now
    record_event("user.recovery_code_used", user, Actor.for_user(user), {"left": recovery_codes_left(user)})


def _replace_recovery_codes(user):
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=totp.recovery_hash(user.totp_secret, code)))
    return codes


def _check_lock(user, address):
    """The same locks as the password step: one budget for every guess at this account."""
    now = utcnow()
    wait = throttle.wait_before_sign_in(user.username, address, now)
    if wait:
        _audit_failure(user, address, "locked", "second_factor")
        raise SignInRefused("locked", wait)
    return now


def _fail(user, address, now, reason, method):
    throttle.count_failure(user.username, address, now)
    _audit_failure(user, address, reason, method)
    raise SignInRefused(reason, throttle.wait_before_sign_in(user.username, address, now))


def _audit_failure(user, address, reason, method):
    data = {"address": address, "reason": reason, "method": method}
    record_event("user.second_factor_failed", user, Actor.for_user(user), data)


def _passed(user, record, address, now, method):
    throttle.forget_account_failures(user.username)
    if record is not None:
        record.second_factor_at = now
    record_event(
        "user.second_factor_passed", user, Actor.for_user(user), {"address": address, "method": method}
    )
