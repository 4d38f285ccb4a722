"""What the action panel refuses: moves not allowed now, other departments' reports (404),
decisions missing what the law makes them record (advice, typed text kept)."""

import pytest

from portal.accounts.models import Role
from portal.directory.models import Category
from tests.conftest import lookup
from tests.decisions_helpers import actions_of, advice, desk, new_report, page, post_move, state_of


@pytest.fixture
def staff(app):
    return desk(app, "market.staff", Role.STAFF, "market")


def refusal(app):
    """The refusal text in the page's language (zh_CN by default)."""
    from flask_babel import gettext

    with app.test_request_context():
        return gettext("You may not take this step on this report in its current state.")


@pytest.mark.parametrize("target", ["mediated", "verifying", "closed", "no-such-state"])
def test_a_move_the_table_does_not_allow_now_is_refused_if_posted_anyway(app, staff, target):
    report = new_report(kind="complaint")
    response = post_move(staff, report, target, terms="x")
    assert response.status_code == 403
    assert refusal(app) in page(response)
    assert state_of(report) == "submitted" and actions_of(report) == ["report.submitted"]


def test_illegal_moves_are_not_offered_on_the_panel(app, staff):
    report = new_report(kind="complaint")
    text = page(staff.get(f"/admin/reports/{report.number}/actions"))
    assert 'id="move-accepted"' in text and 'id="move-declined"' in text
    assert 'id="move-mediated"' not in text and 'id="move-closed"' not in text


def test_auditors_read_but_get_no_actions_and_cannot_post_one(app):
    report = new_report(kind="complaint")
    auditor = desk(app, "auditor", Role.AUDITOR)
    assert 'id="no-actions"' in page(auditor.get(f"/admin/reports/{report.number}/actions"))
    assert post_move(auditor, report, "accepted").status_code == 403
    assert state_of(report) == "submitted"


def test_another_departments_report_does_not_exist_on_any_action_url(app):
    report = new_report(kind="complaint")
    other = desk(app, "agri.lead", Role.LEAD, "agriculture")
    assert other.get(f"/admin/reports/{report.number}/actions").status_code == 404
    assert post_move(other, report, "accepted").status_code == 404
    own = new_report(kind="tip", category=lookup(Category, "food.agri_products"))
    assert other.post(f"/admin/reports/{own.number}/same-clue/{report.number}").status_code == 404
    assert state_of(report) == "submitted"


def test_a_decision_missing_its_ground_is_refused_with_advice_and_the_typed_reason_kept(app, staff):
    report = new_report(kind="complaint")
    response = post_move(staff, report, "declined", ground="", reason="商家不在本市")
    assert response.status_code == 400
    assert advice(app, "ground_required") in page(response)
    assert "商家不在本市" in page(response)
    assert state_of(report) == "submitted" and "proposal.made" not in actions_of(report)


def test_a_penalty_with_a_float_like_amount_is_refused_and_nothing_changes(app):
    lead = desk(app, "market.lead", Role.LEAD, "market")
    report = new_report(kind="tip")
    post_move(lead, report, "verifying")
    post_move(lead, report, "case_opened", case_number="A-1", opened_on="2026-11-02")
    response = post_move(
        lead,
        report,
        "penalty_decided",
        decision_number="P-1",
        decided_on="2026-11-03",
        confiscation_yuan="10.005",
        fine_yuan="100",
        referred_for_prosecution="yes",
    )
    assert response.status_code == 400
    assert advice(app, "invalid_amount") in page(response)
    assert state_of(report) == "case_opened"


def test_nothing_moves_sideways_a_department_cannot_send_a_report_to_another(app, staff):
    report = new_report(kind="complaint")
    response = post_move(staff, report, "submitted", department="1", reason="给别的部门")
    assert response.status_code == 403
    assert state_of(report) == "submitted" and actions_of(report) == ["report.submitted"]
