"""The public timeline a reporter sees: the state history in plain language for the report's kind,
and what the reporter added; never reasons, names or internal notes."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.reports.states import Kind, State

RECEIVED = {Kind.COMPLAINT: _l("Complaint received"), Kind.TIP: _l("Tip-off received")}
REROUTED = _l("Passed to the competent department")
SUPPLEMENTED = _l("You added information")

# What each kind's history says when a report enters a state (submitted: RECEIVED / REROUTED).
TIMELINE_TEXT = {
    Kind.COMPLAINT: {
        State.RETURNED: _l("Returned to the intake office to find the competent department"),
        State.ACCEPTED: _l("Complaint accepted"),
        State.DECLINED: _l("Complaint not accepted"),
        State.MEDIATING: _l("Mediation started"),
        State.MEDIATED: _l("Mediation reached an agreement"),
        State.MEDIATION_ENDED: _l("Mediation ended without an agreement"),
        State.CLOSED: _l("Closed"),
    },
    Kind.TIP: {
        State.RETURNED: _l("Returned to the intake office to find the competent department"),
        State.VERIFYING: _l("Verification started"),
        State.CASE_OPENED: _l("A case was opened"),
        State.NOT_OPENED: _l("No case was opened"),
        State.PENALTY_DECIDED: _l("An administrative penalty was decided"),
        State.NO_PENALTY: _l("The case ended without a penalty"),
        State.CLOSED: _l("Closed"),
    },
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str


def change_text(kind, change):
    """The public line for one state_changes row of a report of this kind."""
    kind, target = Kind(kind), State(change.to_state)
    if target == State.SUBMITTED:
        return REROUTED if change.from_state else RECEIVED[kind]
    return TIMELINE_TEXT[kind][target]


def public_timeline(report):
    entries = [TimelineEntry(c.at, change_text(report.kind, c)) for c in report.state_changes]
    entries += [TimelineEntry(s.created_at, SUPPLEMENTED) for s in report.supplements]
    return sorted(entries, key=lambda e: e.at)  # stable: a submission stays before its own files
