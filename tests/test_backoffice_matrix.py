"""Every back-office route × every role × own department / other department / intake office.

Built from app.url_map and admin.access.RULES: a new admin route without a rule fails here (and
answers 404 to everyone). Who may do what is written out below, independently of can()."""

import pytest
from flask import url_for

from admin.access import PUBLIC, RULES, SIGNED_IN
from portal.accounts.models import Role
from portal.accounts.permissions import Action
from tests.casework import INTAKE, OTHER, OWN, file_report, photo_and_pdf

PLACES = {OWN: "own", OTHER: "other", INTAKE: "intake", None: None}
USERS = [(role, dept) for role in (Role.STAFF, Role.LEAD) for dept in (OWN, OTHER, INTAKE)] + [
    (Role.AUDITOR, None),
    (Role.FINANCE, None),
    (Role.ADMIN, None),
]
# Who may act on a report of the "own" department, by action (the law and issue 8, item 1).
READERS = {(Role.STAFF, "own"), (Role.LEAD, "own"), (Role.AUDITOR, None)}
MAY = {
    Action.VIEW: READERS,
    Action.VIEW_IDENTITY: READERS,
    Action.DOWNLOAD_EVIDENCE: READERS,
    Action.ADD_NOTE: {(Role.STAFF, "own"), (Role.LEAD, "own")},
    Action.ASSIGN: {(Role.LEAD, "own")},
    # A new access key for a lost one: the handling department's staff and leads (issue 9).
    Action.REISSUE_KEY: {(Role.STAFF, "own"), (Role.LEAD, "own")},
    Action.MESSAGE: {(Role.STAFF, "own"), (Role.LEAD, "own")},
    Action.VIEW_REWARD: READERS,
    Action.PROPOSE_REWARD: {(Role.STAFF, "own"), (Role.LEAD, "own")},
    Action.DECIDE_REWARD: {(Role.LEAD, "own")},
    # Finance sees a report only through its award; the matrix's tip-off has none (finance's
    # reward pages are covered in tests/test_reward_workflow.py).
    Action.SIGN_OFF_REWARD: set(),
    Action.RECORD_PAYOUT: set(),
    # Closing a dissatisfied reporter's review: a lead of the report's department (issue 12).
    Action.REVIEW_SATISFACTION: {(Role.LEAD, "own")},
    Action.DRAFT_NOTICE: {(Role.LEAD, "own")},
}


def _pending_decline(complaint):
    """A staff proposal to decline the complaint (approving it keeps the report in its department)."""
    from portal.extensions import db
    from portal.reports.proposals import propose_move
    from tests.conftest import make_user

    proposer = make_user("matrix.proposer", Role.STAFF, OWN)
    proposal = propose_move(
        complaint, "declined", proposer, reason="不属于消费纠纷", ground="not_personal_consumption"
    )
    db.session.commit()
    return proposal


def _dead_letter(report):
    """An undelivered notification for the administrators' outbox page."""
    from portal.extensions import db
    from portal.notify.outbox import queue_mail

    row = queue_mail("state_change", "someone@example.org", "subject", "body", report=report)
    row.state = "dead"
    db.session.commit()
    return row


def _pending_extension(tip):
    """A staff request to extend the tip-off's running clock, and the clock of `report` to ask on."""
    from sqlalchemy import select

    from portal.deadlines.extensions import request_extension
    from portal.deadlines.models import ReportDeadline
    from portal.extensions import db
    from tests.conftest import make_user

    deadline = db.session.scalars(select(ReportDeadline).where(ReportDeadline.report_id == tip.id)).one()
    request = request_extension(deadline, make_user("matrix.requester", Role.STAFF, OWN), "等待检测报告")
    db.session.commit()
    return request


def _running_clock(report):
    from sqlalchemy import select

    from portal.deadlines.models import ReportDeadline
    from portal.extensions import db

    return db.session.scalars(select(ReportDeadline.id).where(ReportDeadline.report_id == report.id)).one()


# Pages of the sign-in flow send a user who is already through them on (302) instead of 200.
SIGN_IN_STEPS = {"admin.second_factor", "admin.enrol_totp"}


def _administration_values():
    """URL arguments of the administration screens: a category, a routing rule, a staff user."""
    from portal.directory.models import Category, RoutingRule
    from tests.conftest import lookup, make_user

    return {
        "kind": "categories",
        "item_id": lookup(Category, "food.catering").id,
        "rule_id": lookup(RoutingRule, "food-catering").id,
        "user_id": make_user("matrix.target", Role.STAFF, OWN).id,
    }


def _oversight_values():
    """A drafted notice of a decided tip-off and a named red-list entry, both of the own department."""
    from datetime import date

    from portal.extensions import db
    from portal.oversight.lists import name_red_list
    from portal.oversight.notices import draft_notice
    from tests.conftest import make_user
    from tests.rewards_helpers import decide

    drafter = make_user("matrix.drafter", Role.LEAD, OWN)
    notice = draft_notice(decide(file_report(OWN)[0]), "销售过期食品", drafter)
    entry = name_red_list(drafter, "放心餐馆", None, "无投诉", date(2026, 1, 1), date(2026, 12, 31))
    db.session.commit()
    return {"notice_id": notice.id, "entry_id": entry.id}


def admin_routes(app):
    """(endpoint, method, url) for every admin route; logout last (it ends the session)."""
    report, _ = file_report(OWN, files=photo_and_pdf(), anonymous=False, reporter_name="李四")
    other, _ = file_report(OWN)
    complaint, _ = file_report(OWN, kind="complaint")
    values = {
        "number": report.number,
        "evidence_id": report.evidence[0].id,
        "target": "verifying" if report.kind == "tip" else "accepted",
        "other_number": other.number,
        "proposal_id": _pending_decline(complaint).id,
        "outbox_id": _dead_letter(report).id,
        "deadline_id": _running_clock(report),
        "request_id": _pending_extension(other).id,
        "table": "decisions",  # the reward audit's exports
        "fmt": "csv",
        **_administration_values(),
        **_oversight_values(),
        "department_id": report.department_id,  # the supervising office's steps with a department
    }
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("admin."):
                continue
            method = "GET" if "GET" in rule.methods else "POST"
            args = {name: values[name] for name in rule.arguments}
            routes.append((rule.endpoint, method, url_for(rule.endpoint, **args)))
    return sorted(routes, key=lambda r: r[0] == "admin.logout")


WORKERS = {(Role.STAFF, "own"), (Role.LEAD, "own")}


def _workers_only(role, place):
    """Acting on a report: its department's staff and leads; an auditor sees it but is refused
    the action (403 with the reason); anyone else does not see it (404)."""
    if (role, place) in WORKERS:
        return True
    return 403 if role == Role.AUDITOR else 404


def _own_lead_only(role, place):
    """Deciding a proposal or an extension: a lead of the report's department; other leads do
    not see it (404)."""
    if role != Role.LEAD:
        return 403
    return True if place == "own" else 404


def _reviewing_lead(role, place):
    """Reviewing or withdrawing a notice or red-list entry: a lead of its department or of the
    supervising office (the intake office); other leads do not see it (404)."""
    if role != Role.LEAD:
        return 403
    return True if place in ("own", "intake") else 404


def _supervising_lead(role, place):
    """The supervision screens (issue 12 item 6): leads of the supervising office (the intake
    office); other leads do not see them (404)."""
    if role != Role.LEAD:
        return 403
    return True if place == "intake" else 404


# Routes whose view refines what the guard's rule lets through (the guard alone would say True).
REFINED = {
    "admin.move_report": _workers_only,
    "admin.withdraw_reward": _workers_only,
    "admin.request_reward_correction": _workers_only,
    "admin.same_clue": _workers_only,
    "admin.approve": _own_lead_only,
    "admin.refuse": _own_lead_only,
    "admin.approve_extension": _own_lead_only,
    "admin.refuse_extension": _own_lead_only,
    "admin.publish_notice_page": _reviewing_lead,
    "admin.withdraw_notice_page": _reviewing_lead,
    "admin.publish_red_list_page": _reviewing_lead,
    "admin.withdraw_red_list_page": _reviewing_lead,
    "admin.supervision": _supervising_lead,
    "admin.list_for_supervision": _supervising_lead,
    "admin.record_department_step": _supervising_lead,
    "admin.assessment_export": _supervising_lead,
}


def expected(endpoint, rule, role, place):
    """True (allowed), or the refusal status."""
    if endpoint in REFINED:
        return REFINED[endpoint](role, place)
    if rule in (PUBLIC, SIGNED_IN):
        return True
    if isinstance(rule, frozenset):
        return True if role in rule else 403
    return True if (role, place) in MAY[Action(rule)] else 404


def test_every_admin_route_has_a_rule(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")}
    assert endpoints - set(RULES) == set()
    # A report URL is guarded by an action on that report (so another department gets 404).
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.") and "number" in rule.arguments:
            assert isinstance(RULES[rule.endpoint], Action), rule.endpoint


@pytest.mark.parametrize(("role", "dept"), USERS, ids=[f"{r}-{d}" for r, d in USERS])
def test_route_role_matrix(app, client, login_as, role, dept):
    routes = admin_routes(app)
    login_as(role, dept)
    wrong = []
    for endpoint, method, url in routes:
        want = expected(endpoint, RULES[endpoint], role, PLACES[dept])
        response = client.open(url, method=method, data={})
        got = response.status_code
        if want is True and method == "GET" and endpoint not in SIGN_IN_STEPS:
            ok = got == 200
        else:
            ok = got in (200, 302, 400)
        if want is not True:
            ok = got == want
        if not ok:
            wrong.append((endpoint, method, want, got))
    assert wrong == []


def test_signed_out_every_route_but_sign_in_goes_to_the_sign_in_page(app, client):
    for endpoint, method, url in admin_routes(app):
        response = client.open(url, method=method, data={})
        if RULES[endpoint] == PUBLIC:
            assert response.status_code == 200
        else:
            assert response.status_code == 302, endpoint
            assert "/admin/login" in response.headers["Location"]


def test_a_route_without_a_rule_fails_closed(app, client, login_as):
    app.add_url_rule("/admin/forgotten", "admin.forgotten", lambda: "case content")
    login_as(Role.LEAD, OWN)
    response = client.get("/admin/forgotten")
    assert response.status_code == 404
    assert "case content" not in response.get_data(as_text=True)
