"""The case page: everything the citizen sent, the staff timeline, notes, the reporter's identity
(masked until a reveal), evidence downloads, and assignment. Every URL loads its report through
admin.access.report_or_404, so another department's report is a 404 everywhere."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from admin import bp
from admin.access import report_or_404
from admin.case_messages import casework_error_text
from portal.accounts.models import User
from portal.accounts.permissions import Action, allowed_moves, can
from portal.casework.masking import masked, shown
from portal.casework.operations import add_note, assign_reports, colleagues, record_download, reveal_reporter
from portal.casework.timeline import case_timeline
from portal.evidence.models import Evidence
from portal.evidence.storage import stored_path
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.reports.intake_rules import DEMAND_TEXT
from portal.reports.states import KIND_TEXT, public_state_text

# Served inline only if we re-encoded the pixels ourselves (sanitise.clean); all else downloads.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def _inline(evidence):
    return evidence.metadata_stripped and evidence.mime_type in INLINE_TYPES


def _identity(report, revealed=None):
    """[(label, value)] for the case page: nothing for anonymous reports, masked otherwise."""
    if report.anonymous or report.primary_reporter is None:
        return None
    people = revealed if revealed is not None else report.reporters
    show = shown if revealed is not None else masked
    return [show(person) for person in people]


def _render(report, revealed=None, status=200, note_body="", message_body=""):
    linked = report.linked_report
    return (
        render_template(
            "admin/case.html",
            report=report,
            kind_text=KIND_TEXT[report.kind],
            state_text=public_state_text(report.kind, report.state),
            identity=_identity(report, revealed),
            revealed=revealed is not None,
            timeline=case_timeline(report),
            linked=linked,
            linked_visible=linked is not None and can(current_user, Action.VIEW, linked),
            inline=_inline,
            may=lambda action: can(current_user, action, report),
            colleagues=colleagues(current_user) if can(current_user, Action.ASSIGN, report) else [],
            allowed_moves=allowed_moves,
            note_body=note_body,
            message_body=message_body,
            demand_text=DEMAND_TEXT,
        ),
        status,
    )


@bp.get("/reports/<number>")
def case(number):
    return _render(report_or_404(number, Action.VIEW))


@bp.post("/reports/<number>/reveal")
def case_reveal(number):
    """Show the identity on this response only (nothing stored in the session), audited."""
    report = report_or_404(number, Action.VIEW_IDENTITY)
    try:
        people = reveal_reporter(report, current_user)
    except ReportError as refused:
        db.session.rollback()
        flash(casework_error_text(refused.code), "warning")
        return redirect(url_for("admin.case", number=number))
    db.session.commit()
    return _render(report, revealed=people)


@bp.get("/reports/<number>/evidence/<int:evidence_id>")
def case_evidence(number, evidence_id):
    report = report_or_404(number, Action.DOWNLOAD_EVIDENCE)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.report_id != report.id:
        abort(404)
    record_download(report, evidence, current_user)
    db.session.commit()
    response = send_file(
        stored_path(evidence.storage_name),
        mimetype=evidence.mime_type,
        as_attachment=not _inline(evidence),
        download_name=evidence.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/reports/<number>/notes")
def case_note(number):
    report = report_or_404(number, Action.ADD_NOTE)
    try:
        add_note(report, request.form.get("body"), current_user)
    except ReportError as refused:
        db.session.rollback()
        flash(casework_error_text(refused.code), "danger")
        # The typed note is kept: the page is shown again with it instead of redirecting.
        return (
            _render(report, status=400, note_body=request.form.get("body", ""))
            if request.form.get("body")
            else _back(number)
        )
    db.session.commit()
    flash(_("Note saved."), "success")
    return _back(number)


@bp.post("/reports/<number>/assign")
def case_assign(number):
    report = report_or_404(number, Action.ASSIGN)
    assignee_id = request.form.get("assignee", "")
    assignee = db.session.get(User, int(assignee_id)) if assignee_id.isdigit() else None
    try:
        if assignee is None and assignee_id != "none":
            raise ReportError("assignee_not_in_department")
        assign_reports([report], assignee, current_user)
    except ReportError as refused:
        db.session.rollback()
        flash(casework_error_text(refused.code), "danger")
    else:
        db.session.commit()
        flash(_("Assignment saved."), "success")
    return _back(number)


def _back(number):
    return redirect(url_for("admin.case", number=number))
