"""Load reference data from portal/data/*.json. Idempotent: rows are matched by code and updated."""

import json
from pathlib import Path

from sqlalchemy import select

from portal.audit.chain import Actor, record_event
from portal.deadlines.policies import POLICY_FILE, load_deadline_policies
from portal.directory.models import Category, Department, Region, RoutingRule
from portal.extensions import db
from portal.rewards.policies import POLICY_FILE as REWARD_POLICY_FILE
from portal.rewards.policies import load_reward_policies

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LOADER = Actor("system", "reference-loader")


FILES = ("categories.json", "departments.json", "regions.json", "routing_rules.json")
_CHANGES = "reference_changes"


class ReferenceDataError(ValueError):
    """A data file would make the reference data inconsistent; nothing was loaded."""


def _document(data_dir, name):
    return json.loads((Path(data_dir) / name).read_text(encoding="utf-8"))


def _items(data_dir, name):
    return _document(data_dir, name)["items"]


def _upsert(model, code, **values):
    """Insert or update by code, noting what changed for the audit event."""
    row = db.session.scalar(select(model).where(model.code == code))
    created = row is None
    if created:
        row = model(code=code)
        db.session.add(row)
    changed = [key for key, value in values.items() if created or getattr(row, key) != value]
    for key in changed:
        setattr(row, key, values[key])
    if changed:
        verb = "created" if created else "updated"
        db.session.info.setdefault(_CHANGES, []).append(f"{verb} {model.__tablename__} {code}")
    return row, created


def _load_categories(data_dir):
    items = _items(data_dir, "categories.json")
    for position, item in enumerate(items):
        _upsert(
            Category,
            item["code"],
            group=item["group"],
            name_zh=item["name_zh"],
            name_en=item["name_en"],
            position=position,
            active=True,
            online=item.get("online", False),
        )
    return len(items)


def _load_departments(data_dir):
    items = _items(data_dir, "departments.json")
    for item in items:
        _upsert(
            Department,
            item["code"],
            name_zh=item["name_zh"],
            name_en=item["name_en"],
            is_intake_office=item.get("is_intake_office", False),
            active=True,
        )
    return len(items)


def _load_regions(items, parent=None, level=1):
    count = 0
    for item in items:
        row, _ = _upsert(
            Region, item["code"], name_zh=item["name_zh"], name_en=item["name_en"], parent=parent, level=level
        )
        count += 1 + _load_regions(item.get("children", []), row, level + 1)
    return count


def by_code(model, code):
    """The reference row with this stable code (None for None); an unknown code is an error."""
    if code is None:
        return None
    row = db.session.scalar(select(model).where(model.code == code))
    if row is None:
        raise ValueError(f"unknown {model.__tablename__} code {code!r}")
    return row


def _rules_kept_in_database(file_codes):
    """(code, category code, region code) of rules in the database that the file does not list."""
    kept = db.session.scalars(
        select(RoutingRule).where(RoutingRule.active, RoutingRule.code.not_in(file_codes))  # retired: history
    )
    return [
        (r.code, r.category.code if r.category else None, r.region.code if r.region else None) for r in kept
    ]


def _check_rules_distinct(items):
    """Refuse two rules for the same (category, region), null included: route() could not choose."""
    rows = _rules_kept_in_database({item["code"] for item in items})
    rows += [(item["code"], item["category"], item["region"]) for item in items]
    seen = {}
    for code, category, region in rows:
        other = seen.setdefault((category, region), code)
        if other != code:
            raise ReferenceDataError(
                f"routing rules {other!r} and {code!r} both send category {category or 'any'} in region "
                f"{region or 'any'} to a department; keep one of them"
            )


def _load_rule(item):
    """Add a rule, or supersede the active one of its code if the file changed it (never in place)."""
    from portal.directory.admin_ops import active_rule, supersede_rule

    code = item["code"]
    values = {
        "category": by_code(Category, item["category"]),
        "region": by_code(Region, item["region"]),
        "department": by_code(Department, item["department"]),
        "priority": item.get("priority", 0),
    }
    current = active_rule(code)
    if current is None:
        db.session.add(RoutingRule(code=code, **values))
        verb = "created"
    elif any(getattr(current, key) != value for key, value in values.items()):
        supersede_rule(current, **values)
        verb = "updated"
    else:
        return
    db.session.info.setdefault(_CHANGES, []).append(f"{verb} routing_rules {code}")


def _load_rules(items):
    for item in items:
        _load_rule(item)
    return len(items)


def load_reference_data(actor=LOADER, data_dir=DATA_DIR):
    """Insert or update every reference row; returns counts. The caller commits.

    Routing rules decide who owns a report, so a load that changed anything writes one audit
    event listing the changes and the data files' versions; an unchanged reload writes none.
    A file with two rules for the same (category, region) is refused before anything is written.
    """
    rules = _items(data_dir, "routing_rules.json")
    _check_rules_distinct(rules)
    db.session.info.pop(_CHANGES, None)
    counts = {"categories": _load_categories(data_dir), "departments": _load_departments(data_dir)}
    counts["regions"] = _load_regions(_items(data_dir, "regions.json"))
    db.session.flush()
    counts["routing_rules"] = _load_rules(rules)
    db.session.flush()
    counts["deadline_policies"], policy_changes = load_deadline_policies(data_dir, ReferenceDataError)
    counts["reward_policies"], reward_changes = load_reward_policies(data_dir, ReferenceDataError)
    changes = db.session.info.pop(_CHANGES, []) + policy_changes + reward_changes
    if changes:
        files = (*FILES, POLICY_FILE, REWARD_POLICY_FILE)
        versions = {name: _document(data_dir, name)["version"] for name in files}
        record_event("reference_data.loaded", None, actor, {"versions": versions, "changes": changes})
    counts["changes"] = len(changes)
    return counts
