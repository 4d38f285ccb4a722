"""Administrators' screen for staff accounts: the same operations as `flask users …`."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from admin import bp
from admin.administration_forms import ConfirmForm, EmailForm, NewUserForm, PasswordForm
from portal.accounts.models import Role, User
from portal.accounts.operations import change_password, create_user, deactivate_user, set_email
from portal.accounts.passwords import AccountError
from portal.accounts.two_factor import reset_totp
from portal.audit.chain import Actor
from portal.directory.models import Department
from portal.extensions import db
from portal.site.messages import report_error_text

ROLE_TEXT = {
    Role.STAFF: _l("Staff"),
    Role.LEAD: _l("Lead"),
    Role.FINANCE: _l("Finance"),
    Role.AUDITOR: _l("Auditor"),
    Role.ADMIN: _l("Administrator"),
}


def _new_user_form():
    form = NewUserForm()
    form.role.choices = [SelectChoice(role.value, text) for role, text in ROLE_TEXT.items()]
    departments = db.session.scalars(select(Department).where(Department.active).order_by(Department.code))
    form.department.choices = [SelectChoice(0, _("No department"))] + [
        SelectChoice(d.id, d.name) for d in departments
    ]
    return form


def _users_page(form, status=200):
    users = db.session.scalars(select(User).order_by(User.active.desc(), User.username)).all()
    page = render_template(
        "admin/administration/users.html",
        form=form,
        users=users,
        password_form=PasswordForm(formdata=None),
        confirm_form=ConfirmForm(),
        role_text={role.value: text for role, text in ROLE_TEXT.items()},
    )
    return page, status


def _user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _actor():
    return Actor.for_user(current_user)


@bp.get("/administration/users/")
def users():
    return _users_page(_new_user_form())


@bp.post("/administration/users/")
def create_staff_user():
    form = _new_user_form()
    if not form.validate_on_submit():
        return _users_page(form, 400)
    department = db.session.get(Department, form.department.data) if form.department.data else None
    display_name = form.display_name.data or form.username.data
    try:
        user = create_user(
            form.username.data, display_name, form.role.data, department, form.password.data, _actor()
        )
    except AccountError as exc:
        db.session.rollback()
        flash(report_error_text(exc.code), "danger")
        return _users_page(form, 409)
    db.session.commit()
    flash(_("Account %(name)s created.", name=user.username), "success")
    return redirect(url_for("admin.users"))


def _account_change(user_id, form, change, done):
    """Run one account operation on a user; refusals are shown on the users page."""
    user = _user(user_id)
    if not form.validate_on_submit():
        if not isinstance(form, PasswordForm):
            abort(400)  # a button without its CSRF token
        flash(_("Enter a password."), "danger")
        return redirect(url_for("admin.users"))
    try:
        change(user)
    except AccountError as exc:
        db.session.rollback()
        flash(report_error_text(exc.code), "danger")
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(done % {"name": user.username}, "success")
    return redirect(url_for("admin.users"))


@bp.post("/administration/users/<int:user_id>/deactivate")
def deactivate_staff_user(user_id):
    done = _("Account %(name)s deactivated; its sessions have ended.")
    return _account_change(user_id, ConfirmForm(), lambda u: deactivate_user(u, _actor()), done)


@bp.post("/administration/users/<int:user_id>/password")
def reset_user_password(user_id):
    form = PasswordForm()
    done = _("The password of %(name)s was changed; its sessions have ended.")
    return _account_change(user_id, form, lambda u: change_password(u, form.password.data, _actor()), done)


@bp.post("/administration/users/<int:user_id>/totp")
def reset_user_totp(user_id):
    done = _("Two-step sign-in of %(name)s was reset; it is set up again at the next sign-in.")
    return _account_change(user_id, ConfirmForm(), lambda u: reset_totp(u, _actor()), done)


@bp.post("/administration/users/<int:user_id>/email")
def set_user_email(user_id):
    form = EmailForm()
    done = _("The email address of %(name)s was saved.")
    return _account_change(user_id, form, lambda u: set_email(u, form.email.data, _actor()), done)
