"""How long a submission holds the two serialisation points: the number counter's row lock and
the audit chain head's row lock (both held from their UPDATE until the commit ends)."""

import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

NUMBERING = "INSERT INTO report_sequences"
CHAIN_HEAD = "UPDATE audit_chain_head"


@dataclass
class LockTimes:
    numbering_ms: list = field(default_factory=list)
    chain_head_ms: list = field(default_factory=list)
    _taken: dict = field(default_factory=dict)

    def statement(self, sql):
        for name in (NUMBERING, CHAIN_HEAD):
            if sql.startswith(name):
                self._taken.setdefault(name, time.perf_counter())

    def committed(self):
        now = time.perf_counter()
        for name, into in ((NUMBERING, self.numbering_ms), (CHAIN_HEAD, self.chain_head_ms)):
            if name in self._taken:
                into.append((now - self._taken.pop(name)) * 1000)
        self._taken.clear()

    def summary(self):
        def median(values):
            return f"{statistics.median(values):.2f} ms" if values else "n/a"

        return (
            f"numbering lock held {median(self.numbering_ms)}, audit chain head lock held "
            f"{median(self.chain_head_ms)} (median of {len(self.numbering_ms)} submissions, one at a time)"
        )


@contextmanager
def timing_locks(engine):
    """Record, per transaction, the time from each lock's UPDATE to the end of the commit."""
    times = LockTimes()

    def before(conn, cursor, statement, parameters, context, executemany):
        times.statement(" ".join(statement.split()))

    def after_commit(session):
        times.committed()  # after the database's COMMIT returned: the locks are free now

    event.listen(engine, "before_cursor_execute", before)
    event.listen(Session, "after_commit", after_commit)
    try:
        yield times
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(Session, "after_commit", after_commit)
