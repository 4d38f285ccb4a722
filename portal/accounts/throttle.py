"""Growing delays after failed sign-ins, per account name and per address.

Only failures count. The counters live in the database so every gunicorn worker sees them.
Unknown names are counted like real ones, so a lock reveals nothing about who has an account.
"""

import hashlib
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from portal.accounts.models import SignInThrottle
from portal.extensions import db

# Failures allowed before the first lock. An office shares one address, so it gets more.
FREE_FAILURES = {"account": 5, "address": 20}
FIRST_LOCK = timedelta(minutes=1)  # doubles with every further failure ...
MAX_LOCK = timedelta(minutes=15)  # ... up to this
FORGET_AFTER = timedelta(hours=1)  # a quiet hour starts the count afresh


def _keys(username, address):
    def digest(scope, value):
        return hashlib.sha256(f"{scope}\x00{value}".encode()).hexdigest()

    return {"account": digest("account", username), "address": digest("address", address or "unknown")}


def lock_after(failures, scope):
    """How long the failures so far lock the account or address (zero while still free)."""
    over = failures - FREE_FAILURES[scope]
    if over < 0:
        return timedelta(0)
    return min(FIRST_LOCK * 2 ** min(over, 10), MAX_LOCK)


def wait_before_sign_in(username, address, now):
    """Time left on the longer of the two locks; zero if neither name nor address is locked."""
    rows = db.session.scalars(
        select(SignInThrottle).where(SignInThrottle.key_hash.in_(_keys(username, address).values()))
    ).all()
    ends = [row.locked_until for row in rows if row.locked_until is not None and row.locked_until > now]
    return max(ends) - now if ends else timedelta(0)


def count_failure(username, address, now):
    """One more failure for the name and for the address; each may now be locked for longer."""
    _forget_stale(now)
    for scope, key in _keys(username, address).items():
        row = _locked_row(scope, key)
        if row.last_failure_at is None or now - row.last_failure_at > FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        lock = lock_after(row.failures, scope)
        row.locked_until = now + lock if lock else None


def forget_account_failures(username):
    """A correct password clears the name's count; the address keeps its count (shared offices)."""
    key = _keys(username, None)["account"]
    row = db.session.scalar(
        select(SignInThrottle).where(SignInThrottle.scope == "account", SignInThrottle.key_hash == key)
    )
    if row is not None:
        row.failures, row.locked_until = 0, None


def _forget_stale(now):
    """Drop counters quiet for longer than FORGET_AFTER (they count as zero anyway).

    Rows another worker holds are skipped, so two purges never wait on each other.
    """
    stale = (
        select(SignInThrottle.id)
        .where(SignInThrottle.last_failure_at < now - FORGET_AFTER)
        .with_for_update(skip_locked=True)
    )
    ids = db.session.scalars(stale).all()
    if ids:
        db.session.execute(delete(SignInThrottle).where(SignInThrottle.id.in_(ids)))


def _locked_row(scope, key):
    """The counter row, created if missing, under a row lock so concurrent workers add up."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(
        insert(SignInThrottle).values(scope=scope, key_hash=key, failures=0).on_conflict_do_nothing()
    )
    return db.session.scalar(
        select(SignInThrottle)
        .where(SignInThrottle.scope == scope, SignInThrottle.key_hash == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
