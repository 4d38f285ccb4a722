"""Returns and re-routing: staff propose the return, a lead approves, the intake office re-routes
with the routing rules' preview and says why when it picks another department."""

import pytest

from portal.accounts.models import Role
from portal.directory.models import Department
from portal.extensions import db
from portal.reports.proposals import pending_proposal
from tests.conftest import lookup
from tests.decisions_helpers import actions_of, advice, desk, new_report, page, post_move, state_of


@pytest.fixture
def returned(app):
    """A complaint the city bureau returned to the intake office (staff proposed, lead approved)."""
    staff = desk(app, "market.staff", Role.STAFF, "market")
    lead = desk(app, "market.lead", Role.LEAD, "market")
    report = new_report(kind="complaint")
    assert post_move(staff, report, "returned", reason="涉及食用农产品").status_code == 302
    lead.post(f"/admin/proposals/{pending_proposal(report).id}/approve")
    db.session.refresh(report)
    assert (report.state, report.department.code) == ("returned", "fso")
    assert staff.get(f"/admin/reports/{report.number}/actions").status_code == 404  # gone from market
    return report


@pytest.fixture
def intake(app):
    return desk(app, "fso.staff", Role.STAFF, "fso")


def test_the_intake_office_sees_the_routing_preview(app, returned, intake):
    text = page(intake.get(f"/admin/reports/{returned.number}/actions"))
    assert 'id="routing-preview"' in text
    assert lookup(Department, "market").name_zh in text.split('id="routing-preview"')[1].split("</p>")[0]


def test_re_routing_to_the_preview_needs_no_reason(app, returned, intake):
    market = lookup(Department, "market")
    response = post_move(intake, returned, "submitted", department=str(market.id), reason="")
    assert response.status_code == 302
    db.session.refresh(returned)
    assert (returned.state, returned.department.code) == ("submitted", "market")
    assert actions_of(returned)[-1] == "report.rerouted"


def test_re_routing_elsewhere_needs_a_reason(app, returned, intake):
    agriculture = lookup(Department, "agriculture")
    response = post_move(intake, returned, "submitted", department=str(agriculture.id), reason="")
    assert response.status_code == 400
    assert advice(app, "reroute_reason_required") in page(response)
    assert state_of(returned) == "returned"
    post_move(intake, returned, "submitted", department=str(agriculture.id), reason="涉及食用农产品")
    db.session.refresh(returned)
    assert (returned.state, returned.department.code) == ("submitted", "agriculture")


def test_a_report_is_never_re_routed_back_to_the_intake_office(app, returned, intake):
    fso = lookup(Department, "fso")
    response = post_move(intake, returned, "submitted", department=str(fso.id), reason="留在本办")
    assert response.status_code == 400
    assert advice(app, "invalid_department") in page(response)
    assert state_of(returned) == "returned"


def test_a_proposed_return_starts_the_leads_three_working_day_clock_and_the_decision_meets_it(app):
    from sqlalchemy import select

    from portal.clock import local_today
    from portal.deadlines.calendar import add_working_days
    from portal.deadlines.models import ReportDeadline

    staff = desk(app, "market.staff", Role.STAFF, "market")
    lead = desk(app, "market.lead", Role.LEAD, "market")
    report = new_report(kind="tip")
    assert post_move(staff, report, "returned", reason="不属于本部门职责").status_code == 302

    def clock():
        db.session.expire_all()
        rows = db.session.scalars(
            select(ReportDeadline).where(
                ReportDeadline.report_id == report.id, ReportDeadline.policy_code == "tip.return_approval"
            )
        ).all()
        assert len(rows) == 1
        return rows[0]

    started = clock()
    assert started.met_at is None and started.due_on == add_working_days(local_today(), 3)
    lead.post(f"/admin/proposals/{pending_proposal(report).id}/approve")
    assert clock().met_at is not None
