"""What the action panel shows for one report and the signed-in user (a template global, so the
case page can include admin/case_actions.html with nothing but `report` in its context)."""

from flask_login import current_user

from admin import bp
from admin.action_forms import (
    FIELD_LABELS,
    MOVE_LABELS,
    detail_fields,
    ground_choices,
    is_routed,
    reason_required,
)
from portal.accounts.permissions import Action, allowed_moves, can
from portal.reports.clues import clue_members, is_first_of_clue, likely_duplicates, may_link
from portal.reports.proposals import is_department_lead, pending_proposal
from portal.reports.rerouting import reroute_choices, routing_preview

WHY_TEXT_KEYS = ("licence", "name", "text")


def _moves(user, report):
    moves = []
    for target, action in allowed_moves(user, report):
        moves.append(
            {
                "target": target.value,
                "label": MOVE_LABELS[target],
                "proposal": action == Action.PROPOSE,
                "fields": detail_fields(report, target),
                "reason_required": reason_required(report, target),
                "grounds": ground_choices(target),
                "routed": is_routed(report, target),
            }
        )
    return moves


@bp.app_template_global("action_panel")
def panel_for(report):
    """Everything the panel needs; empty for someone who may do nothing with the report."""
    user = current_user._get_current_object()
    moves = _moves(user, report)
    proposal = pending_proposal(report)
    routed = any(m["routed"] for m in moves)
    members = clue_members(report)
    return {
        "moves": moves,
        "labels": FIELD_LABELS,
        "proposal": proposal,
        "may_decide": proposal is not None
        and is_department_lead(user, report)
        and proposal.proposed_by_id != user.id,
        "preview": routing_preview(report) if routed else None,
        "departments": reroute_choices() if routed else [],
        "duplicates": likely_duplicates(user, report) if may_link(user, report, report) else [],
        "clue": [m for m in members if m.id != report.id and can(user, Action.VIEW, m)],
        "first_of_clue": is_first_of_clue(report) if len(members) > 1 else None,
        "move_label": lambda target: MOVE_LABELS.get(target, target),
    }
