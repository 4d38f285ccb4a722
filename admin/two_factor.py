"""The second factor in the browser: the code after the password, enrolment, "my account"."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from admin import bp
from admin.auth import staff_record
from admin.forms import SecondFactorForm
from admin.messages import sign_in_error_text
from portal.accounts import totp
from portal.accounts.operations import SignInRefused
from portal.accounts.two_factor import (
    begin_enrolment,
    confirm_enrolment,
    pass_second_factor,
    recovery_codes_left,
    second_factor_pending,
)
from portal.extensions import db, limiter


def _failed(response):
    """Only refused codes use up the address's budget."""
    return getattr(response, "code_refused", False)


def _refused(refused, template, **context):
    db.session.commit()  # the failure is counted and audited all the same
    flash(sign_in_error_text(refused), "danger")
    response = current_app.make_response(
        (render_template(template, **context), 429 if refused.code == "locked" else 200)
    )
    response.code_refused = True
    return response


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], deduct_when=_failed)
def second_factor():
    user = current_user._get_current_object()
    if not user.totp_enrolled:
        return redirect(url_for("admin.enrol_totp"))
    if not second_factor_pending(user, staff_record()):
        return redirect(url_for("admin.dashboard"))
    form = SecondFactorForm()
    if not form.validate_on_submit():
        return render_template("admin/login_code.html", form=form)
    try:
        pass_second_factor(user, form.code.data, staff_record(), request.remote_addr)
    except SignInRefused as refused:
        return _refused(refused, "admin/login_code.html", form=form)
    db.session.commit()
    return redirect(url_for("admin.dashboard"))


@bp.route("/account/totp", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], deduct_when=_failed)
def enrol_totp():
    user = current_user._get_current_object()
    if user.totp_enrolled:
        return redirect(url_for("admin.account"))
    secret = begin_enrolment(user)
    db.session.commit()  # the same secret across reloads until a code confirms it
    form = SecondFactorForm()
    context = dict(
        form=form, secret=secret, qr=totp.qr_data_uri(totp.provisioning_uri(secret, user.username))
    )
    if not form.validate_on_submit():
        return render_template("admin/totp_enrol.html", **context)
    try:
        codes = confirm_enrolment(user, form.code.data, staff_record(), request.remote_addr)
    except SignInRefused as refused:
        return _refused(refused, "admin/totp_enrol.html", **context)
    db.session.commit()
    return render_template("admin/totp_recovery_codes.html", codes=codes)


@bp.get("/account")
def account():
    user = current_user._get_current_object()
    left = recovery_codes_left(user) if user.totp_enrolled else 0
    return render_template("admin/account.html", user=user, recovery_left=left)
