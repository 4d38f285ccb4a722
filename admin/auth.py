"""Staff sign-in. Every admin page needs a signed-in user unless it is on the allow-list.

The cookie carries a session token as well as Flask-Login's user id; the server decides whether
that session still lives (sign-out, idle and absolute timeouts, deactivation: portal/sessions).
"""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from admin import bp
from admin.forms import LoginForm
from admin.messages import sign_in_error_text
from portal.accounts.operations import SignInRefused, resume_staff_session, sign_in, sign_out
from portal.extensions import db, limiter

PUBLIC_ENDPOINTS = {"admin.login"}
STAFF_SESSION = "staff_session"


def init_login(app, login_manager):
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id):
        user = resume_staff_session(session.get(STAFF_SESSION), user_id)
        db.session.commit()  # an ended or touched session is saved before the page does anything
        return user


@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return current_app.login_manager.unauthorized()


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
    return redirect(url_for("admin.dashboard"))


@bp.post("/logout")
def logout():
    sign_out(current_user._get_current_object(), session.get(STAFF_SESSION))
    db.session.commit()
    logout_user()
    session.pop(STAFF_SESSION, None)
    flash(_("You have signed out."), "info")
    return redirect(url_for("admin.login"))
