"""Changes to the calendar: the State Council's schedule for a year (`flask holidays import`)
and an administrator's overrides of single days. Each change is audited; repeating one is not."""

from datetime import date, timedelta

from sqlalchemy import delete, extract, select

from portal.audit.chain import record_event
from portal.clock import local_today
from portal.deadlines.calendar import Calendar
from portal.deadlines.models import CalendarDay
from portal.extensions import db
from portal.reports.errors import ReportError


class ScheduleError(ValueError):
    """The schedule file is not in the documented format; nothing was loaded."""


def _dates(first, last):
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def parse_schedule(document):
    """{date: (working, note)} from {"year", "holidays": [[from, to, name]...], "workdays": [...]}."""
    try:
        year = int(document["year"])
        days = {}
        for first, last, name in document.get("holidays", []):
            for day in _dates(date.fromisoformat(first), date.fromisoformat(last)):
                days[day] = (False, str(name))
        for day in document.get("workdays", []):
            days[date.fromisoformat(day)] = (True, "调休上班")
    except (KeyError, TypeError, ValueError) as exc:
        raise ScheduleError(f"not a holiday schedule: {exc}") from None
    if not days or any(day.year != year for day in days):
        raise ScheduleError(f"every date must be in {year}, and there must be at least one")
    return year, days


def import_schedule(document, actor):
    """Make the year's imported rows exactly the schedule's; returns how many rows changed."""
    year, days = parse_schedule(document)
    stored = {
        row.day: row
        for row in db.session.scalars(
            select(CalendarDay).where(
                CalendarDay.source == "import", extract("year", CalendarDay.day) == year
            )
        )
    }
    changed = 0
    for day, row in stored.items():
        if day not in days:
            db.session.delete(row)
            changed += 1
    for day, (working, note) in days.items():
        row = stored.get(day)
        if row is None:
            db.session.add(CalendarDay(day=day, working=working, note=note, source="import"))
        elif (row.working, row.note) == (working, note):
            continue
        else:
            row.working, row.note = working, note
        changed += 1
    if changed:
        record_event("calendar.imported", None, actor, {"year": year, "days": len(days), "changed": changed})
    return year, changed


def overrides():
    return db.session.scalars(
        select(CalendarDay).where(CalendarDay.source == "override").order_by(CalendarDay.day)
    ).all()


def set_override(day, working, note, actor):
    """An administrator states whether a day is worked; it wins over every other source."""
    row = db.session.scalar(
        select(CalendarDay).where(CalendarDay.source == "override", CalendarDay.day == day)
    )
    if row is not None:
        raise ReportError("override_exists", str(day))
    row = CalendarDay(day=day, working=working, note=note or "", source="override")
    db.session.add(row)
    db.session.flush()
    record_event("calendar.override_set", row, actor, {"day": day, "working": working, "note": row.note})
    return row


def remove_override(day, actor):
    found = db.session.execute(
        delete(CalendarDay).where(CalendarDay.source == "override", CalendarDay.day == day)
    ).rowcount
    if not found:
        raise ReportError("override_missing", str(day))
    record_event("calendar.override_removed", None, actor, {"day": day})


def provisional_years(today=None):
    """This year and next, where only the computed calendar knows them."""
    year = (today or local_today()).year
    calendar = Calendar()
    return [y for y in (year, year + 1) if calendar.year_is_provisional(y)]
