"""Deadline extensions in the back office: the case page's deadline section (a template global),
staff asking for an extension, and a lead of the department approving or refusing it. Each view:
load (404 outside the user's scope) → authorise (refusal page) → call the domain → commit → back
to the case. The domain checks the same rules again (portal/deadlines/extensions.py)."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from admin import bp
from admin.access import report_or_404
from admin.actions import refused
from portal.accounts.permissions import Action, can
from portal.clock import local_today
from portal.deadlines import extensions as ext
from portal.deadlines.clocks import running_deadlines
from portal.deadlines.models import ReportDeadline
from portal.deadlines.policies import policy_text
from portal.deadlines.queries import badge
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.site.messages import report_error_text


def _user():
    return current_user._get_current_object()


def _back(report):
    return redirect(url_for("admin.case", number=report.number, _anchor="case-deadlines"))


@bp.app_template_global("deadline_section")
def deadline_section(report):
    """The report's running clocks for the case page: due date, badge, the extension the policy
    allows, the pending request and what this user may do with it; and the decided requests."""
    user, today = _user(), local_today()
    requests = ext.extension_requests(report)
    pending = {r.pending_deadline_id: r for r in requests if r.is_pending}
    may_ask = can(user, Action.ADD_NOTE, report)
    may_decide = ext.is_deciding_lead(user, report)
    clocks = []
    for deadline in sorted(running_deadlines(report), key=lambda d: (d.due_on, d.id)):
        waiting = pending.get(deadline.id)
        clocks.append(
            {
                "deadline": deadline,
                "label": policy_text(deadline.policy_code),
                "badge": badge(deadline, today),
                "extension_days": deadline.policy.extension_days,
                "working_days": deadline.policy.working_days is not None,
                "pending": waiting,
                "may_ask": may_ask and waiting is None and ext.extendable(deadline),
                "may_decide": waiting is not None and may_decide and waiting.requested_by_id != user.id,
            }
        )
    decided = [r for r in requests if not r.is_pending]
    return {"clocks": clocks, "decided": decided, "label": policy_text}


@bp.post("/reports/<number>/deadlines/<int:deadline_id>/extension")
def ask_extension(number, deadline_id):
    report = report_or_404(number, Action.ADD_NOTE)
    deadline = db.session.get(ReportDeadline, deadline_id)
    if deadline is None or deadline.report_id != report.id:
        abort(404)
    try:
        ext.request_extension(deadline, _user(), request.form.get("reason"))
        db.session.commit()
    except ReportError as error:
        db.session.rollback()
        flash(report_error_text(error.code), "danger")
    except IntegrityError:  # a colleague's request for the same clock committed first
        db.session.rollback()
        flash(report_error_text("extension_pending"), "danger")
    else:
        flash(_("Extension requested. A lead of the department decides."), "success")
    return _back(report)


def _load_request(request_id):
    """The request if its report is visible to this user (404 otherwise)."""
    found = db.session.get(ext.ExtensionRequest, request_id)
    if found is None:
        abort(404)
    report_or_404(found.report.number, Action.VIEW)
    return found


def _decide(request_id, decide, done):
    found = _load_request(request_id)
    report, user = found.report, _user()
    if not ext.is_deciding_lead(user, report):
        return refused(report_error_text("extension_lead_only"))
    if found.requested_by_id == user.id:
        return refused(report_error_text("own_extension"))
    try:
        decide(found, user)
        db.session.commit()
    except ReportError as error:
        db.session.rollback()
        flash(report_error_text(error.code), "danger")
    else:
        flash(done(found), "success")
    return _back(report)


@bp.post("/extensions/<int:request_id>/approve")
def approve_extension(request_id):
    return _decide(
        request_id,
        ext.approve_extension,
        lambda r: _("Extension approved: now due on %(day)s.", day=r.deadline.due_on.isoformat()),
    )


@bp.post("/extensions/<int:request_id>/refuse")
def refuse_extension(request_id):
    return _decide(
        request_id,
        lambda found, user: ext.refuse_extension(found, user, request.form.get("reason")),
        lambda r: _("Extension refused; the requester sees your reason."),
    )
