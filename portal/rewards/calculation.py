"""The one reward calculation: pure, Decimal, rounded half-up to the fen.

No Flask and no database here, so an auditor can re-run any decision from its recorded inputs:
    from portal.rewards.calculation import Terms, quote
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
LEVELS = (1, 2, 3)


def to_fen(value):
    """Decimal yuan rounded half-up to the fen (never through a float)."""
    if isinstance(value, float):
        raise TypeError("money is never a float: pass a Decimal or a string")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Terms:
    """What a policy version says; rates and floors by level (1, 2, 3)."""

    rates: dict
    floors: dict
    case_cap: Decimal
    signoff_threshold: Decimal
    insider_max_multiplier: Decimal


@dataclass(frozen=True)
class Quote:
    amount: Decimal  # what the rules give
    by_rate: Decimal  # rate x confiscations and fines, before floor, raise and cap
    floor_applied: bool
    raised: bool
    capped: bool
    needs_signoff: bool  # at or above the finance sign-off threshold
    needs_finance_consent: bool  # an insider raise


def quote(terms, level, fines, already_awarded=ZERO, insider_multiplier=Decimal(1)):
    """The award for `level` on confiscations-and-fines `fines` (0: no fine, e.g. a licence
    revoked, gives the floor), raised for an insider by `insider_multiplier` (1 to the policy's
    maximum), and capped so that all awards of the case together stay within the case cap."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    fines, already = to_fen(fines), to_fen(already_awarded)
    multiplier = Decimal(insider_multiplier)
    if fines < 0 or already < 0:
        raise ValueError("amounts cannot be negative")
    if not Decimal(1) <= multiplier <= terms.insider_max_multiplier:
        raise ValueError(f"the insider multiplier must be between 1 and {terms.insider_max_multiplier}")
    floor = to_fen(terms.floors[level])
    by_rate = to_fen(fines * Decimal(terms.rates[level]))
    amount = max(by_rate, floor)
    raised = multiplier != 1
    if raised:
        amount = to_fen(amount * multiplier)
    room = max(to_fen(terms.case_cap) - already, ZERO)
    capped = amount > room
    amount = min(amount, room)
    return Quote(
        amount=amount,
        by_rate=by_rate,
        floor_applied=by_rate < floor,
        raised=raised,
        capped=capped,
        needs_signoff=amount >= to_fen(terms.signoff_threshold),
        needs_finance_consent=raised,
    )


def split(amount, weights):
    """Shares of `amount` in proportion to `weights`, summing exactly to it: each share rounded
    down to the fen, the fen left over go to the largest remainders (earlier ones on a tie)."""
    amount = to_fen(amount)
    weights = [Decimal(w) for w in weights]
    if not weights or any(w <= 0 for w in weights):
        raise ValueError("every share needs a positive weight")
    total_fen, total_weight = int(amount / FEN), sum(weights)
    exact = [Decimal(total_fen) * w / total_weight for w in weights]
    fen = [int(e) for e in exact]  # not negative: int() rounds down
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - fen[i]), i))
    for i in order[: total_fen - sum(fen)]:
        fen[i] += 1
    return [Decimal(f) * FEN for f in fen]
