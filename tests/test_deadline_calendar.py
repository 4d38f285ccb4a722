"""Working-day arithmetic: chinesecalendar's adjusted days, provisional years, imports, overrides."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.audit.chain import SYSTEM
from portal.audit.models import AuditEvent
from portal.deadlines.calendar import Calendar, add_working_days, is_working_day, working_days_between
from portal.deadlines.holidays import ScheduleError, import_schedule, set_override
from portal.extensions import db

pytestmark = pytest.mark.usefixtures("app")

# A made-up 2027 schedule in the documented format (the real one is published in late 2026).
SCHEDULE_2027 = {
    "year": 2027,
    "holidays": [["2027-01-01", "2027-01-03", "元旦"], ["2027-02-05", "2027-02-11", "春节"]],
    "workdays": ["2027-02-13"],
}


def events(action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_spring_festival_2026_skips_the_holiday_and_counts_the_worked_saturdays():
    assert is_working_day(date(2026, 2, 14))  # a Saturday worked before the holiday
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)  # 15–23 February off
    assert add_working_days(date(2026, 2, 24), 3) == date(2026, 2, 27)
    assert add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)  # Saturday 28th worked
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_national_day_2026_skips_the_golden_week_and_counts_its_worked_weekend_days():
    assert add_working_days(date(2026, 9, 19), 1) == date(2026, 9, 20)  # Sunday worked
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)  # 1–7 October off
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)  # Saturday worked
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_a_count_into_2027_uses_the_provisional_calendar_and_says_so():
    inside = Calendar().add_working_days(date(2026, 12, 1), 5)
    assert (inside.day, inside.provisional) == (date(2026, 12, 8), False)
    # 9 working days left in 2026; 1 January 2027 is a computed holiday; then 4–8 and 11 January.
    across = Calendar().add_working_days(date(2026, 12, 18), 15)
    assert (across.day, across.provisional) == (date(2027, 1, 11), True)
    # Spring Festival 2027 from the lunar calendar: New Year's Eve 5 February to 8 February.
    assert Calendar().add_working_days(date(2027, 2, 4), 1).day == date(2027, 2, 9)
    assert Calendar().year_is_provisional(2027) and not Calendar().year_is_provisional(2026)


def test_an_imported_2027_schedule_replaces_the_provisional_calendar():
    assert import_schedule(SCHEDULE_2027, SYSTEM) == (2027, 11)
    db.session.commit()
    assert not Calendar().year_is_provisional(2027)
    across = Calendar().add_working_days(date(2026, 12, 18), 15)
    assert (across.day, across.provisional) == (date(2027, 1, 11), False)  # 1–3 January off
    assert add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 12)  # the schedule's week off
    assert is_working_day(date(2027, 2, 13))  # its worked Saturday


def test_importing_the_same_schedule_twice_changes_nothing_and_audits_once(runner, tmp_path):
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(SCHEDULE_2027, ensure_ascii=False), encoding="utf-8")
    first = runner.invoke(args=["holidays", "import", str(path)])
    second = runner.invoke(args=["holidays", "import", str(path)])
    assert first.output.strip() == "holidays 2027: 11 days changed"
    assert second.output.strip() == "holidays 2027: 0 days changed"
    assert events("calendar.imported") == 1


def test_a_corrected_schedule_drops_the_days_it_no_longer_lists():
    import_schedule(SCHEDULE_2027, SYSTEM)
    corrected = SCHEDULE_2027 | {"workdays": []}
    assert import_schedule(corrected, SYSTEM) == (2027, 1)
    assert not is_working_day(date(2027, 2, 13))


def test_a_schedule_with_a_date_of_another_year_is_refused(runner, tmp_path):
    with pytest.raises(ScheduleError):
        import_schedule({"year": 2027, "holidays": [["2026-12-31", "2027-01-01", "元旦"]]}, SYSTEM)
    path = tmp_path / "bad.json"
    path.write_text('{"year": 2027, "holidays": "none"}', encoding="utf-8")
    result = runner.invoke(args=["holidays", "import", str(path)])
    assert result.exit_code == 1 and "schedule not loaded" in result.output


def test_an_administrator_override_wins_over_chinesecalendar_and_the_import():
    import_schedule(SCHEDULE_2027, SYSTEM)
    set_override(date(2026, 12, 21), False, "停电", SYSTEM)
    set_override(date(2027, 2, 13), False, "调整", SYSTEM)
    db.session.commit()
    assert add_working_days(date(2026, 12, 18), 1) == date(2026, 12, 22)
    assert not is_working_day(date(2027, 2, 13))
    assert Calendar().day(date(2026, 12, 21)).source == "override"
