"""Back-office screens of the public notices and the red list: draft, review, withdraw."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from admin import bp
from admin.access import report_or_404
from admin.oversight_messages import oversight_error_text
from portal.accounts.permissions import Action
from portal.extensions import db
from portal.oversight.errors import OversightError
from portal.oversight.lists import name_red_list, publish_red_list, red_list_for, withdraw_red_list
from portal.oversight.models import PublicNotice, RedListEntry
from portal.oversight.notices import (
    draft_notice,
    live_notice,
    may_withdraw,
    notices_for,
    publish_notice,
    withdraw_notice,
)
from portal.oversight.roles import is_supervisor, may_review


def _attempt(operation, success):
    """Run one operation; commit and flash `success`, or roll back and flash the reason."""
    try:
        operation()
    except OversightError as refused:
        db.session.rollback()
        flash(oversight_error_text(refused.code), "danger")
        return False
    db.session.commit()
    flash(success, "success")
    return True


def _visible(row):
    """A notice or red-list entry this lead may see (their department's, or any for a supervisor)."""
    if row is None or not (is_supervisor(current_user) or row.department_id == current_user.department_id):
        abort(404)
    return row


@bp.get("/notices")
def notices():
    return render_template(
        "admin/oversight/notices.html",
        notices=notices_for(current_user),
        may_review=lambda n: may_review(current_user, n.department_id, n.drafted_by_id),
        may_withdraw=lambda n: may_withdraw(current_user, n.department_id),
    )


@bp.route("/reports/<number>/notice", methods=["GET", "POST"])
def draft_notice_page(number):
    report = report_or_404(number, Action.DRAFT_NOTICE)
    if request.method == "POST" and _attempt(
        lambda: draft_notice(report, request.form.get("violation"), current_user),
        _("Notice drafted: a second person reviews it before it is published."),
    ):
        return redirect(url_for("admin.notices"))
    return render_template("admin/oversight/draft_notice.html", report=report, existing=live_notice(report))


@bp.post("/notices/<int:notice_id>/publish")
def publish_notice_page(notice_id):
    notice = _visible(db.session.get(PublicNotice, notice_id))
    _attempt(lambda: publish_notice(notice, current_user), _("Notice published."))
    return redirect(url_for("admin.notices"))


@bp.post("/notices/<int:notice_id>/withdraw")
def withdraw_notice_page(notice_id):
    notice = _visible(db.session.get(PublicNotice, notice_id))
    _attempt(
        lambda: withdraw_notice(notice, current_user, request.form.get("reason")), _("Notice withdrawn.")
    )
    return redirect(url_for("admin.notices"))


def _date(name):
    try:
        return date.fromisoformat(request.form.get(name, ""))
    except ValueError:
        return None


@bp.route("/red-list", methods=["GET", "POST"])
def red_list():
    if request.method == "POST":
        form = request.form
        _attempt(
            lambda: name_red_list(
                current_user,
                form.get("business_name"),
                form.get("business_licence"),
                form.get("reason"),
                _date("period_from"),
                _date("period_to"),
            ),
            _("Named: a second person reviews it before it is published."),
        )
        return redirect(url_for("admin.red_list"))
    return render_template(
        "admin/oversight/red_list.html",
        entries=red_list_for(current_user),
        may_review=lambda e: may_review(current_user, e.department_id, e.named_by_id),
        may_withdraw=lambda e: may_withdraw(current_user, e.department_id),
    )


@bp.post("/red-list/<int:entry_id>/publish")
def publish_red_list_page(entry_id):
    entry = _visible(db.session.get(RedListEntry, entry_id))
    _attempt(lambda: publish_red_list(entry, current_user), _("Published on the red list."))
    return redirect(url_for("admin.red_list"))


@bp.post("/red-list/<int:entry_id>/withdraw")
def withdraw_red_list_page(entry_id):
    entry = _visible(db.session.get(RedListEntry, entry_id))
    _attempt(
        lambda: withdraw_red_list(entry, current_user, request.form.get("reason")),
        _("Withdrawn from the red list."),
    )
    return redirect(url_for("admin.red_list"))
