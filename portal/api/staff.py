"""Staff endpoints, with a personal token (Authorization: Bearer …). The token's user goes
through exactly the back office's checks: scoped_reports() and can(). Another department's report
is 404 (it does not exist for this user); a move the role may not make is 403. A decision the law
puts on a lead, asked by staff who may only propose it, becomes a proposal (202), as on the
back office's action panel."""

from functools import wraps

from flask import current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.permissions import Action, allowed_moves, can, scoped_reports
from portal.api import bp, json_body
from portal.api.problems import ApiProblem, domain_problem
from portal.api.schemas import (
    MessageCreated,
    MessageIn,
    QueueArgs,
    QueuePageOut,
    StaffReport,
    TransitionDone,
    TransitionIn,
)
from portal.api.tokens import use_token
from portal.api.views import legal_dates_out, messages_out
from portal.audit.chain import Actor
from portal.casework.queue import QueueFilters, default_order, queue_page
from portal.directory.models import Category, Department, Region
from portal.extensions import db, limiter
from portal.messages.operations import send_to_reporter
from portal.reports.decisions import DETAILS
from portal.reports.errors import ReportError
from portal.reports.models import Report
from portal.reports.operations import transition_report
from portal.reports.proposals import pending_proposal, propose_move
from portal.reports.receipts import normalise_number
from portal.reports.rerouting import reroute_to
from portal.reports.states import ROUTED_MOVES, State, move

BEARER = "bearer "


def _token_limit():
    return current_app.config["API_TOKEN_LIMIT"]


def staff_only(view):
    """Authenticate the bearer token (each use audited), then run the view as its user."""

    @wraps(view)
    @limiter.shared_limit(_token_limit, scope="api-token")
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        plain = header[len(BEARER) :].strip() if header.lower().startswith(BEARER) else ""
        user = use_token(plain, request.endpoint, request.method) if plain else None
        if user is None:
            db.session.rollback()
            raise ApiProblem(
                401,
                "token_invalid",
                _("Send a live personal token: Authorization: Bearer <token>."),
                headers={"WWW-Authenticate": 'Bearer realm="portal"'},
            )
        db.session.commit()  # the use is audited even if the request is then refused
        g.api_user = user
        return view(user, *args, **kwargs)

    return wrapped


def _not_found():
    return ApiProblem(
        404,
        "not_found",
        _("There is nothing at this address, or the report number and access key do not match."),
    )


def _report(user, number, action=Action.VIEW):
    """The report if this user may see it (scoped_reports + can), else 404, as report_or_404()."""
    query = scoped_reports(user).where(Report.number == normalise_number(number[:30]))
    report = db.session.scalar(query)
    if report is None or not can(user, action, report):
        raise _not_found()
    return report


def _code_id(model, code, field):
    if not code:
        return None
    row = db.session.scalar(select(model).where(model.code == code))
    if row is None:
        raise ApiProblem(
            422,
            "validation_failed",
            _("Some fields are missing or invalid; see errors."),
            errors={field: [_("Unknown code.")]},
        )
    return row.id


def _summary(report):
    return {
        "number": report.number,
        "kind": report.kind,
        "state": report.state,
        "department": report.department.code,
        "category": report.category.code,
        "region": report.region.code,
        "business_name": report.business_name,
        "assignee": report.assignee.username if report.assignee else None,
        "received_at": report.received_at,
        "updated_at": report.updated_at,
    }


@bp.get("/staff/reports")
@staff_only
def staff_queue(user):
    args = QueueArgs().load(request.args.to_dict())  # a ValidationError answers 422
    filters = QueueFilters(
        state=args.get("state"),
        kind=args.get("kind"),
        category_id=_code_id(Category, args.get("category"), "category"),
        region_id=_code_id(Region, args.get("region"), "region"),
        mine=args["mine"],
        unassigned=args["unassigned"],
        query=args.get("q"),
        sort=args.get("sort") or default_order(args.get("due")),
        due=args.get("due"),
        due_days=args["due_days"],
    )
    page = queue_page(user, filters, after=args.get("cursor"))
    return QueuePageOut().dump({"items": [_summary(r) for r in page.reports], "next": page.next_cursor})


def _moves(user, report):
    out = []
    for target, mode in allowed_moves(user, report):
        step = move(report.kind, report.state, target)
        out.append(
            {
                "action": target.value,
                "mode": "move" if mode == Action.MOVE else "propose",
                "details": list(step.details),
            }
        )
    return out


DECISION_COLUMNS = (
    "decline_ground",
    "decline_reason",
    "return_reason",
    "mediation_terms",
    "mediation_end_ground",
    "mediation_end_reason",
    "case_number",
    "case_opened_on",
    "not_opened_reason",
    "decision_number",
    "decided_on",
    "confiscation_yuan",
    "fine_yuan",
    "referred_for_prosecution",
    "no_penalty_reason",
)


def staff_report_out(user, report):
    proposal = pending_proposal(report)
    linked = report.linked_report
    out = _summary(report) | {
        "description": report.description,
        "business_address": report.business_address,
        "business_licence": report.business_licence,
        "occurred_on": report.occurred_on,
        "anonymous": report.anonymous,
        "wants_reward": report.wants_reward,
        "demand": report.demand,
        "demand_amount": report.demand_amount,
        "platform": report.platform,
        "order_number": report.order_number,
        "linked_number": linked.number if linked is not None else None,
        "decision": {name: getattr(report, name) for name in DECISION_COLUMNS},
        "evidence": [
            {
                "sha256": e.sha256,
                "mime_type": e.mime_type,
                "size_bytes": e.size_bytes,
                "metadata_stripped": e.metadata_stripped,
            }
            for e in report.evidence
        ],
        "messages": messages_out(report),
        "legal_dates": legal_dates_out(report),
        "moves": _moves(user, report),
        "pending_proposal": proposal.target if proposal is not None else None,
    }
    return StaffReport().dump(out)


@bp.get("/staff/reports/<number>")
@staff_only
def staff_report(user, number):
    return staff_report_out(user, _report(user, number)), 200, {"Cache-Control": "no-store"}


@bp.post("/staff/reports/<number>/transitions")
@staff_only
def staff_transition(user, number):
    report = _report(user, number)
    body = json_body(TransitionIn())
    target = State(body.pop("action"))
    if move(report.kind, report.state, target) is None:
        raise domain_problem("invalid_transition")
    may_move = can(user, Action.MOVE, report, target)
    if not may_move and not can(user, Action.PROPOSE, report, target):
        raise ApiProblem(403, "not_allowed", _("Your role may not take this step on this report."))
    reason = body.pop("reason", None)
    department = body.pop("department", None)
    allowed = set(DETAILS.get(target, {}))
    details = {k: v for k, v in body.items() if v is not None}
    unexpected = set(details) - allowed
    if unexpected:
        raise ApiProblem(
            422,
            "validation_failed",
            _("Some fields are missing or invalid; see errors."),
            errors={name: [_("This step records no such detail.")] for name in sorted(unexpected)},
        )
    proposal = None
    try:
        if (report.state, target) in ROUTED_MOVES:
            dept = db.session.scalar(select(Department).where(Department.code == (department or "")))
            reroute_to(report, dept.id if dept else None, Actor.for_user(user), reason)
        elif may_move:
            transition_report(report, target, Actor.for_user(user), reason or None, **details)
        else:
            proposal = propose_move(report, target, user, reason, **details)
        db.session.commit()
    except ReportError as exc:
        db.session.rollback()
        raise domain_problem(exc.code) from None
    out = {
        "number": report.number,
        "outcome": "moved" if proposal is None else "proposed",
        "state": report.state,
        "department": report.department.code,
        "proposal": proposal.id if proposal is not None else None,
    }
    return TransitionDone().dump(out), 200 if proposal is None else 202


@bp.post("/staff/reports/<number>/messages")
@staff_only
def staff_message(user, number):
    report = _report(user, number)
    if not can(user, Action.MESSAGE, report):
        raise ApiProblem(403, "not_allowed", _("Your role may not write to the reporter."))
    body = json_body(MessageIn())
    try:
        message = send_to_reporter(report, body["body"], user)
        db.session.commit()
    except ReportError as exc:
        db.session.rollback()
        raise domain_problem(exc.code) from None
    return MessageCreated().dump(
        {"id": message.id, "direction": message.direction, "at": message.created_at}
    ), 201
