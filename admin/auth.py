"""Staff sign-in. Every admin page needs a signed-in user unless it is on the allow-list, and a
user whose role needs a second factor reaches only the second-factor pages until it has passed.

The cookie carries a session token as well as Flask-Login's user id; the server decides whether
that session still lives (sign-out, idle and absolute timeouts, deactivation: portal/sessions)
and whether it has passed the second factor.
"""

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from admin import bp
from admin.access import enforce_rules
from admin.forms import LoginForm
from admin.messages import sign_in_error_text
from admin.session_cookie import StaffAwareSessionInterface, is_back_office
from portal.accounts.operations import SignInRefused, resume_staff_session, sign_in, sign_out
from portal.accounts.two_factor import second_factor_pending
from portal.extensions import db, limiter
from portal.sessions.operations import unsaved_changes

PUBLIC_ENDPOINTS = {"admin.login"}
# All a session that passed only the password may reach.
SECOND_FACTOR_ENDPOINTS = {"admin.second_factor", "admin.enrol_totp", "admin.logout"}
STAFF_SESSION = "staff_session"


def init_login(app, login_manager):
    app.session_interface = StaffAwareSessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id):
        record = resume_staff_session(session.get(STAFF_SESSION), user_id)
        if unsaved_changes():
            db.session.commit()  # an ended or touched session is saved before the page does anything
        g.staff_record = record
        return record.user if record is not None else None


def staff_record():
    """The server-side session of this request's signed-in user (loaded with current_user)."""
    return g.get("staff_record") if current_user.is_authenticated else None


@bp.before_request
def require_login():
    """One gate, in order: signed in, second factor passed, then the route's rule."""
    if request.endpoint not in PUBLIC_ENDPOINTS:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        pending = second_factor_pending(current_user, staff_record())
        if pending and request.endpoint not in SECOND_FACTOR_ENDPOINTS:
            return redirect(second_factor_url(current_user))
    return enforce_rules()


@bp.after_app_request
def no_store(response):
    """No back-office page (errors and redirects included) is kept by a browser or proxy."""
    if is_back_office():
        response.headers["Cache-Control"] = "no-store"
    return response


def second_factor_url(user):
    return url_for("admin.second_factor" if user.totp_enrolled else "admin.enrol_totp")


def _failed(response):
    """Only failed sign-ins use up the address's budget; a good one redirects."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("admin/login.html", form=form)
    try:
        signed_in = sign_in(
            form.username.data, form.password.data, request.remote_addr, current_app.config["ENV_NAME"]
        )
    except SignInRefused as refused:
        db.session.commit()  # the failure is counted and audited all the same
        flash(sign_in_error_text(refused), "danger")
        return render_template("admin/login.html", form=form), 429 if refused.code == "locked" else 200
    db.session.commit()
    login_user(signed_in.user)
    session[STAFF_SESSION] = signed_in.token
    if signed_in.user.needs_second_factor:
        return redirect(second_factor_url(signed_in.user))
    return redirect(url_for("admin.dashboard"))


@bp.post("/logout")
def logout():
    sign_out(current_user._get_current_object(), session.get(STAFF_SESSION))
    db.session.commit()
    logout_user()
    session.pop(STAFF_SESSION, None)
    flash(_("You have signed out."), "info")
    return redirect(url_for("admin.login"))
