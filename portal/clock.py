"""The one source of 'now' (naive UTC). Demo data and tests can set it; nothing else should."""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# Beijing time: what people read and what report years and (later) working days are counted in.
LOCAL_TZ_NAME = "Asia/Shanghai"
LOCAL_TZ = ZoneInfo(LOCAL_TZ_NAME)

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


def to_local(moment):
    """Stored times are naive UTC; people read Beijing time."""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


def local_today():
    """Today's date in Beijing: what a citizen means by "today" (UTC lags by 8 hours at night)."""
    return to_local(utcnow()).date()
