"""Budgets for the posts and uploads that cost disk and CPU, per client address and per browser
session, counted in the rate limiter's storage (memory:// in tests, the shared Redis in
production) so that every worker counts against the same budget.

The views check them themselves instead of using @limiter.limit: a decorated limit answers with
the generic 429 page, and the citizen would lose everything typed into the form.
"""

import math
import secrets
import time

from flask import current_app, session
from flask_limiter.util import get_remote_address
from limits import parse_many

from portal.extensions import limiter

MB = 1024 * 1024
SESSION_KEY = "uploader"  # a random id for this browser's upload budget
PREFIX = "portal-budget"


def _enabled():
    return current_app.config["RATELIMIT_ENABLED"]


def _budgets(setting, who):
    namespace = current_app.config.get("RATELIMIT_KEY_PREFIX") or PREFIX  # one Redis, many sites
    return [(item, (namespace, setting, who)) for item in parse_many(current_app.config[setting])]


def _wait_minutes(budgets):
    """How long until every exhausted budget has room again, in whole minutes (at least 1)."""
    resets = [limiter.limiter.get_window_stats(item, *ids).reset_time for item, ids in budgets]
    return max(1, math.ceil((max(resets) - time.time()) / 60))


def _charge(budgets, cost=1):
    """Take `cost` from every budget, or from none if any would be overdrawn."""
    strategy = limiter.limiter
    exhausted = [(item, ids) for item, ids in budgets if not strategy.test(item, *ids, cost=cost)]
    if exhausted:
        return exhausted
    for item, ids in budgets:
        strategy.hit(item, *ids, cost=cost)
    return []


def post_refused(setting):
    """Count one post against `setting` for this address; minutes to wait if over it, else None."""
    if not _enabled():
        return None
    exhausted = _charge(_budgets(setting, get_remote_address()))
    return _wait_minutes(exhausted) if exhausted else None


def _session_id():
    if SESSION_KEY not in session:
        session[SESSION_KEY] = secrets.token_urlsafe(12)
    return session[SESSION_KEY]


def upload_refused(size_bytes):
    """Charge an upload's megabytes to this session and this address; True if over either."""
    if not _enabled():
        return False
    budgets = _budgets("UPLOAD_MB_PER_SESSION", _session_id()) + _budgets(
        "UPLOAD_MB_PER_ADDRESS", get_remote_address()
    )
    return bool(_charge(budgets, cost=max(1, math.ceil(size_bytes / MB))))


def address_upload_refused(size_bytes):
    """Charge an upload's megabytes to this address only (the API has no browser session)."""
    if not _enabled():
        return False
    budgets = _budgets("UPLOAD_MB_PER_ADDRESS", get_remote_address())
    return bool(_charge(budgets, cost=max(1, math.ceil(size_bytes / MB))))
