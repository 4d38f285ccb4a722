"""Deadline policies as versioned data: loaded from portal/data/deadline_policies.json, added to
(never edited) by administrators, and looked up by the day a clock started."""

import json
from datetime import date, timedelta
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.audit.chain import record_event
from portal.clock import utcnow
from portal.deadlines.models import DeadlinePolicy
from portal.directory import rows as reference_rows
from portal.extensions import db
from portal.reports.errors import ReportError

POLICY_FILE = "deadline_policies.json"
# What a version says; two versions with the same (code, effective_from) must agree on all of it.
TERMS = (
    "kind",
    "start_states",
    "run_states",
    "real_name_only",
    "working_days",
    "calendar_days",
    "extension_days",
    "lapses",
    "source",
)

# What each clock waits for, in words staff read (the case page); an unknown code shows as is.
POLICY_TEXT = {
    "complaint.accept": _l("Decide whether to accept the complaint"),
    "complaint.mediation": _l("Mediate the complaint"),
    "complaint.mediation_ended_notice": _l("Tell both sides the mediation ended"),
    "complaint.return_approval": _l("A lead decides the proposed return"),
    "tip.case_decision": _l("Check the tip-off and decide whether to open a case"),
    "tip.decision_notice": _l("Tell the reporter whether a case was opened"),
    "tip.case_conclusion": _l("Conclude the case"),
    "tip.return_approval": _l("A lead decides the proposed return"),
}


def policy_text(code):
    return str(POLICY_TEXT.get(code, code))


def _terms(item):
    return {
        "kind": item["kind"],
        "start_states": " ".join(item.get("start_states", [])),
        "run_states": " ".join(item.get("run_states", [])),
        "real_name_only": item.get("real_name_only", False),
        "working_days": item.get("working_days"),
        "calendar_days": item.get("calendar_days"),
        "extension_days": item.get("extension_days", 0),
        "lapses": item.get("lapses", False),
        "source": item["source"],
    }


def load_deadline_policies(data_dir, problem):
    """Insert the file's versions not stored yet; returns (count, changes). A stored version the
    file contradicts is refused through `problem` (the loader's error): add a new version."""
    items = json.loads((Path(data_dir) / POLICY_FILE).read_text(encoding="utf-8"))["items"]
    changes = []
    for item in items:
        start, terms = date.fromisoformat(item["effective_from"]), _terms(item)
        row = db.session.scalar(
            select(DeadlinePolicy).where(
                DeadlinePolicy.code == item["code"], DeadlinePolicy.effective_from == start
            )
        )
        if row is None:
            _add(item["code"], start, terms)
            changes.append(f"created deadline_policies {item['code']} from {start}")
        elif any(getattr(row, key) != value for key, value in terms.items()):
            raise problem(
                f"deadline policy {item['code']} from {start} differs from the stored version; "
                "policies are never edited: add a version with a later effective_from"
            )
    return len(items), changes


def _add(code, effective_from, terms):
    """Store a version and end the one it follows the day before it starts."""
    previous = db.session.scalar(
        select(DeadlinePolicy)
        .where(DeadlinePolicy.code == code, DeadlinePolicy.effective_from < effective_from)
        .order_by(DeadlinePolicy.effective_from.desc())
        .limit(1)
    )
    if previous is not None and (previous.effective_to is None or previous.effective_to >= effective_from):
        previous.effective_to = effective_from - timedelta(days=1)
    row = DeadlinePolicy(code=code, effective_from=effective_from, created_at=utcnow(), **terms)
    db.session.add(row)
    db.session.flush()
    return row


def add_policy_version(
    code, effective_from, actor, *, working_days=None, calendar_days=None, extension_days=0, source
):
    """A new version of a clock's rule from `effective_from`, after every stored version."""
    latest = latest_version(code)
    if latest is None:
        raise ReportError("unknown_policy", code)
    if effective_from <= latest.effective_from:
        raise ReportError("policy_not_later", f"{code}: {effective_from} <= {latest.effective_from}")
    if (working_days is None) == (calendar_days is None) or not source:
        raise ReportError("policy_incomplete", code)
    terms = {key: getattr(latest, key) for key in TERMS}
    terms |= {
        "working_days": working_days,
        "calendar_days": calendar_days,
        "extension_days": extension_days,
        "source": source,
    }
    row = _add(code, effective_from, terms)
    record_event(
        "deadline_policy.added", row, actor, {"code": code, "effective_from": effective_from} | terms
    )
    return row


def latest_version(code):
    return db.session.scalar(
        select(DeadlinePolicy)
        .where(DeadlinePolicy.code == code)
        .order_by(DeadlinePolicy.effective_from.desc())
    )


def _in_force(on):
    return (DeadlinePolicy.effective_from <= on) & or_(
        DeadlinePolicy.effective_to.is_(None), DeadlinePolicy.effective_to >= on
    )


def _covers(policy, on):
    return policy.effective_from <= on and (policy.effective_to is None or policy.effective_to >= on)


def policy_in_force(code, on):
    """The version of `code` in force on the day `on` (None if none was)."""
    cached = reference_rows.usable()
    if cached is None:
        return db.session.scalar(select(DeadlinePolicy).where(DeadlinePolicy.code == code, _in_force(on)))
    return reference_rows.attach(
        next((p for p in cached.policies if p.code == code and _covers(p, on)), None)
    )


def policies_in_force(kind, on):
    """The versions of a kind's policies in force on the day `on`, by code (from the process's
    copies unless this transaction changed policies: portal/directory/rows.py)."""
    cached = reference_rows.usable()
    if cached is None:
        return db.session.scalars(
            select(DeadlinePolicy)
            .where(DeadlinePolicy.kind == kind, _in_force(on))
            .order_by(DeadlinePolicy.code)
        ).all()
    return [reference_rows.attach(p) for p in cached.policies if p.kind == kind and _covers(p, on)]


def all_versions():
    return db.session.scalars(
        select(DeadlinePolicy).order_by(DeadlinePolicy.code, DeadlinePolicy.effective_from)
    ).all()
