"""Staff sign-in. Every admin page needs a signed-in user unless it is on the allow-list."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from admin import bp
from admin.forms import LoginForm
from portal.accounts.models import User, dummy_password_check
from portal.audit.chain import Actor, record_event
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


def _authenticate(username, password):
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        return dummy_password_check(password)  # same cost as a real check
    return user if user.active and user.check_password(password) else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = _authenticate(form.username.data, form.password.data)
        if user:
            login_user(user)
            record_event("user.signed_in", user, Actor.for_user(user))
            db.session.commit()
            return redirect(url_for("admin.dashboard"))
        flash(_("Wrong username or password."), "danger")
    return render_template("admin/login.html", form=form)


@bp.post("/logout")
def logout():
    user = current_user._get_current_object()
    record_event("user.signed_out", user, Actor.for_user(user))
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("admin.login"))
