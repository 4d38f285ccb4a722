"""Both procedures worked from submission to closure through the action panel's POSTs, by staff
and a lead, with proposals where the transition table says a lead decides."""

from decimal import Decimal

import pytest

from portal.accounts.models import Role
from portal.extensions import db
from portal.reports.proposals import pending_proposal
from tests.decisions_helpers import actions_of, desk, new_report, page, post_move, state_of


@pytest.fixture
def staff(app):
    return desk(app, "market.staff", Role.STAFF, "market")


@pytest.fixture
def lead(app):
    return desk(app, "market.lead", Role.LEAD, "market")


def approve_pending(lead, report):
    proposal = pending_proposal(report)
    assert proposal is not None
    return lead.post(f"/admin/proposals/{proposal.id}/approve")


def test_complaint_walked_to_closure_through_mediation(app, staff):
    report = new_report(kind="complaint")
    for target, form in [
        ("accepted", {}),
        ("mediating", {}),
        ("mediated", {"terms": "商家退款 128.50 元并书面道歉。"}),
        ("closed", {}),
    ]:
        response = post_move(staff, report, target, **form)
        assert response.status_code == 302, page(response)
        assert state_of(report) == target
    db.session.refresh(report)
    assert report.mediation_terms == "商家退款 128.50 元并书面道歉。"
    assert actions_of(report)[-4:] == [
        "report.accepted",
        "report.mediating",
        "report.mediated",
        "report.closed",
    ]


def test_complaint_mediation_ended_on_a_legal_ground(app, staff):
    report = new_report(kind="complaint")
    post_move(staff, report, "accepted")
    post_move(staff, report, "mediating")
    response = post_move(
        staff, report, "mediation_ended", ground="party_refused_or_absent", reason="商家未到场"
    )
    assert response.status_code == 302
    db.session.refresh(report)
    assert (report.state, report.mediation_end_ground) == ("mediation_ended", "party_refused_or_absent")
    assert report.mediation_end_reason == "商家未到场"


def test_complaint_declined_by_a_lead_on_the_staff_proposal(app, staff, lead):
    report = new_report(kind="complaint")
    response = post_move(staff, report, "declined", ground="time_barred", reason="已超过三年")
    assert response.status_code == 302
    assert state_of(report) == "submitted"  # only proposed
    assert "proposal.made" in actions_of(report)
    assert approve_pending(lead, report).status_code == 302
    db.session.refresh(report)
    assert (report.state, report.decline_ground, report.decline_reason) == (
        "declined",
        "time_barred",
        "已超过三年",
    )
    assert post_move(staff, report, "closed").status_code == 302
    assert state_of(report) == "closed"
    assert actions_of(report)[-4:] == [
        "proposal.made",
        "proposal.approved",
        "report.declined",
        "report.closed",
    ]


def test_tip_walked_to_closure_with_the_lead_deciding_case_and_penalty(app, staff, lead):
    report = new_report(kind="tip")
    assert post_move(staff, report, "verifying").status_code == 302
    post_move(staff, report, "case_opened", case_number="杭市监立〔2026〕12号", opened_on="2026-11-02")
    assert state_of(report) == "verifying"
    approve_pending(lead, report)
    assert state_of(report) == "case_opened"
    post_move(
        staff,
        report,
        "penalty_decided",
        decision_number="杭市监罚〔2026〕7号",
        decided_on="2026-11-10",
        confiscation_yuan="1200.50",
        fine_yuan="5000",
        referred_for_prosecution="no",
    )
    approve_pending(lead, report)
    db.session.refresh(report)
    assert report.state == "penalty_decided"
    assert (report.confiscation_yuan, report.fine_yuan) == (Decimal("1200.50"), Decimal("5000.00"))
    assert report.referred_for_prosecution is False and report.case_number == "杭市监立〔2026〕12号"
    assert post_move(staff, report, "closed").status_code == 302
    assert state_of(report) == "closed"


def test_tip_not_opened_and_no_penalty_are_lead_decisions_made_directly_by_a_lead(app, lead):
    first, second = new_report(kind="tip"), new_report(kind="tip")
    for report in (first, second):
        post_move(lead, report, "verifying")
    assert post_move(lead, first, "not_opened", reason="查无实据").status_code == 302
    assert state_of(first) == "not_opened"
    post_move(lead, second, "case_opened", case_number="杭市监立〔2026〕13号", opened_on="2026-11-02")
    assert post_move(lead, second, "no_penalty", reason="情节轻微并及时改正").status_code == 302
    db.session.refresh(second)
    assert (second.state, second.no_penalty_reason) == ("no_penalty", "情节轻微并及时改正")
