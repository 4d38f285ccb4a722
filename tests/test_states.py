"""The state machine: allowed moves only, reasons where the law needs them, one event each."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit.chain import SYSTEM
from portal.audit.models import AuditEvent
from portal.directory.models import Department
from portal.extensions import db
from portal.reports.operations import ReportError, reroute_report, submit_report, transition_report
from portal.reports.receipts import new_submission_token
from portal.reports.states import TRANSITIONS, State
from portal.site.messages import report_error_text
from tests.conftest import lookup, make_intake

pytestmark = pytest.mark.usefixtures("app")


def new_report(**kw):
    report = submit_report(make_intake(**kw), [], new_submission_token()).report
    db.session.commit()
    return report


def actions(report):
    return db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == report.id).order_by(AuditEvent.id)
    ).all()


def test_every_state_has_a_row_in_the_table():
    assert set(TRANSITIONS) == set(State)


def test_happy_path_to_closed_writes_an_event_per_step():
    report = new_report()
    for target in ("accepted", "investigating", "substantiated", "closed"):
        transition_report(report, target, SYSTEM)
    db.session.commit()
    assert report.state == "closed"
    assert actions(report) == [
        "report.submitted",
        "report.accepted",
        "report.investigating",
        "report.substantiated",
        "report.closed",
    ]


@pytest.mark.parametrize("target", ["investigating", "closed", "substantiated", "submitted"])
def test_skipping_steps_is_refused(target):
    report = new_report()
    with pytest.raises(ReportError) as refused:
        transition_report(report, target, SYSTEM)
    assert refused.value.code == "invalid_transition" and report.state == "submitted"


def test_decline_needs_reason_and_for_complaints_a_legal_ground():
    complaint = new_report(kind="complaint")
    with pytest.raises(ReportError):
        transition_report(complaint, "declined", SYSTEM)
    with pytest.raises(ReportError) as no_ground:
        transition_report(complaint, "declined", SYSTEM, reason="已起诉")
    assert no_ground.value.code == "decline_ground_required"
    transition_report(complaint, "declined", SYSTEM, reason="已起诉", decline_ground="before_court")
    db.session.commit()
    assert complaint.decline_ground == "before_court"


def test_database_checks_tie_state_to_its_columns():
    report = new_report()
    report.state = "declined"  # bypassing the operation: the check constraint still holds
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_reward_wish_only_on_tips_even_at_database_level():
    with pytest.raises(ReportError):
        new_report(kind="complaint", wants_reward=True)
    report = new_report(kind="tip")
    report.kind, report.wants_reward = "complaint", True
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_return_goes_to_intake_office_which_reroutes():
    report = new_report()
    assert report.department.code == "market"
    transition_report(report, "returned", SYSTEM, reason="属于农产品")
    assert report.department.code == "fso"
    reroute_report(report, lookup(Department, "agriculture"), SYSTEM, "转农业农村局")
    db.session.commit()
    assert (report.state, report.department.code) == ("submitted", "agriculture")
    assert [a.department.code for a in report.assignments] == ["market", "fso", "agriculture"]
    assert actions(report)[-2:] == ["report.returned", "report.rerouted"]


def test_only_returned_reports_can_be_rerouted():
    report = new_report()
    with pytest.raises(ReportError):
        reroute_report(report, lookup(Department, "agriculture"), SYSTEM, "x")


def test_evidence_count_is_limited_in_the_domain_not_only_the_form(app):
    from portal.evidence.storage import stage_upload
    from portal.reports.operations import add_supplement
    from tests.conftest import png_bytes

    staged = [stage_upload(png_bytes((8 + i, 8)), f"{i}.png") for i in range(6)]
    with pytest.raises(ReportError) as too_many:
        submit_report(make_intake(), staged, new_submission_token())
    assert too_many.value.code == "too_many_files"
    db.session.rollback()
    report = new_report()
    with pytest.raises(ReportError):
        add_supplement(report, "补充", staged)


def returned_report():
    report = new_report()
    transition_report(report, "returned", SYSTEM, reason="属于农产品")
    db.session.commit()
    return report


def test_returned_report_is_not_resubmitted_without_naming_a_department():
    report = returned_report()
    with pytest.raises(ReportError) as refused:
        transition_report(report, "submitted", SYSTEM, reason="重新提交")
    assert refused.value.code == "reroute_required"
    db.session.commit()
    assert (report.state, report.department.code) == ("returned", "fso")
    assert actions(report) == ["report.submitted", "report.returned"]


def test_reroute_writes_one_event_with_from_to_and_department():
    report = returned_report()
    reroute_report(report, lookup(Department, "agriculture"), SYSTEM, "转农业农村局")
    db.session.commit()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == report.id).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["report.submitted", "report.returned", "report.rerouted"]
    assert events[-1].data == {
        "from": "returned",
        "to": "submitted",
        "department": "agriculture",
        "reason": "转农业农村局",
    }
    assert report.return_reason is None


def test_return_event_names_the_intake_office_it_went_to():
    returned_report()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.returned")).one()
    assert event.data == {"from": "submitted", "to": "returned", "reason": "属于农产品", "department": "fso"}


def test_invalid_decline_ground_is_refused_with_a_message_not_a_crash(app):
    complaint = new_report(kind="complaint")
    with pytest.raises(ReportError) as refused:
        transition_report(complaint, "declined", SYSTEM, reason="已起诉", decline_ground="bribed")
    assert refused.value.code == "invalid_decline_ground"
    with app.test_request_context("/?lang=en"):
        assert report_error_text(refused.value.code) == (
            "This is not one of the legal grounds for declining. Choose a ground from the list."
        )
    db.session.commit()
    assert (complaint.state, complaint.decline_reason) == ("submitted", None)
    assert actions(complaint) == ["report.submitted"]


def test_unknown_target_state_is_refused_as_a_rule_not_a_crash():
    report = new_report()
    with pytest.raises(ReportError) as refused:
        transition_report(report, "vanished", SYSTEM)
    assert refused.value.code == "invalid_transition" and report.state == "submitted"
