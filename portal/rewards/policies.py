"""Reward policies as versioned data: loaded from portal/data/reward_policies.json by
`flask seed reference`, added to (never edited) by administrators, looked up by date."""

import json
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import or_, select

from portal.audit.chain import record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.rewards.calculation import LEVELS, to_fen
from portal.rewards.errors import RewardError
from portal.rewards.models import RewardPolicy

POLICY_FILE = "reward_policies.json"
MONEY_TERMS = ("case_cap", "signoff_threshold", "major_threshold") + tuple(f"level{n}_floor" for n in LEVELS)
TERMS = (
    *(f"level{n}_{what}" for n in LEVELS for what in ("rate", "floor")),
    "case_cap",
    "signoff_threshold",
    "insider_max_multiplier",
    "major_threshold",
    "claim_working_days",
    "source",
)


def _decimal(value, code="policy_invalid"):
    if isinstance(value, float | bool) or value is None:
        raise RewardError(code, f"not a decimal string: {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RewardError(code, f"not a decimal: {value!r}") from None
    if not number.is_finite():
        raise RewardError(code)
    return number


def checked_terms(values):
    """The terms of a version, checked (what the database checks too, said as a RewardError)."""
    terms = {}
    for n in LEVELS:
        rate = _decimal(values[f"level{n}_rate"])
        if not 0 <= rate <= 1 or rate != rate.quantize(Decimal("0.0001")):
            raise RewardError("policy_invalid", f"level {n} rate {rate}")
        terms[f"level{n}_rate"] = rate
    for key in MONEY_TERMS:
        amount = _decimal(values[key])
        if amount < 0 or amount != to_fen(amount):
            raise RewardError("policy_invalid", f"{key} {amount}")
        terms[key] = amount
    multiplier = _decimal(values["insider_max_multiplier"])
    days = values["claim_working_days"]
    if multiplier < 1 or not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        raise RewardError("policy_invalid", "insider multiplier or claim window")
    if terms["case_cap"] <= 0 or terms["signoff_threshold"] <= 0:
        raise RewardError("policy_invalid", "cap and sign-off threshold must be positive")
    source = (values.get("source") or "").strip()
    if not source:
        raise RewardError("policy_invalid", "name the legal source")
    return terms | {"insider_max_multiplier": multiplier, "claim_working_days": days, "source": source}


def _file_terms(item):
    flat = {f"level{n}_{what}": item["levels"][str(n)][what] for n in LEVELS for what in ("rate", "floor")}
    keys = ("case_cap", "signoff_threshold", "insider_max_multiplier", "major_threshold")
    flat |= {key: item[key] for key in (*keys, "claim_working_days", "source")}
    return checked_terms(flat)


def _same(row, terms):
    return all(getattr(row, key) == value for key, value in terms.items())


def load_reward_policies(data_dir, problem):
    """Insert the file's versions not stored yet; returns (count, changes). A stored version the
    file contradicts is refused through `problem` (the loader's error): add a new version."""
    items = json.loads((Path(data_dir) / POLICY_FILE).read_text(encoding="utf-8"))["items"]
    changes = []
    for item in items:
        start = date.fromisoformat(item["effective_from"])
        try:
            terms = _file_terms(item)
        except RewardError as exc:
            raise problem(f"reward policy {item['version']}: {exc}") from None
        row = db.session.scalar(select(RewardPolicy).where(RewardPolicy.version == item["version"]))
        if row is None:
            _add(item["version"], start, terms)
            changes.append(f"created reward_policies {item['version']} from {start}")
        elif row.effective_from != start or not _same(row, terms):
            raise problem(
                f"reward policy {item['version']} differs from the stored version; policies are "
                "never edited: add a version with a new code and a later effective_from"
            )
    return len(items), changes


def _add(version, effective_from, terms):
    """Store a version and end the one it follows the day before it starts."""
    previous = db.session.scalar(
        select(RewardPolicy)
        .where(RewardPolicy.effective_from < effective_from)
        .order_by(RewardPolicy.effective_from.desc())
        .limit(1)
    )
    if previous is not None and (previous.effective_to is None or previous.effective_to >= effective_from):
        previous.effective_to = effective_from - timedelta(days=1)
    row = RewardPolicy(version=version, effective_from=effective_from, created_at=utcnow(), **terms)
    db.session.add(row)
    db.session.flush()
    return row


def add_reward_policy(version, effective_from, actor, **values):
    """A new version from `effective_from`, after every stored version; audited."""
    version = (version or "").strip()
    if not version or len(version) > 40:
        raise RewardError("policy_version_required")
    if db.session.scalar(select(RewardPolicy.id).where(RewardPolicy.version == version)) is not None:
        raise RewardError("policy_version_taken")
    latest = latest_policy()
    if latest is not None and effective_from <= latest.effective_from:
        raise RewardError("policy_not_later", f"{effective_from} <= {latest.effective_from}")
    terms = checked_terms(values)
    row = _add(version, effective_from, terms)
    record_event(
        "reward_policy.added", row, actor, {"version": version, "effective_from": effective_from} | terms
    )
    return row


def latest_policy():
    return db.session.scalar(select(RewardPolicy).order_by(RewardPolicy.effective_from.desc()).limit(1))


def policy_in_force(on):
    """The version in force on the day `on` (None if none was)."""
    return db.session.scalar(
        select(RewardPolicy).where(
            RewardPolicy.effective_from <= on,
            or_(RewardPolicy.effective_to.is_(None), RewardPolicy.effective_to >= on),
        )
    )


def policy_by_version(version):
    return db.session.scalar(select(RewardPolicy).where(RewardPolicy.version == version))


def all_policies():
    return db.session.scalars(select(RewardPolicy).order_by(RewardPolicy.effective_from)).all()
