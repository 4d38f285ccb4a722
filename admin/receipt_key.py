"""Re-issuing a lost access key (real-name reporters only): the case page's form posts here; the
new key is shown on this one response (not stored, not cached) for the staff member to hand over."""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from admin import bp
from admin.access import report_or_404
from admin.case_messages import casework_error_text
from portal.accounts.permissions import Action
from portal.casework.key_reissue import receipt_reports, reissue_access_key
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.reports.receipts import format_key


@bp.post("/reports/<number>/access-key")
def case_reissue_key(number):
    report = report_or_404(number, Action.REISSUE_KEY)
    try:
        key = reissue_access_key(report, request.form.get("identity_check"), current_user)
    except ReportError as refused:
        db.session.rollback()
        flash(casework_error_text(refused.code), "danger")
        return redirect(url_for("admin.case", number=number))
    db.session.commit()
    page = render_template(
        "admin/key_reissued.html", report=report, reports=receipt_reports(report), key=format_key(key)
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response
