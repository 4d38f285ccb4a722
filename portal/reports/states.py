"""The two legal procedures as data: one transition table per kind, the roles that may make each
move, the details each decision records, and what the citizen reads for each state.

operations._change_state() checks every move against these tables; models.py generates the
database checks from them; the back office (issue 8) reads the roles.
"""

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.accounts.models import Role


class Kind(enum.StrEnum):
    COMPLAINT = "complaint"  # 投诉: a consumer dispute about the reporter's own rights
    TIP = "tip"  # 举报: a report of illegal activity


NUMBER_PREFIX = {Kind.COMPLAINT: "TS", Kind.TIP: "JB"}


class State(enum.StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"  # to the intake office, which re-routes it
    CLOSED = "closed"
    # complaint (投诉)
    ACCEPTED = "accepted"  # 受理
    DECLINED = "declined"  # 不予受理
    MEDIATING = "mediating"  # 调解中
    MEDIATED = "mediated"  # 调解达成协议
    MEDIATION_ENDED = "mediation_ended"  # 终止调解
    # tip-off (举报)
    VERIFYING = "verifying"  # 核查
    CASE_OPENED = "case_opened"  # 立案
    NOT_OPENED = "not_opened"  # 不予立案
    PENALTY_DECIDED = "penalty_decided"  # 行政处罚决定
    NO_PENALTY = "no_penalty"  # 不予行政处罚


class DeclineGround(enum.StrEnum):
    """The fixed legal grounds to decline a complaint (Art. 15)."""

    NOT_OUR_DUTY = "not_our_duty"
    BEFORE_COURT = "before_court"
    NOT_PERSONAL_CONSUMPTION = "not_personal_consumption"
    TIME_BARRED = "time_barred"
    MATERIALS_MISSING = "materials_missing"
    OTHER_LEGAL = "other_legal"


class MediationEndGround(enum.StrEnum):
    """The fixed legal grounds to end a mediation without agreement (Art. 24)."""

    WITHDRAWN_OR_SETTLED = "withdrawn_or_settled"
    NO_TESTING_AGREEMENT = "no_testing_agreement"
    PARTY_REFUSED_OR_ABSENT = "party_refused_or_absent"
    PARTY_DECLARED_NO_AGREEMENT = "party_declared_no_agreement"
    DEADLINE_PASSED_45_DAYS = "deadline_passed_45_days"
    DECLINE_GROUND_FOUND = "decline_ground_found"
    OTHER_LEGAL = "other_legal"


@dataclass(frozen=True)
class Move:
    """Who may make a move, who may only propose it for a lead's approval, what it records."""

    roles: frozenset
    proposers: frozenset = frozenset()
    details: tuple = ()  # detail names the move requires (see decisions.DETAILS)


WORKERS = frozenset({Role.STAFF, Role.LEAD})
LEAD_ONLY = frozenset({Role.LEAD})
BY_STAFF = Move(WORKERS)
# A decision the law puts on a 负责人: staff propose it, a lead makes it.
DECISION = Move(LEAD_ONLY, frozenset({Role.STAFF}))
# Not competent: staff propose the return with a reason, a lead approves it (target 3 working days).
RETURN = Move(LEAD_ONLY, frozenset({Role.STAFF}), ("reason",))
# The intake office re-routes a returned report: it starts again as submitted elsewhere.
REROUTE = Move(WORKERS, details=("department",))

COMPLAINT_TRANSITIONS = {
    State.SUBMITTED: {
        State.ACCEPTED: BY_STAFF,
        State.DECLINED: Move(LEAD_ONLY, frozenset({Role.STAFF}), ("ground", "reason")),
        State.RETURNED: RETURN,
    },
    State.RETURNED: {State.SUBMITTED: REROUTE},
    # No accepted → returned: competence is settled before acceptance (within the 7 working days
    # to accept); a ground found after acceptance ends the mediation (decline_ground_found).
    State.ACCEPTED: {State.MEDIATING: BY_STAFF},
    State.MEDIATING: {
        State.MEDIATED: Move(WORKERS, details=("terms",)),
        State.MEDIATION_ENDED: Move(WORKERS, details=("ground",)),
    },
    State.DECLINED: {State.CLOSED: BY_STAFF},
    State.MEDIATED: {State.CLOSED: BY_STAFF},
    State.MEDIATION_ENDED: {State.CLOSED: BY_STAFF},
    State.CLOSED: {},
}

TIP_TRANSITIONS = {
    State.SUBMITTED: {State.VERIFYING: BY_STAFF, State.RETURNED: RETURN},
    State.RETURNED: {State.SUBMITTED: REROUTE},
    State.VERIFYING: {
        State.CASE_OPENED: Move(LEAD_ONLY, frozenset({Role.STAFF}), ("case_number", "opened_on")),
        State.NOT_OPENED: Move(LEAD_ONLY, frozenset({Role.STAFF}), ("reason",)),
    },
    State.CASE_OPENED: {
        State.PENALTY_DECIDED: Move(
            LEAD_ONLY,
            frozenset({Role.STAFF}),
            ("decision_number", "decided_on", "confiscation_yuan", "fine_yuan", "referred_for_prosecution"),
        ),
        State.NO_PENALTY: Move(LEAD_ONLY, frozenset({Role.STAFF}), ("reason",)),
    },
    State.NOT_OPENED: {State.CLOSED: BY_STAFF},
    State.PENALTY_DECIDED: {State.CLOSED: BY_STAFF},
    State.NO_PENALTY: {State.CLOSED: BY_STAFF},
    State.CLOSED: {},
}

TRANSITIONS = {Kind.COMPLAINT: COMPLAINT_TRANSITIONS, Kind.TIP: TIP_TRANSITIONS}

# Each kind's states, in the order of its procedure (the table's own order).
STATES = {kind: tuple(table) for kind, table in TRANSITIONS.items()}

# Moves that hand the report to a department the caller must name (operations.reroute_report).
ROUTED_MOVES = frozenset({(State.RETURNED, State.SUBMITTED)})

# States in which the reporter may still add evidence and text.
OPEN_STATES = frozenset(
    {State.SUBMITTED, State.RETURNED, State.ACCEPTED, State.MEDIATING, State.VERIFYING, State.CASE_OPENED}
)

# Columns a state needs (the database checks them). They stay set afterwards, so a closed report
# keeps the decision it was closed on; closed itself adds no check (only reached from those).
REQUIRED_COLUMNS = {
    State.RETURNED: ("return_reason",),
    State.DECLINED: ("decline_ground", "decline_reason"),
    State.MEDIATED: ("mediation_terms",),
    State.MEDIATION_ENDED: ("mediation_end_ground",),
    State.CASE_OPENED: ("case_number", "case_opened_on"),
    State.NOT_OPENED: ("not_opened_reason",),
    State.PENALTY_DECIDED: (
        "case_number",
        "case_opened_on",
        "decision_number",
        "decided_on",
        "confiscation_yuan",
        "fine_yuan",
        "referred_for_prosecution",
    ),
    State.NO_PENALTY: ("case_number", "case_opened_on", "no_penalty_reason"),
}


def move(kind, current, target):
    """The Move from current to target for this kind, or None if the law has no such step."""
    return TRANSITIONS[Kind(kind)].get(State(current), {}).get(State(target))


def can_transition(kind, current, target):
    return move(kind, current, target) is not None


KIND_TEXT = {Kind.COMPLAINT: _l("Complaint"), Kind.TIP: _l("Tip-off")}

# Plain language for citizens, per kind: never a tip-off's words on a complaint.
PUBLIC_STATE_TEXT = {
    Kind.COMPLAINT: {
        State.SUBMITTED: _l("Received, waiting for the department to decide whether to accept it"),
        State.RETURNED: _l("Being passed to the competent department"),
        State.ACCEPTED: _l("Accepted; mediation will be arranged"),
        State.DECLINED: _l("Not accepted (see the reason below)"),
        State.MEDIATING: _l("Mediation in progress"),
        State.MEDIATED: _l("Mediation reached an agreement"),
        State.MEDIATION_ENDED: _l("Mediation ended without an agreement"),
        State.CLOSED: _l("Closed"),
    },
    Kind.TIP: {
        State.SUBMITTED: _l("Received, waiting for the department to review it"),
        State.RETURNED: _l("Being passed to the competent department"),
        State.VERIFYING: _l("Being verified"),
        State.CASE_OPENED: _l("A case has been opened"),
        State.NOT_OPENED: _l("No case was opened (see the reason below)"),
        State.PENALTY_DECIDED: _l("An administrative penalty has been decided"),
        State.NO_PENALTY: _l("The case ended without a penalty (see the reason below)"),
        State.CLOSED: _l("Closed"),
    },
}


def public_state_text(kind, state):
    """What the citizen reads for this state of this kind of report, in their language."""
    return PUBLIC_STATE_TEXT[Kind(kind)][State(state)]


DECLINE_GROUND_TEXT = {
    DeclineGround.NOT_OUR_DUTY: _l("Not within the regulator's duties"),
    DeclineGround.BEFORE_COURT: _l("Already before a court, arbitrator or mediator"),
    DeclineGround.NOT_PERSONAL_CONSUMPTION: _l("Not for personal consumption"),
    DeclineGround.TIME_BARRED: _l("More than 3 years since the harm was known"),
    DeclineGround.MATERIALS_MISSING: _l("Required materials are missing"),
    DeclineGround.OTHER_LEGAL: _l("Other legal grounds"),
}

MEDIATION_END_GROUND_TEXT = {
    MediationEndGround.WITHDRAWN_OR_SETTLED: _l("The complaint was withdrawn or settled between the parties"),
    MediationEndGround.NO_TESTING_AGREEMENT: _l("The parties could not agree on testing or appraisal"),
    MediationEndGround.PARTY_REFUSED_OR_ABSENT: _l("A party refused mediation or did not attend"),
    MediationEndGround.PARTY_DECLARED_NO_AGREEMENT: _l("A party declared that no agreement is possible"),
    MediationEndGround.DEADLINE_PASSED_45_DAYS: _l("45 working days passed without an agreement"),
    MediationEndGround.DECLINE_GROUND_FOUND: _l("A ground for not accepting the complaint was found"),
    MediationEndGround.OTHER_LEGAL: _l("Other legal grounds"),
}
