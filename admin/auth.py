"""Staff sign-in. Every admin page needs a signed-in user unless it is on the allow-list."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from admin import bp
from admin.forms import LoginForm
from portal.accounts.models import User
from portal.accounts.operations import authenticate, record_sign_out
from portal.extensions import db, limiter

PUBLIC_ENDPOINTS = {"admin.login"}


def init_login(app, login_manager):
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id):
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None


@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return current_app.login_manager.unauthorized()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user:
            db.session.commit()
            login_user(user)
            return redirect(url_for("admin.dashboard"))
        flash(_("Wrong username or password."), "danger")
    return render_template("admin/login.html", form=form)


@bp.post("/logout")
def logout():
    record_sign_out(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("admin.login"))
