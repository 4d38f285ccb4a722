"""The details each decision records (a ground, agreement terms, a case number, a penalty), checked
here so a refusal is a ReportError with advice rather than a database error at commit."""

from datetime import date
from decimal import Decimal, InvalidOperation

from portal.clock import local_today
from portal.reports.errors import ReportError
from portal.reports.states import DeclineGround, MediationEndGround, State

MAX_YUAN = Decimal("999999999999.99")  # what Numeric(14, 2) holds
CENT = Decimal("0.01")


def _text(value, code, limit=None):
    text = (value or "").strip() if isinstance(value, str) else value
    if not text:
        raise ReportError(code)
    if limit and len(text) > limit:
        raise ReportError(code, f"longer than {limit} characters")
    return text


def _ground(enum_cls):
    def check(value):
        if not value:
            raise ReportError("ground_required")
        try:
            return enum_cls(value).value
        except ValueError:
            code = "invalid_decline_ground" if enum_cls is DeclineGround else "invalid_mediation_end_ground"
            raise ReportError(code, f"unknown ground {value!r}") from None

    return check


def _past_date(code):
    def check(value):
        if not isinstance(value, date) or value > local_today():
            raise ReportError(code)
        return value

    return check


def _yuan(value):
    """Decimal yuan, at most 2 places, not negative; a float would already have lost the fen."""
    if isinstance(value, float | bool) or value is None:
        raise ReportError("invalid_amount")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ReportError("invalid_amount") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_YUAN or amount != amount.quantize(CENT):
        raise ReportError("invalid_amount")
    return amount.quantize(CENT)


def _flag(value):
    if not isinstance(value, bool):
        raise ReportError("prosecution_flag_required")
    return value


# Per target state: detail name → (check, column it fills).
DETAILS = {
    State.DECLINED: {"ground": (_ground(DeclineGround), "decline_ground")},
    State.MEDIATED: {"terms": (lambda v: _text(v, "terms_required", 4000), "mediation_terms")},
    State.MEDIATION_ENDED: {"ground": (_ground(MediationEndGround), "mediation_end_ground")},
    State.CASE_OPENED: {
        "case_number": (lambda v: _text(v, "case_number_required", 60), "case_number"),
        "opened_on": (_past_date("case_date_required"), "case_opened_on"),
    },
    State.PENALTY_DECIDED: {
        "decision_number": (lambda v: _text(v, "decision_number_required", 60), "decision_number"),
        "decided_on": (_past_date("decision_date_required"), "decided_on"),
        "confiscation_yuan": (_yuan, "confiscation_yuan"),
        "fine_yuan": (_yuan, "fine_yuan"),
        "referred_for_prosecution": (_flag, "referred_for_prosecution"),
    },
}

# Where a state keeps its reason (the reason is also in state_changes and the audit event).
REASON_COLUMN = {
    State.DECLINED: "decline_reason",
    State.RETURNED: "return_reason",
    State.MEDIATION_ENDED: "mediation_end_reason",
    State.NOT_OPENED: "not_opened_reason",
    State.NO_PENALTY: "no_penalty_reason",
}


def check_details(target, required, reason, details):
    """The checked details of a move, or ReportError (a proposal is checked before a lead sees it)."""
    if "reason" in required and not (reason or "").strip():
        raise ReportError("reason_required")
    allowed = DETAILS.get(target, {})
    unexpected = set(details) - set(allowed)
    if unexpected:
        raise ReportError("unexpected_detail", f"{target} records no {sorted(unexpected)}")
    recorded = {
        name: check(details.get(name))
        for name, (check, _column) in allowed.items()
        if name in required or details.get(name) is not None
    }
    return recorded


def apply_details(report, target, required, reason, details):
    """Check the details the move requires, set their columns; returns them for the history."""
    recorded = check_details(target, required, reason, details)
    allowed = DETAILS.get(target, {})
    # Only once every detail passed: a refused decision leaves no column half-set.
    for name, value in recorded.items():
        setattr(report, allowed[name][1], value)
    if target in REASON_COLUMN:
        setattr(report, REASON_COLUMN[target], reason or None)
    return recorded
