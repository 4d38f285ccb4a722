"""Staff write to the reporter from the case page (portal/messages); the answers show in the
case timeline. The report is loaded through the guard's rule (Action.MESSAGE)."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from admin import bp
from admin.access import report_or_404
from admin.case import _render as render_case
from admin.case_messages import casework_error_text
from portal.accounts.permissions import Action
from portal.extensions import db
from portal.messages.operations import send_to_reporter
from portal.reports.errors import ReportError


@bp.post("/reports/<number>/messages")
def case_message(number):
    report = report_or_404(number, Action.MESSAGE)
    try:
        send_to_reporter(report, request.form.get("body"), current_user)
    except ReportError as refused:
        db.session.rollback()
        flash(casework_error_text(refused.code), "danger")
        if refused.code != "messaging_closed" and request.form.get("body"):
            # The typed message is kept, as for notes.
            return render_case(report, status=400, message_body=request.form.get("body", ""))
        return redirect(url_for("admin.case", number=number))
    db.session.commit()
    flash(_("Message sent. The reporter reads it with their receipt."), "success")
    return redirect(url_for("admin.case", number=number) + "#case-conversation")
