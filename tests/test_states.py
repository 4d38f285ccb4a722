"""The two tracks: every allowed and every refused move, generated from the tables; the details
each decision must record; the database checks behind them; one event and one history row each."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Role
from portal.audit.chain import SYSTEM
from portal.audit.models import AuditEvent
from portal.demo import path_to
from portal.directory.models import Department
from portal.extensions import db
from portal.reports.operations import ReportError, reroute_report, submit_report, transition_report
from portal.reports.receipts import new_submission_token
from portal.reports.states import REQUIRED_COLUMNS, STATES, TRANSITIONS, Kind, State
from portal.site.messages import report_error_text
from tests.conftest import lookup, make_intake

pytestmark = pytest.mark.usefixtures("app")

DEPARTMENT = object()  # stands for "the re-routing names a department"
PENALTY = {
    "decision_number": "杭市监处罚〔2026〕12号",
    "decided_on": date(2026, 11, 20),
    "confiscation_yuan": Decimal("3560.50"),
    "fine_yuan": Decimal("50000.00"),
    "referred_for_prosecution": False,
}
# What each move needs to succeed: (reason, details).
NEEDS = {
    State.RETURNED: ("不属于本部门职责", {}),
    State.DECLINED: ("已向法院起诉", {"ground": "before_court"}),
    State.MEDIATED: (None, {"terms": "退款 128 元"}),
    State.MEDIATION_ENDED: (None, {"ground": "party_refused_or_absent"}),
    State.CASE_OPENED: (None, {"case_number": "杭市监立字〔2026〕7号", "opened_on": date(2026, 11, 10)}),
    State.NOT_OPENED: ("无违法事实", {}),
    State.PENALTY_DECIDED: (None, PENALTY),
    State.NO_PENALTY: ("首违不罚", {}),
}


def new_report(kind="tip"):
    report = submit_report(make_intake(kind=kind), [], new_submission_token()).report
    db.session.commit()
    return report


def step(report, target):
    """Make one move with whatever it needs."""
    if target == State.SUBMITTED:
        return reroute_report(report, lookup(Department, "agriculture"), SYSTEM, "转农业农村局")
    reason, details = NEEDS.get(target, (None, {}))
    return transition_report(report, target, SYSTEM, reason, **details)


def report_in(kind, state):
    report = new_report(kind)
    for target in path_to(kind, state):
        step(report, target)
    db.session.commit()
    assert report.state == state
    return report


def actions(report):
    return db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == report.id).order_by(AuditEvent.id)
    ).all()


ALLOWED = [(k, a, b) for k, table in TRANSITIONS.items() for a, moves in table.items() for b in moves]
# Every pair the table does not list, including the other kind's states and staying put.
REFUSED = [
    (k, a, b) for k, states in STATES.items() for a in states for b in State if b not in TRANSITIONS[k][a]
]


def test_each_kind_has_a_row_for_each_of_its_states_and_only_its_own():
    assert set(TRANSITIONS[Kind.COMPLAINT]) == {
        "submitted", "returned", "accepted", "declined", "mediating", "mediated", "mediation_ended", "closed",
    }  # fmt: skip
    assert set(TRANSITIONS[Kind.TIP]) == {
        "submitted", "returned", "verifying", "case_opened", "not_opened", "penalty_decided", "no_penalty",
        "closed",
    }  # fmt: skip
    for table in TRANSITIONS.values():
        assert all(target in table for moves in table.values() for target in moves)


def test_every_move_names_the_roles_that_may_make_it():
    for kind, current, target in ALLOWED:
        move = TRANSITIONS[kind][current][target]
        assert move.roles and move.roles <= set(Role), (kind, current, target)
        assert not move.proposers & move.roles
    # Returns are proposed by staff and approved by a lead (issue 8 builds the approval).
    for kind in Kind:
        ret = TRANSITIONS[kind][State.SUBMITTED][State.RETURNED]
        assert (ret.roles, ret.proposers) == ({Role.LEAD}, {Role.STAFF})


@pytest.mark.parametrize(("kind", "current", "target"), ALLOWED, ids=lambda v: str(v))
def test_every_allowed_move_succeeds_with_one_event_and_one_history_row(kind, current, target):
    report = report_in(kind, current)
    before = len(actions(report))
    step(report, target)
    db.session.commit()
    assert report.state == target
    expected = "report.rerouted" if target == State.SUBMITTED else f"report.{target}"
    assert actions(report)[before:] == [expected]
    last = report.state_changes[-1]
    assert (last.from_state, last.to_state) == (current, target)


@pytest.mark.parametrize(("kind", "current", "target"), REFUSED, ids=lambda v: str(v))
def test_every_other_move_is_refused_and_changes_nothing(kind, current, target):
    report = report_in(kind, current)
    events, changes = len(actions(report)), len(report.state_changes)
    with pytest.raises(ReportError) as refused:
        step(report, target)
    assert refused.value.code in ("invalid_transition", "not_returned")
    db.session.rollback()
    assert report.state == current and len(actions(report)) == events and len(report.state_changes) == changes


def test_tip_off_words_never_reach_a_complaint():
    """A complaint's track has no verification, case or penalty step at all."""
    complaint = new_report("complaint")
    for target in ("verifying", "case_opened", "penalty_decided"):
        with pytest.raises(ReportError):
            step(complaint, target)
    tip = new_report("tip")
    for target in ("accepted", "mediating", "declined"):
        with pytest.raises(ReportError):
            step(tip, target)


@pytest.mark.parametrize(
    ("kind", "state", "reason", "details", "code"),
    [
        ("complaint", "declined", "已起诉", {}, "ground_required"),
        ("complaint", "declined", None, {"ground": "before_court"}, "reason_required"),
        ("complaint", "declined", "x", {"ground": "bribed"}, "invalid_decline_ground"),
        ("complaint", "mediated", None, {}, "terms_required"),
        ("complaint", "mediated", None, {"terms": "   "}, "terms_required"),
        ("complaint", "mediation_ended", None, {}, "ground_required"),
        ("complaint", "mediation_ended", None, {"ground": "before_court"}, "invalid_mediation_end_ground"),
        ("tip", "returned", None, {}, "reason_required"),
        ("tip", "case_opened", None, {"opened_on": date(2026, 11, 1)}, "case_number_required"),
        ("tip", "case_opened", None, {"case_number": "7号"}, "case_date_required"),
        ("tip", "case_opened", None, {"case_number": "7号", "opened_on": "2026-11-01"}, "case_date_required"),
        ("tip", "not_opened", "  ", {}, "reason_required"),
        ("tip", "penalty_decided", None, PENALTY | {"decision_number": ""}, "decision_number_required"),
        ("tip", "penalty_decided", None, PENALTY | {"decided_on": None}, "decision_date_required"),
        ("tip", "penalty_decided", None, PENALTY | {"fine_yuan": Decimal("-1")}, "invalid_amount"),
        ("tip", "penalty_decided", None, PENALTY | {"fine_yuan": 50000.1}, "invalid_amount"),
        ("tip", "penalty_decided", None, PENALTY | {"fine_yuan": Decimal("1.005")}, "invalid_amount"),
        ("tip", "penalty_decided", None, PENALTY | {"confiscation_yuan": None}, "invalid_amount"),
        (
            "tip",
            "penalty_decided",
            None,
            PENALTY | {"referred_for_prosecution": None},
            "prosecution_flag_required",
        ),
        ("tip", "no_penalty", None, {}, "reason_required"),
        ("tip", "verifying", None, {"terms": "x"}, "unexpected_detail"),
    ],
)
def test_a_decision_without_what_the_law_makes_it_record_is_refused(app, kind, state, reason, details, code):
    previous = [s for s, moves in TRANSITIONS[kind].items() if state in moves][0]
    report = report_in(kind, previous)
    with pytest.raises(ReportError) as refused:
        transition_report(report, state, SYSTEM, reason, **details)
    assert refused.value.code == code
    with app.test_request_context("/?lang=en"):  # every code has its own advice, not the fallback
        assert report_error_text(code) != report_error_text("no-such-code")
    db.session.commit()  # a refused decision leaves nothing half-set to commit
    db.session.refresh(report)
    assert report.state == previous and report.decision_number is None and report.mediation_terms is None


def test_a_decision_date_in_the_future_is_refused():
    report = report_in("tip", "verifying")
    with pytest.raises(ReportError) as refused:
        step_details = {"case_number": "7号", "opened_on": date.today() + timedelta(days=2)}
        transition_report(report, "case_opened", SYSTEM, **step_details)
    assert refused.value.code == "case_date_required"


@pytest.mark.parametrize(("kind", "state"), [(k, s) for k, states in STATES.items() for s in states])
def test_database_refuses_a_state_without_its_columns_or_outside_its_kind(kind, state):
    """Bypassing the operation: the checks still tie each state to its kind and its columns."""
    other = Kind.TIP if kind == Kind.COMPLAINT else Kind.COMPLAINT
    report = new_report(other)
    if state not in STATES[other]:
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(
                text("UPDATE reports SET state = :s WHERE id = :id"), {"s": state, "id": report.id}
            )
    report = new_report(kind)
    if state in REQUIRED_COLUMNS:
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(
                text("UPDATE reports SET state = :s WHERE id = :id"), {"s": state, "id": report.id}
            )
    db.session.rollback()


def test_database_refuses_negative_amounts():
    report = report_in("tip", "penalty_decided")
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(text("UPDATE reports SET fine_yuan = -1 WHERE id = :id"), {"id": report.id})
    db.session.rollback()


def test_penalty_decision_keeps_its_decimal_amounts():
    report = report_in("tip", "penalty_decided")
    db.session.expire_all()
    assert (report.confiscation_yuan, report.fine_yuan) == (Decimal("3560.50"), Decimal("50000.00"))
    assert report.referred_for_prosecution is False and report.case_number == "杭市监立字〔2026〕7号"


def test_reward_wish_only_on_tips_even_at_database_level():
    with pytest.raises(ReportError):
        submit_report(make_intake(kind="complaint", wants_reward=True), [], new_submission_token())
    report = new_report("tip")
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
    assert [c.department.code for c in report.state_changes] == ["market", "fso", "agriculture"]
    assert actions(report)[-2:] == ["report.returned", "report.rerouted"]


def test_returned_report_is_not_resubmitted_without_naming_a_department():
    report = report_in("tip", "returned")
    with pytest.raises(ReportError) as refused:
        transition_report(report, "submitted", SYSTEM, reason="重新提交")
    assert refused.value.code == "reroute_required"
    db.session.commit()
    assert (report.state, report.department.code) == ("returned", "fso")
    assert actions(report) == ["report.submitted", "report.returned"]


def test_reroute_writes_one_event_with_from_to_and_department():
    report = report_in("tip", "returned")
    reroute_report(report, lookup(Department, "agriculture"), SYSTEM, "转农业农村局")
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.rerouted")).one()
    assert event.data == {
        "from": "returned",
        "to": "submitted",
        "department": "agriculture",
        "reason": "转农业农村局",
    }
    assert report.return_reason is None


def test_unknown_target_state_is_refused_as_a_rule_not_a_crash():
    report = new_report()
    with pytest.raises(ReportError) as refused:
        transition_report(report, "vanished", SYSTEM)
    assert refused.value.code == "invalid_transition" and report.state == "submitted"


def test_evidence_count_is_limited_in_the_domain_not_only_the_form():
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
