"""What each move asks for on the action panel, and reading it back from the posted form.
The domain (portal/reports/decisions.py) checks the values; this only turns text into types."""

from datetime import date

from flask_babel import lazy_gettext as _l

from portal.reports.states import (
    DECLINE_GROUND_TEXT,
    MEDIATION_END_GROUND_TEXT,
    ROUTED_MOVES,
    State,
    move,
)

MOVE_LABELS = {
    State.ACCEPTED: _l("Accept the complaint"),
    State.DECLINED: _l("Decline the complaint"),
    State.RETURNED: _l("Return to the intake office (not competent)"),
    State.SUBMITTED: _l("Re-route to a department"),
    State.MEDIATING: _l("Start mediation"),
    State.MEDIATED: _l("Record the mediation agreement"),
    State.MEDIATION_ENDED: _l("End the mediation without agreement"),
    State.CLOSED: _l("Close the report"),
    State.VERIFYING: _l("Start verification"),
    State.CASE_OPENED: _l("Open a case"),
    State.NOT_OPENED: _l("Do not open a case"),
    State.PENALTY_DECIDED: _l("Record the penalty decision"),
    State.NO_PENALTY: _l("End the case without a penalty"),
}

FIELD_LABELS = {
    "ground": _l("Legal ground"),
    "terms": _l("Terms of the agreement"),
    "case_number": _l("Case number"),
    "opened_on": _l("Date the case was opened"),
    "decision_number": _l("Penalty decision number"),
    "decided_on": _l("Date of the decision"),
    "confiscation_yuan": _l("Confiscated (yuan)"),
    "fine_yuan": _l("Fine (yuan)"),
    "referred_for_prosecution": _l("Referred for prosecution"),
    "department": _l("Department"),
    "reason": _l("Reason"),
}

DATES = frozenset({"opened_on", "decided_on"})
YES_NO = frozenset({"referred_for_prosecution"})
LONG_TEXT = frozenset({"terms"})


def ground_choices(target):
    """The fixed legal grounds for this move, as (value, text)."""
    texts = {State.DECLINED: DECLINE_GROUND_TEXT, State.MEDIATION_ENDED: MEDIATION_END_GROUND_TEXT}
    return list(texts.get(State(target), {}).items())


def detail_fields(report, target):
    """The detail fields this move needs, besides the reason (every move may carry one)."""
    step = move(report.kind, report.state, target)
    return [name for name in step.details if name not in ("reason", "department")]


def reason_required(report, target):
    return "reason" in move(report.kind, report.state, target).details


def is_routed(report, target):
    return (report.state, State(target)) in ROUTED_MOVES


def _date(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None  # the domain asks for the date again


def _yes_no(text):
    return {"yes": True, "no": False}.get(text)


def read_move(report, target, form):
    """(reason, details) from the posted form, for the fields this move has and no others."""
    details = {}
    for name in detail_fields(report, target):
        text = (form.get(name) or "").strip()
        if name in DATES:
            details[name] = _date(text)
        elif name in YES_NO:
            details[name] = _yes_no(text)
        else:
            details[name] = text or None
    return form.get("reason", ""), details


def read_department(form):
    try:
        return int(form.get("department", ""))
    except ValueError:
        return None
