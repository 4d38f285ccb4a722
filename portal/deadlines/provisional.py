"""The computed calendar for a year nobody loaded: weekends plus the statutory holidays.

The rule implemented is the one in force since 2025 (全国年节及纪念日放假办法, 2024 amendment):
New Year's Day 1 January; Spring Festival 4 days, lunar New Year's Eve to the 3rd day of the
first lunar month; Qingming 1 day, the day of the Qingming solar term; Labour Day 1–2 May;
Dragon Boat 1 day, 5th of the 5th lunar month; Mid-Autumn 1 day, 15th of the 8th lunar month;
National Day 1–3 October. The State Council's yearly schedule also moves weekends around these
(调休) and gives days for holidays that fall on a weekend; nobody can compute those in advance,
so every result from here is flagged provisional until the year's schedule is imported.
"""

from datetime import date, timedelta
from functools import cache

from lunar_python import Lunar, Solar


def _lunar(year, month, day):
    return date.fromisoformat(Lunar.fromYmd(year, month, day).getSolar().toYmd())


@cache
def statutory_holidays(year):
    """{date: name} of the statutory holidays in a Gregorian year, from the lunar calendar."""
    new_year = _lunar(year, 1, 1)
    qingming = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    days = {date(year, 1, 1): "元旦", date.fromisoformat(qingming.toYmd()): "清明节"}
    days |= {new_year + timedelta(days=n): "春节" for n in range(-1, 3)}
    days |= {date(year, 5, d): "劳动节" for d in (1, 2)}
    days |= {_lunar(year, 5, 5): "端午节", _lunar(year, 8, 15): "中秋节"}
    days |= {date(year, 10, d): "国庆节" for d in (1, 2, 3)}
    return {day: name for day, name in days.items() if day.year == year}


def is_working_day(day):
    return day.weekday() < 5 and day not in statutory_holidays(day.year)
