"""The action panel: every move this user may make or propose now, proposals a lead decides,
re-routing by the intake office, and same-clue links. Each view: load (404 outside the user's
scope) → authorise (refusal page) → read the form → call the domain → commit → back to the case."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from admin import bp
from admin.access import report_or_404
from admin.action_forms import MOVE_LABELS, is_routed, read_department, read_move
from admin.action_panel import panel_for  # noqa: F401  (registers the template global)
from portal.accounts.permissions import Action, can
from portal.audit.chain import Actor
from portal.extensions import db
from portal.reports.clues import link_same_clue, may_link
from portal.reports.errors import ReportError
from portal.reports.operations import transition_report
from portal.reports.proposals import (
    Proposal,
    ProposalStatus,
    approve_proposal,
    is_department_lead,
    pending_proposals,
    propose_move,
    refuse_proposal,
)
from portal.reports.rerouting import reroute_to
from portal.reports.states import State, public_state_text
from portal.site.messages import decision_error_texts


def _user():
    return current_user._get_current_object()


def load_report(number):
    """The report if this user may see it; 404 otherwise (another department's report does not exist)."""
    return report_or_404(number, Action.VIEW)


def case_url(report):
    """The case page once it exists (built alongside), else the standalone panel."""
    if "admin.case" in current_app.view_functions:
        return url_for("admin.case", number=report.number)
    return url_for("admin.report_actions", number=report.number)


def error_text(code):
    return decision_error_texts().get(code, _("The change was not saved. Check the fields and try again."))


def refused(message):
    """The page for an action this user may not take now (never offered, but posted anyway)."""
    title = _("This action is not allowed")
    return render_template("admin/refused.html", title=title, message=message), 403


def _not_now():
    return refused(_("You may not take this step on this report in its current state."))


def _panel_page(report, status=200, **form_state):
    page = render_template(
        "admin/actions.html", report=report, public_state_text=public_state_text, **form_state
    )
    return page, status


@bp.get("/reports/<number>/actions")
def report_actions(number):
    return _panel_page(load_report(number))


def _target(value):
    try:
        return State(value)
    except ValueError:
        return None


@bp.post("/reports/<number>/move/<target>")
def move_report(number, target):
    report, user, target = load_report(number), _user(), _target(target)
    may_move = target is not None and can(user, Action.MOVE, report, target)
    if not may_move and not (target is not None and can(user, Action.PROPOSE, report, target)):
        return _not_now()
    try:
        if is_routed(report, target):
            reroute_to(
                report, read_department(request.form), Actor.for_user(user), request.form.get("reason")
            )
        else:
            reason, details = read_move(report, target, request.form)
            if may_move:
                transition_report(report, target, Actor.for_user(user), reason or None, **details)
            else:
                propose_move(report, target, user, reason, **details)
    except ReportError as error:
        db.session.rollback()
        return _panel_page(
            report, 400, action_error=(target, error_text(error.code)), action_values=request.form
        )
    db.session.commit()
    if may_move:
        flash(_("Done: %(step)s.", step=MOVE_LABELS[target]), "success")
    else:
        flash(_("Proposed: %(step)s. A lead of the department decides.", step=MOVE_LABELS[target]), "success")
    return redirect(case_url(report))


def _load_proposal(proposal_id):
    """The proposal if its report is visible to this user (404 otherwise)."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    load_report(proposal.report.number)
    return proposal


def _decide(proposal_id, decide):
    proposal = _load_proposal(proposal_id)
    report = proposal.report
    if not is_department_lead(_user(), report):
        return refused(_("Only a lead of the department decides proposals."))
    if proposal.proposed_by_id == _user().id:
        return refused(error_text("own_proposal"))
    try:
        decide(proposal)
    except ReportError as error:
        db.session.rollback()
        flash(error_text(error.code), "danger")
        return redirect(case_url(report))
    db.session.commit()
    return proposal


@bp.post("/proposals/<int:proposal_id>/approve")
def approve(proposal_id):
    result = _decide(proposal_id, lambda p: approve_proposal(p, _user()))
    if not isinstance(result, Proposal):
        return result
    if result.status == ProposalStatus.REFUSED:
        flash(error_text("proposal_stale"), "warning")
    else:
        flash(_("Approved: %(step)s.", step=MOVE_LABELS[State(result.target)]), "success")
    return redirect(case_url(result.report))


@bp.post("/proposals/<int:proposal_id>/refuse")
def refuse(proposal_id):
    result = _decide(proposal_id, lambda p: refuse_proposal(p, _user(), request.form.get("reason")))
    if not isinstance(result, Proposal):
        return result
    flash(_("The proposal was refused; the proposer sees your reason."), "info")
    return redirect(case_url(result.report))


@bp.get("/proposals")
def proposals():
    """What waits for a decision in the reports this user can see."""
    return render_template(
        "admin/proposals.html",
        proposals=pending_proposals(_user()),
        move_label=lambda t: MOVE_LABELS[State(t)],
    )


@bp.post("/reports/<number>/same-clue/<other_number>")
def same_clue(number, other_number):
    report, other = load_report(number), load_report(other_number)
    if not may_link(_user(), report, other):
        return refused(_("Only those who work on this report can link it."))
    try:
        link_same_clue(report, other, _user())
    except ReportError as error:
        db.session.rollback()
        flash(error_text(error.code), "danger")
        return redirect(case_url(report))
    db.session.commit()
    flash(_("Marked as the same clue as %(number)s.", number=other.number), "success")
    return redirect(case_url(report))
