"""The staff start page: counts that open the filtered queue, and a lead's view of the team's load."""

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from admin import bp
from admin.action_forms import MOVE_LABELS
from portal.accounts.models import Role
from portal.accounts.permissions import scoped_reports, sees_all_departments
from portal.casework.operations import colleagues
from portal.deadlines.extensions import waiting_extensions
from portal.deadlines.policies import policy_text
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.proposals import pending_proposals
from portal.reports.states import KIND_TEXT, OPEN_STATES, STATES, State, public_state_text


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
        team_load=team_load(current_user) if current_user.role == Role.LEAD else None,
        waiting=waiting_for(current_user) if current_user.role == Role.LEAD else None,
    )


def team_load(lead):
    """Open reports per colleague of the lead's department, and how many nobody has yet."""
    visible = scoped_reports(lead).where(Report.state.in_([s.value for s in OPEN_STATES])).subquery()
    counts = dict(
        db.session.execute(select(visible.c.assignee_id, func.count()).group_by(visible.c.assignee_id)).all()
    )
    return [(user, counts.get(user.id, 0)) for user in colleagues(lead)], counts.get(None, 0)


def waiting_for(lead):
    """What waits for this lead's decision: proposals and extension requests of the department
    that someone else made (nobody decides their own), oldest first."""
    proposals = [p for p in pending_proposals(lead) if p.proposed_by_id != lead.id]
    return {
        "proposals": proposals,
        "extensions": waiting_extensions(lead),
        "clock": policy_text,
        "move": lambda target: MOVE_LABELS[State(target)],
    }
