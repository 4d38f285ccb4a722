"""The staff start page: the department's queue at a glance (the full queue comes later)."""

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from admin import bp
from portal.accounts.permissions import scoped_reports, sees_all_departments
from portal.extensions import db
from portal.reports.states import KIND_TEXT, STATES, public_state_text


@bp.get("/")
def dashboard():
    visible = scoped_reports(current_user).subquery()
    counts = dict(
        ((kind, state), n)
        for kind, state, n in db.session.execute(
            select(visible.c.kind, visible.c.state, func.count()).group_by(visible.c.kind, visible.c.state)
        )
    )
    tracks = [
        (kind, KIND_TEXT[kind], [(s, public_state_text(kind, s), counts.get((kind, s), 0)) for s in states])
        for kind, states in STATES.items()
    ]
    return render_template(
        "admin/dashboard.html",
        tracks=tracks,
        total=sum(counts.values()),
        all_departments=sees_all_departments(current_user),
    )
