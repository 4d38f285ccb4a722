"""Proposals: staff propose what a lead decides; the lead approves or refuses with a reason; one
pending proposal per report; a stale proposal cannot be approved; nobody decides their own."""

import pytest
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.reports.proposals import Proposal, approve_proposal, pending_proposal
from tests.conftest import sign_in_through_forms
from tests.decisions_helpers import actions_of, advice, desk, new_report, page, post_move, state_of


@pytest.fixture
def staff(app):
    return desk(app, "market.staff", Role.STAFF, "market")


@pytest.fixture
def lead(app):
    return desk(app, "market.lead", Role.LEAD, "market")


def propose_decline(staff, report):
    response = post_move(staff, report, "declined", ground="not_our_duty", reason="不属于本部门职责")
    assert response.status_code == 302
    return pending_proposal(report)


def test_a_lead_sees_the_pending_proposal_on_the_panel_and_in_the_list(app, staff, lead):
    report = new_report(kind="complaint")
    propose_decline(staff, report)
    panel = page(lead.get(f"/admin/reports/{report.number}/actions"))
    assert 'id="pending-proposal"' in panel and "不属于本部门职责" in panel and "/approve" in panel
    assert report.number in page(lead.get("/admin/proposals"))
    # the proposer sees it waiting, without the buttons to decide it
    assert "/approve" not in page(staff.get(f"/admin/reports/{report.number}/actions"))


def test_a_lead_refuses_with_a_reason_and_the_report_stays(app, staff, lead):
    report = new_report(kind="complaint")
    proposal = propose_decline(staff, report)
    assert lead.post(f"/admin/proposals/{proposal.id}/refuse", data={"reason": ""}).status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == "pending"  # a refusal needs its reason
    lead.post(f"/admin/proposals/{proposal.id}/refuse", data={"reason": "属于本部门职责，请受理"})
    db.session.refresh(proposal)
    assert (proposal.status, proposal.decision_reason) == ("refused", "属于本部门职责，请受理")
    assert state_of(report) == "submitted" and pending_proposal(report) is None
    assert actions_of(report)[-1] == "proposal.refused"


def test_one_pending_proposal_per_report(app, staff):
    report = new_report(kind="complaint")
    propose_decline(staff, report)
    response = post_move(staff, report, "returned", reason="应由农业部门处理")
    assert response.status_code == 400
    assert advice(app, "proposal_pending") in page(response)
    assert db.session.scalars(select(Proposal)).all() == [pending_proposal(report)]


def test_a_proposal_whose_report_moved_meanwhile_is_refused_as_stale(app, staff, lead):
    report = new_report(kind="complaint")
    proposal = propose_decline(staff, report)
    post_move(staff, report, "accepted")  # a colleague accepted it meanwhile
    response = lead.post(f"/admin/proposals/{proposal.id}/approve", follow_redirects=True)
    assert advice(app, "proposal_stale") in page(response)
    db.session.refresh(proposal)
    assert proposal.status == "refused" and state_of(report) == "accepted"
    assert actions_of(report)[-1] == "proposal.refused"


def test_the_proposer_never_approves_their_own_proposal_even_as_a_lead(app, staff):
    report = new_report(kind="complaint")
    proposal = propose_decline(staff, report)
    proposer = db.session.scalar(select(User).where(User.username == "market.staff"))
    proposer.role = Role.LEAD  # promoted since: a lead signs in with the second step
    db.session.commit()
    as_lead = sign_in_through_forms(app.test_client(), proposer)
    response = as_lead.post(f"/admin/proposals/{proposal.id}/approve")
    assert response.status_code == 403
    assert advice(app, "own_proposal") in page(response)
    with pytest.raises(ReportError) as refused:
        approve_proposal(proposal, proposer)
    assert refused.value.code == "own_proposal"
    assert state_of(report) == "submitted"


def test_staff_cannot_decide_proposals(app, staff):
    report = new_report(kind="complaint")
    proposal = propose_decline(staff, report)
    colleague = desk(app, "market.staff2", Role.STAFF, "market")
    assert colleague.post(f"/admin/proposals/{proposal.id}/approve").status_code == 403
    assert state_of(report) == "submitted"


def test_another_departments_lead_gets_404_for_the_proposal(app, staff):
    report = new_report(kind="complaint")
    proposal = propose_decline(staff, report)
    other = desk(app, "agri.lead", Role.LEAD, "agriculture")
    assert other.post(f"/admin/proposals/{proposal.id}/approve").status_code == 404
    assert report.number not in page(other.get("/admin/proposals"))
