"""Administrators' pages for the working-day calendar and the deadline policies."""

from functools import wraps

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from admin import bp
from admin.deadline_forms import OverrideForm, PolicyVersionForm, RemoveOverrideForm
from portal.accounts.models import Role
from portal.audit.chain import Actor
from portal.deadlines.holidays import overrides, provisional_years, remove_override, set_override
from portal.deadlines.policies import add_policy_version, all_versions
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.site.messages import report_error_text


def admins_only(view):
    """Configuration is the administrators' job; nobody else sees these pages."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if current_user.role != Role.ADMIN:
            abort(403)
        return view(*args, **kwargs)

    return guarded


def _actor():
    return Actor.for_user(current_user)


def _calendar_page(form, status=200):
    page = render_template(
        "admin/deadlines/calendar.html",
        form=form,
        remove_form=RemoveOverrideForm(),
        overrides=overrides(),
        provisional=provisional_years(),
    )
    return page, status


@bp.get("/deadlines/calendar")
@admins_only
def calendar_days():
    return _calendar_page(OverrideForm())


@bp.post("/deadlines/calendar")
@admins_only
def add_calendar_day():
    form = OverrideForm()
    if not form.validate_on_submit():
        return _calendar_page(form, 400)
    try:
        set_override(form.day.data, form.working.data, form.note.data, _actor())
    except ReportError as exc:
        db.session.rollback()
        flash(report_error_text(exc.code), "danger")
        return _calendar_page(form, 409)
    db.session.commit()
    flash(_("The calendar now has an override for %(day)s.", day=form.day.data.isoformat()), "success")
    return redirect(url_for("admin.calendar_days"))


@bp.post("/deadlines/calendar/remove")
@admins_only
def remove_calendar_day():
    form = RemoveOverrideForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        remove_override(form.day.data, _actor())
    except ReportError as exc:
        db.session.rollback()
        flash(report_error_text(exc.code), "danger")
        return redirect(url_for("admin.calendar_days"))
    db.session.commit()
    flash(_("The override for %(day)s was removed.", day=form.day.data.isoformat()), "success")
    return redirect(url_for("admin.calendar_days"))


def _policy_form():
    form = PolicyVersionForm()
    form.code.choices = sorted({p.code for p in all_versions()})
    return form


def _policies_page(form, status=200):
    return render_template("admin/deadlines/policies.html", form=form, versions=all_versions()), status


@bp.get("/deadlines/policies")
@admins_only
def deadline_policies():
    return _policies_page(_policy_form())


@bp.post("/deadlines/policies")
@admins_only
def add_deadline_policy():
    form = _policy_form()
    if not form.validate_on_submit():
        return _policies_page(form, 400)
    try:
        add_policy_version(
            form.code.data,
            form.effective_from.data,
            _actor(),
            working_days=form.working_days.data,
            calendar_days=form.calendar_days.data,
            extension_days=form.extension_days.data or 0,
            source=form.source.data,
        )
    except ReportError as exc:
        db.session.rollback()
        flash(report_error_text(exc.code), "danger")
        return _policies_page(form, 409)
    db.session.commit()
    flash(_("The new version of %(code)s was added.", code=form.code.data), "success")
    return redirect(url_for("admin.deadline_policies"))
