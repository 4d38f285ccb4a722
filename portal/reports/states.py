"""The report lifecycle: one transition table, checked by operations._change_state() for every move."""

import enum

from flask_babel import lazy_gettext as _l


class Kind(enum.StrEnum):
    COMPLAINT = "complaint"  # 投诉: a consumer dispute about the reporter's own rights
    TIP = "tip"  # 举报: a report of illegal activity


NUMBER_PREFIX = {Kind.COMPLAINT: "TS", Kind.TIP: "JB"}


class State(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    RETURNED = "returned"  # to the intake office, which re-routes it
    INVESTIGATING = "investigating"
    SUBSTANTIATED = "substantiated"
    PARTLY_SUBSTANTIATED = "partly_substantiated"
    UNSUBSTANTIATED = "unsubstantiated"
    CLOSED = "closed"


TRANSITIONS = {
    State.SUBMITTED: {State.ACCEPTED, State.DECLINED, State.RETURNED},
    # The intake office re-routes a returned report: it starts again as submitted elsewhere.
    State.RETURNED: {State.SUBMITTED},
    State.ACCEPTED: {State.INVESTIGATING, State.RETURNED},
    State.INVESTIGATING: {
        State.SUBSTANTIATED,
        State.PARTLY_SUBSTANTIATED,
        State.UNSUBSTANTIATED,
    },
    State.SUBSTANTIATED: {State.CLOSED},
    State.PARTLY_SUBSTANTIATED: {State.CLOSED},
    State.UNSUBSTANTIATED: {State.CLOSED},
    State.DECLINED: set(),
    State.CLOSED: set(),
}

# Moves that hand the report to a department the caller must name. A returned report starts
# again as submitted only when the intake office re-routes it (operations.reroute_report);
# a move into RETURNED always goes to the intake office, so it names none.
ROUTED_MOVES = frozenset({(State.RETURNED, State.SUBMITTED)})

# States in which the reporter may still add evidence and text.
OPEN_STATES = frozenset({State.SUBMITTED, State.RETURNED, State.ACCEPTED, State.INVESTIGATING})

# States that need a recorded reason (also enforced by a check constraint).
REASON_REQUIRED = frozenset({State.DECLINED, State.RETURNED})


class DeclineGround(enum.StrEnum):
    """The fixed legal grounds to decline a complaint."""

    NOT_OUR_DUTY = "not_our_duty"
    BEFORE_COURT = "before_court"
    NOT_PERSONAL_CONSUMPTION = "not_personal_consumption"
    TIME_BARRED = "time_barred"
    MATERIALS_MISSING = "materials_missing"
    OTHER_LEGAL = "other_legal"


def can_transition(current, target):
    return State(target) in TRANSITIONS[State(current)]


# Plain language for citizens, keyed by state.
PUBLIC_STATE_TEXT = {
    State.SUBMITTED: _l("Received, waiting for the department to review it"),
    State.ACCEPTED: _l("Accepted by the department"),
    State.DECLINED: _l("Not accepted (see the reason below)"),
    State.RETURNED: _l("Being passed to the right department"),
    State.INVESTIGATING: _l("Under investigation"),
    State.SUBSTANTIATED: _l("Investigation finished: the report was substantiated"),
    State.PARTLY_SUBSTANTIATED: _l("Investigation finished: the report was partly substantiated"),
    State.UNSUBSTANTIATED: _l("Investigation finished: the report was not substantiated"),
    State.CLOSED: _l("Closed"),
}

KIND_TEXT = {Kind.COMPLAINT: _l("Complaint"), Kind.TIP: _l("Tip-off")}

DECLINE_GROUND_TEXT = {
    DeclineGround.NOT_OUR_DUTY: _l("Not within the regulator's duties"),
    DeclineGround.BEFORE_COURT: _l("Already before a court, arbitrator or mediator"),
    DeclineGround.NOT_PERSONAL_CONSUMPTION: _l("Not for personal consumption"),
    DeclineGround.TIME_BARRED: _l("More than 3 years since the harm was known"),
    DeclineGround.MATERIALS_MISSING: _l("Required materials are missing"),
    DeclineGround.OTHER_LEGAL: _l("Other legal grounds"),
}
