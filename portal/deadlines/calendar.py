"""Which days are working days, from the best source that knows each date.

Per date, in order: (1) a row of `calendar_days` — an administrator's override wins over the
imported State Council schedule; a year with an imported schedule is then known in full (its
unlisted days are plain weekdays and weekends); (2) the `chinesecalendar` package (it knows
2004–2026 and raises for other years); (3) the computed provisional calendar (provisional.py),
whose answers are flagged so every deadline counted on it says so.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from portal.deadlines import provisional
from portal.directory.rows import calendar_year


@dataclass(frozen=True)
class DayInfo:
    working: bool
    source: str  # override, import, chinesecalendar, weekdays (an imported year), provisional
    note: str = ""

    @property
    def provisional(self):
        return self.source == "provisional"


@dataclass(frozen=True)
class Count:
    """A date reached by counting days, and whether any day counted was provisional."""

    day: date
    provisional: bool


class Calendar:
    """The calendar as stored now; reads each year's rows once (one per sweep or request)."""

    def __init__(self):
        self._years = {}

    def _rows(self, year):
        if year not in self._years:
            self._years[year] = calendar_year(year)
        return self._years[year]

    def year_is_provisional(self, year):
        """True when neither an imported schedule nor chinesecalendar covers the year."""
        return not self._rows(year)["import"] and not _package_knows(year)

    def day(self, day):
        rows = self._rows(day.year)
        for source in ("override", "import"):
            row = rows[source].get(day)
            if row is not None:
                return DayInfo(row.working, source, row.note)
        if rows["import"]:
            return DayInfo(day.weekday() < 5, "weekdays")
        return _unstored_day(day)

    def is_working_day(self, day):
        return self.day(day).working

    def add_working_days(self, start, n):
        """The n-th working day after `start` (the start day itself does not count)."""
        day, flagged = start, False
        while n > 0:
            day += timedelta(days=1)
            info = self.day(day)
            flagged = flagged or info.provisional
            n -= info.working
        return Count(day, flagged)

    def working_days_between(self, a, b):
        """Working days after `a` up to and including `b` (negative when b is before a)."""
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self.day(a + timedelta(days=k)).working for k in range(1, (b - a).days + 1))


@lru_cache(maxsize=8192)
def _unstored_day(day):
    """A day no stored row speaks of: the package's answer, or the provisional one. Both are fixed
    for a given version of the code, so each process asks once per day (counting a deadline asks
    about dozens of days; the package checks its date range on every call)."""
    try:
        return DayInfo(chinese_calendar.is_workday(day), "chinesecalendar")
    except NotImplementedError:
        return DayInfo(provisional.is_working_day(day), "provisional")


def _package_knows(year):
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day):
    return Calendar().is_working_day(day)


def add_working_days(start, n):
    return Calendar().add_working_days(start, n).day


def working_days_between(a, b):
    return Calendar().working_days_between(a, b)
