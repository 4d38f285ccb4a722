"""can(): who may see and do what, read from the transition tables' roles; one answer for views,
CLI and API."""

import pytest

from portal.accounts.permissions import Action, allowed_moves, can, scoped_reports
from portal.extensions import db
from portal.reports.operations import submit_report
from portal.reports.receipts import new_submission_token
from portal.reports.states import State
from tests.conftest import make_intake, make_user


@pytest.fixture
def complaint(app):
    """A new complaint routed to the city bureau (`market`)."""
    receipt = submit_report(make_intake(kind="complaint"), [], new_submission_token())
    db.session.commit()
    assert receipt.report.department.code == "market"
    return receipt.report


@pytest.fixture
def people(app):
    return {
        "staff": make_user("s", "staff", "market"),
        "lead": make_user("l", "lead", "market"),
        "other_staff": make_user("os", "staff", "agriculture"),
        "other_lead": make_user("ol", "lead", "agriculture"),
        "auditor": make_user("a", "auditor"),
        "admin": make_user("ad", "admin"),
        "finance": make_user("f", "finance"),
    }


def test_staff_accept_but_only_propose_a_decline_which_a_lead_makes(people, complaint):
    staff, lead = people["staff"], people["lead"]
    assert can(staff, Action.MOVE, complaint, State.ACCEPTED)
    assert not can(staff, Action.MOVE, complaint, State.DECLINED)
    assert can(staff, Action.PROPOSE, complaint, State.DECLINED)
    assert can(lead, Action.MOVE, complaint, State.DECLINED)
    assert dict(allowed_moves(staff, complaint)) == {
        State.ACCEPTED: Action.MOVE,
        State.DECLINED: Action.PROPOSE,
        State.RETURNED: Action.PROPOSE,
    }


def test_no_move_the_table_does_not_have(people, complaint):
    assert not can(people["lead"], Action.MOVE, complaint, State.MEDIATED)  # skips accept
    assert not can(people["lead"], Action.MOVE, complaint, State.VERIFYING)  # a tip-off's step
    assert not can(people["lead"], Action.MOVE, complaint, None)


@pytest.mark.parametrize("who", ["other_staff", "other_lead", "admin", "finance"])
def test_other_departments_administrators_and_finance_can_do_nothing_with_it(people, complaint, who):
    user = people[who]
    assert not any(can(user, action, complaint, State.ACCEPTED) for action in Action)
    assert complaint not in db.session.scalars(scoped_reports(user)).all()
    assert allowed_moves(user, complaint) == []


def test_auditors_read_every_department_and_change_nothing(people, complaint):
    auditor = people["auditor"]
    assert complaint in db.session.scalars(scoped_reports(auditor)).all()
    assert {a for a in Action if can(auditor, a, complaint, State.ACCEPTED)} == {
        Action.VIEW,
        Action.VIEW_IDENTITY,
        Action.DOWNLOAD_EVIDENCE,
        Action.EXPORT,
        Action.VIEW_REWARD,  # the reward page and the auditors' view; never a reward's steps
    }


def test_only_leads_assign_and_both_write_notes(people, complaint):
    assert can(people["lead"], Action.ASSIGN, complaint)
    assert not can(people["staff"], Action.ASSIGN, complaint)
    assert can(people["staff"], Action.ADD_NOTE, complaint) and can(
        people["lead"], Action.ADD_NOTE, complaint
    )


def test_nobody_signed_in_can_do_nothing(complaint):
    assert not any(can(None, action, complaint) for action in Action)
