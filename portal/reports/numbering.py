"""Report numbers: JB-2026-000123 (tips), TS-2026-000045 (complaints), per year and kind.

The counter row is created at 1 or incremented by one INSERT … ON CONFLICT DO UPDATE … RETURNING,
whose row lock serialises concurrent submissions on PostgreSQL (SQLite serialises all writers).
A rolled-back submission also rolls back its increment, so numbers have no gaps.
"""

from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.reports.models import ReportSequence
from portal.reports.states import NUMBER_PREFIX, Kind

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def next_number(kind, year):
    kind = Kind(kind)
    insert = _INSERTS[db.session.get_bind().dialect.name]
    # One statement takes the lock and the next value: the row is created at 1 or incremented.
    statement = (
        insert(ReportSequence)
        .values(kind=kind.value, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=["kind", "year"], set_={"last_value": ReportSequence.last_value + 1}
        )
        .returning(ReportSequence.last_value)
    )
    value = db.session.execute(statement).scalar_one()
    return f"{NUMBER_PREFIX[kind]}-{year}-{value:06d}"
