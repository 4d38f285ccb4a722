"""Deadline extensions (issue 8 item 6): staff ask, a lead of the report's department approves
or refuses, once per clock, within the policy in force. Requests are made through the domain
where the test is about the decision, so each test signs in at most once."""

import re
from datetime import date, datetime, timedelta

import pytest
from chinese_calendar import is_workday
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Role
from portal.audit.chain import SYSTEM
from portal.audit.models import AuditEvent
from portal.clock import frozen_at, utcnow
from portal.deadlines.extensions import (
    ExtensionRequest,
    approve_extension,
    refuse_extension,
    request_extension,
)
from portal.deadlines.models import RUNNING, ReportDeadline
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.reports.operations import transition_report
from portal.reports.proposals import propose_move
from tests.casework import OTHER, OWN, file_report
from tests.conftest import make_user

MONDAY_2_NOV = datetime(2026, 11, 2, 2, 0)  # 10:00 in Beijing
WHY = "需要调取外卖平台的订单数据，平台答复需要两周。"


def working_days_after(day, n):
    """The n-th working day after `day`, straight from chinesecalendar (2026 is in it), not from
    portal.deadlines.calendar: the expected dates are computed independently of the code."""
    while n:
        day += timedelta(days=1)
        n -= is_workday(day)
    return day


def clock_of(department=OWN, kind="tip"):
    """A report filed on Monday 2 November 2026 and its one running clock."""
    with frozen_at(MONDAY_2_NOV):
        report, _ = file_report(department, kind=kind)
    deadline = db.session.scalars(
        select(ReportDeadline).where(
            ReportDeadline.report_id == report.id, ReportDeadline.status.in_(RUNNING)
        )
    ).one()
    return report, deadline


def deadline_events():
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("deadline.%")).order_by(AuditEvent.seq)
    )
    return [(e.action, e.actor_label, e.data) for e in rows]


def requests_count():
    return db.session.scalar(select(func.count()).select_from(ExtensionRequest))


def refused_code(call, *args):
    with pytest.raises(ReportError) as refused:
        call(*args)
    db.session.rollback()
    return refused.value.code


def test_a_lead_approves_and_the_due_date_moves_by_the_policy_s_working_days(client, login_as):
    report, deadline = clock_of()
    start = date(2026, 11, 2)
    assert (deadline.policy_code, deadline.starts_on) == ("tip.case_decision", start)
    assert deadline.due_on == working_days_after(start, 15)
    staff = make_user("ext.staff", Role.STAFF, OWN)
    asked = request_extension(deadline, staff, WHY)
    db.session.commit()
    request_id = asked.id

    login_as(Role.LEAD, OWN)
    client.get("/admin/?lang=en")
    page = client.get(f"/admin/reports/{report.number}").get_data(as_text=True)
    assert WHY in page and f"/admin/extensions/{request_id}/approve" in page

    response = client.post(f"/admin/extensions/{request_id}/approve")
    assert response.status_code == 302 and response.headers["Location"].endswith("#case-deadlines")
    db.session.expire_all()
    deadline, asked = (
        db.session.get(ReportDeadline, deadline.id),
        db.session.get(ExtensionRequest, request_id),
    )
    # 15 + 15 working days from the day the clock started: 14 December 2026.
    assert deadline.due_on == working_days_after(start, 30) == date(2026, 12, 14)
    assert deadline.extended and deadline.status in RUNNING
    assert (asked.outcome, asked.decided_by.username, asked.pending_deadline_id) == (
        "approved",
        "lead-market",
        None,
    )
    events = deadline_events()
    assert [(action, actor) for action, actor, _ in events] == [
        ("deadline.extension_requested", "staff:ext.staff"),
        ("deadline.extended", "lead:lead-market"),
        ("deadline.extension_approved", "lead:lead-market"),
    ]
    assert events[0][2]["reason"] == WHY and events[0][2]["days"] == 15
    assert (events[2][2]["due_before"], events[2][2]["due_on"]) == ("2026-11-23", "2026-12-14")

    page = client.get(f"/admin/reports/{report.number}").get_data(as_text=True)
    section = page[page.index('id="case-deadlines"') : page.index('id="action-panel"')]
    assert 'data-due="2026-12-14"' in section and "/approve" not in section and "Ask for" not in section
    assert "Extension approved: Check the tip-off and decide whether to open a case" in page  # timeline


def test_staff_ask_on_the_case_page_and_a_second_request_is_refused(client, login_as):
    report, deadline = clock_of()
    ask = f"/admin/reports/{report.number}/deadlines/{deadline.id}/extension"
    login_as(Role.STAFF, OWN)
    client.get("/admin/?lang=en")
    assert f'action="{ask}"' in client.get(f"/admin/reports/{report.number}").get_data(as_text=True)

    empty = client.post(ask, data={"reason": "  "}, follow_redirects=True).get_data(as_text=True)
    assert "Give the reason for the extension" in empty and requests_count() == 0

    client.post(ask, data={"reason": WHY})
    asked = db.session.scalars(select(ExtensionRequest)).one()
    assert (asked.pending_deadline_id, asked.requested_by.username, asked.reason) == (
        deadline.id,
        "staff-market",
        WHY,
    )
    page = client.post(ask, data={"reason": "再申请一次"}, follow_redirects=True).get_data(as_text=True)
    assert "already waiting for a lead" in page and requests_count() == 1
    assert "Extension waiting for a lead" in page and WHY in page
    assert "/approve" not in page  # staff do not decide
    db.session.expire_all()
    assert db.session.get(ReportDeadline, deadline.id).due_on == date(2026, 11, 23)


def test_one_pending_request_per_clock_in_the_database_and_one_extension_per_clock(app):
    report, deadline = clock_of()
    staff, lead = make_user("ext.staff", Role.STAFF, OWN), make_user("ext.lead", Role.LEAD, OWN)
    first = request_extension(deadline, staff, WHY)
    db.session.commit()
    assert refused_code(request_extension, deadline, lead, "我也申请") == "extension_pending"
    with pytest.raises(IntegrityError), db.session.begin_nested():  # bypassing the domain check
        db.session.add(
            ExtensionRequest(
                report_id=report.id,
                deadline_id=deadline.id,
                pending_deadline_id=deadline.id,
                requested_by_id=lead.id,
                requested_at=utcnow(),
                reason="绕过检查",
                outcome="pending",
            )
        )
        db.session.flush()
    db.session.rollback()

    approve_extension(first, lead)
    db.session.commit()
    assert refused_code(request_extension, deadline, staff, "再延一次") == "extension_not_allowed"
    assert requests_count() == 1


def test_a_lead_refuses_with_a_reason_and_the_clock_may_be_asked_again(client, login_as):
    report, deadline = clock_of()
    staff = make_user("ext.staff", Role.STAFF, OWN)
    request_id = request_extension(deadline, staff, WHY).id
    db.session.commit()
    login_as(Role.LEAD, OWN)
    client.get("/admin/?lang=en")

    page = client.post(
        f"/admin/extensions/{request_id}/refuse", data={"reason": ""}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Give the reason for refusing" in page
    assert db.session.get(ExtensionRequest, request_id).outcome == "pending"

    client.post(f"/admin/extensions/{request_id}/refuse", data={"reason": "平台数据可以先行调取，无需延期。"})
    db.session.expire_all()
    asked = db.session.get(ExtensionRequest, request_id)
    assert (asked.outcome, asked.decision_reason, asked.decided_by.username) == (
        "refused",
        "平台数据可以先行调取，无需延期。",
        "lead-market",
    )
    deadline = db.session.get(ReportDeadline, deadline.id)
    assert (deadline.due_on, deadline.extended) == (date(2026, 11, 23), False)
    assert [(a, who) for a, who, _ in deadline_events()] == [
        ("deadline.extension_requested", "staff:ext.staff"),
        ("deadline.extension_refused", "lead:lead-market"),
    ]
    page = client.get(f"/admin/reports/{report.number}").get_data(as_text=True)
    assert "extension refused by lead-market" in page and "平台数据可以先行调取" in page
    # A refusal does not use up the clock's one extension.
    again = request_extension(deadline, staff, "检测机构出具报告需要更长时间。")
    db.session.commit()
    assert again.is_pending


def test_the_requester_cannot_decide_their_own_request(client, login_as):
    report, deadline = clock_of()
    login_as(Role.LEAD, OWN)
    client.get("/admin/?lang=en")
    client.post(f"/admin/reports/{report.number}/deadlines/{deadline.id}/extension", data={"reason": WHY})
    asked = db.session.scalars(select(ExtensionRequest)).one()
    assert asked.requested_by.username == "lead-market"  # a lead may ask too
    assert "/approve" not in client.get(f"/admin/reports/{report.number}").get_data(as_text=True)

    response = client.post(f"/admin/extensions/{asked.id}/approve")
    assert response.status_code == 403
    assert "another lead of the department must" in response.get_data(as_text=True)
    assert refused_code(approve_extension, asked, asked.requested_by) == "own_extension"
    db.session.expire_all()
    assert db.session.get(ExtensionRequest, asked.id).outcome == "pending"
    assert db.session.get(ReportDeadline, deadline.id).due_on == date(2026, 11, 23)
    # Another lead of the department decides it.
    approve_extension(db.session.get(ExtensionRequest, asked.id), make_user("ext.lead2", Role.LEAD, OWN))
    db.session.commit()
    assert db.session.get(ReportDeadline, deadline.id).due_on == date(2026, 12, 14)


def test_another_department_gets_404_and_changes_nothing(client, login_as):
    report, deadline = clock_of()
    asked = request_extension(deadline, make_user("ext.staff", Role.STAFF, OWN), WHY)
    db.session.commit()
    login_as(Role.LEAD, OTHER)
    urls = [
        f"/admin/extensions/{asked.id}/approve",
        f"/admin/extensions/{asked.id}/refuse",
        f"/admin/reports/{report.number}/deadlines/{deadline.id}/extension",
    ]
    for url in urls:
        response = client.post(url, data={"reason": "别的部门"})
        assert response.status_code == 404 and WHY not in response.get_data(as_text=True)
    assert requests_count() == 1
    db.session.expire_all()
    assert db.session.get(ExtensionRequest, asked.id).outcome == "pending"
    assert db.session.get(ReportDeadline, deadline.id).due_on == date(2026, 11, 23)
    assert [a for a, _, _ in deadline_events()] == ["deadline.extension_requested"]


def test_staff_cannot_approve(client, login_as):
    report, deadline = clock_of()
    asked = request_extension(deadline, make_user("ext.staff", Role.STAFF, OWN), WHY)
    db.session.commit()
    login_as(Role.STAFF, OWN)
    assert client.post(f"/admin/extensions/{asked.id}/approve").status_code == 403
    colleague = make_user("ext.colleague", Role.STAFF, OWN)
    assert refused_code(approve_extension, asked, colleague) == "extension_lead_only"
    assert refused_code(refuse_extension, asked, colleague, "不同意") == "extension_lead_only"
    db.session.expire_all()
    assert db.session.get(ExtensionRequest, asked.id).outcome == "pending"
    assert db.session.get(ReportDeadline, deadline.id).due_on == date(2026, 11, 23)


def test_a_policy_without_an_extension_is_refused(app):
    _report, deadline = clock_of(kind="complaint")
    assert (deadline.policy_code, deadline.policy.extension_days) == ("complaint.accept", 0)
    staff = make_user("ext.staff", Role.STAFF, OWN)
    assert refused_code(request_extension, deadline, staff, WHY) == "extension_not_allowed"
    assert requests_count() == 0 and deadline_events() == []


def test_only_the_department_asks_and_only_with_a_running_clock(app):
    report, deadline = clock_of()
    auditor, outsider = make_user("ext.auditor", Role.AUDITOR), make_user("ext.other", Role.STAFF, OTHER)
    staff = make_user("ext.staff", Role.STAFF, OWN)
    assert refused_code(request_extension, deadline, auditor, WHY) == "extension_not_yours"
    assert refused_code(request_extension, deadline, outsider, WHY) == "extension_not_yours"
    transition_report(report, "verifying", SYSTEM)
    transition_report(report, "not_opened", SYSTEM, "经核查不构成违法")
    db.session.commit()
    assert refused_code(request_extension, deadline, staff, WHY) == "deadline_not_running"


def test_a_request_still_pending_when_its_clock_stops_is_closed_by_the_system(app):
    report, deadline = clock_of()
    staff, lead = make_user("ext.staff", Role.STAFF, OWN), make_user("ext.lead", Role.LEAD, OWN)
    asked = request_extension(deadline, staff, WHY)
    db.session.commit()
    transition_report(report, "verifying", SYSTEM)
    assert asked.is_pending  # the clock still runs while the tip-off is verified
    transition_report(report, "not_opened", SYSTEM, "经核查不构成违法")
    db.session.commit()
    assert (asked.outcome, asked.decided_by_id, asked.decision_reason) == ("refused", None, "deadline_ended")
    assert deadline_events()[-1][:2] == ("deadline.extension_refused", "system")
    assert refused_code(approve_extension, asked, lead) == "extension_decided"


def test_of_two_leads_deciding_at_once_the_second_finds_it_decided(app):
    """The other lead's decision is written behind this session's back (what a concurrent
    transaction does): the request object here still reads as pending."""
    from sqlalchemy import update

    _report, deadline = clock_of()
    asked = request_extension(deadline, make_user("ext.staff", Role.STAFF, OWN), WHY)
    first, second = make_user("ext.lead1", Role.LEAD, OWN), make_user("ext.lead2", Role.LEAD, OWN)
    db.session.commit()
    db.session.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.id == asked.id)
        .values(outcome="refused", pending_deadline_id=None, decided_by_id=first.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    assert asked.is_pending
    with pytest.raises(ReportError) as refused:
        approve_extension(asked, second)
    assert refused.value.code == "extension_decided"
    assert (deadline.due_on, deadline.extended) == (date(2026, 11, 23), False)


def test_the_dashboard_lists_what_waits_for_the_lead(client, login_as):
    report, deadline = clock_of()
    complaint, _ = file_report(OWN, kind="complaint")
    elsewhere, other_deadline = clock_of(OTHER)
    staff = make_user("ext.staff", Role.STAFF, OWN)
    request_extension(deadline, staff, WHY)
    propose_move(complaint, "declined", staff, reason="不属于消费纠纷", ground="not_personal_consumption")
    request_extension(other_deadline, make_user("ext.xihu", Role.STAFF, OTHER), "西湖区的申请")
    db.session.commit()
    login_as(Role.LEAD, OWN)
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    waiting = page[page.index('id="waiting-for-approval"') :]
    rows = re.findall(r'<tr class="waiting-(\w+)" data-number="([^"]+)">', waiting)
    assert rows == [("proposal", complaint.number), ("extension", report.number)]
    assert f'href="/admin/reports/{report.number}#case-deadlines"' in waiting
    assert f'href="/admin/reports/{complaint.number}"' in waiting
    assert elsewhere.number not in page and "西湖区的申请" not in page
