"""The staff start page: the department's queue at a glance (the full queue comes later)."""

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from admin import bp
from portal.accounts.permissions import scoped_reports, sees_all_departments
from portal.extensions import db
from portal.reports.states import PUBLIC_STATE_TEXT, State


@bp.get("/")
def dashboard():
    visible = scoped_reports(current_user).subquery()
    counts = dict(db.session.execute(select(visible.c.state, func.count()).group_by(visible.c.state)).all())
    rows = [(State(s), PUBLIC_STATE_TEXT[State(s)], counts.get(s.value, 0)) for s in State]
    return render_template(
        "admin/dashboard.html",
        rows=rows,
        total=sum(counts.values()),
        all_departments=sees_all_departments(current_user),
    )
