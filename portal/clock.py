"""The one source of 'now' (naive UTC). Demo data and tests can set it; nothing else should."""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_fixed: ContextVar[datetime | None] = ContextVar("fixed_now", default=None)


def utcnow():
    fixed = _fixed.get()
    return fixed if fixed is not None else datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def frozen_at(moment):
    """Run a block as if it were `moment` (naive UTC)."""
    token = _fixed.set(moment)
    try:
        yield
    finally:
        _fixed.reset(token)
