"""The calendar and deadline-policy pages: administrators only, every change audited."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.clock import frozen_at
from portal.deadlines.calendar import is_working_day
from portal.deadlines.models import CalendarDay
from portal.deadlines.policies import policy_in_force
from portal.extensions import db


def advice(app, code):
    """The refusal's text as the page's language (zh_CN by default) words it."""
    from portal.site.messages import report_error_text

    with app.test_request_context("/admin/"):
        return str(report_error_text(code))


def last_event(action):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc())
    ).first()


@pytest.mark.parametrize("role,dept", [("staff", "market"), ("lead", "market"), ("auditor", None)])
def test_only_administrators_open_the_calendar_and_policies(client, login_as, role, dept):
    login_as(role, dept)
    assert client.get("/admin/deadlines/calendar").status_code == 403
    assert client.post("/admin/deadlines/calendar", data={"day": "2026-12-21"}).status_code == 403
    assert client.get("/admin/deadlines/policies").status_code == 403
    assert db.session.scalars(select(CalendarDay)).all() == []


def test_the_calendar_warns_that_next_year_is_provisional(client, login_as):
    login_as("admin")
    with frozen_at(datetime(2026, 11, 20, 2, 0)):
        page = client.get("/admin/deadlines/calendar").get_data(as_text=True)
    assert 'data-provisional-year="2027"' in page and 'data-provisional-year="2026"' not in page


def test_an_administrator_adds_and_removes_an_override_audited(app, client, login_as):
    login_as("admin")
    response = client.post("/admin/deadlines/calendar", data={"day": "2026-12-21", "note": "停电"})
    assert response.status_code == 302 and not is_working_day(date(2026, 12, 21))
    event = last_event("calendar.override_set")
    assert event.actor_label == "admin:admin-all" and event.data["day"] == "2026-12-21"
    again = client.post("/admin/deadlines/calendar", data={"day": "2026-12-21"})
    assert again.status_code == 409
    assert advice(app, "override_exists") in again.get_data(as_text=True)
    assert client.post("/admin/deadlines/calendar/remove", data={"day": "2026-12-21"}).status_code == 302
    assert is_working_day(date(2026, 12, 21)) and last_event("calendar.override_removed") is not None


def test_an_administrator_adds_a_policy_version_never_editing_the_old_one(app, client, login_as):
    login_as("admin")
    page = client.get("/admin/deadlines/policies").get_data(as_text=True)
    assert 'data-code="complaint.accept"' in page
    form = {
        "code": "complaint.accept",
        "effective_from": "2027-01-01",
        "working_days": "5",
        "extension_days": "0",
        "source": "新规第十五条",
    }
    assert client.post("/admin/deadlines/policies", data=form).status_code == 302
    old, new = (
        policy_in_force("complaint.accept", date(2026, 12, 31)),
        policy_in_force("complaint.accept", date(2027, 1, 1)),
    )
    assert (old.working_days, old.effective_to, new.working_days) == (7, date(2026, 12, 31), 5)
    assert last_event("deadline_policy.added").data["working_days"] == 5
    refused = client.post("/admin/deadlines/policies", data=form | {"working_days": "3"})
    assert refused.status_code == 409
    assert advice(app, "policy_not_later") in refused.get_data(as_text=True)
    both = client.post(
        "/admin/deadlines/policies", data=form | {"effective_from": "2027-02-01", "calendar_days": "9"}
    )
    assert advice(app, "policy_incomplete") in both.get_data(as_text=True)
