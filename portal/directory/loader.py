"""Load reference data from portal/data/*.json. Idempotent: rows are matched by code and updated."""

import json
from pathlib import Path

from sqlalchemy import select

from portal.audit.chain import Actor, record_event
from portal.directory.models import Category, Department, Region, RoutingRule
from portal.extensions import db

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LOADER = Actor("system", "reference-loader")


FILES = ("categories.json", "departments.json", "regions.json", "routing_rules.json")
_CHANGES = "reference_changes"


def _document(name):
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _items(name):
    return _document(name)["items"]


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


def _load_categories():
    items = _items("categories.json")
    for position, item in enumerate(items):
        _upsert(
            Category,
            item["code"],
            group=item["group"],
            name_zh=item["name_zh"],
            name_en=item["name_en"],
            position=position,
            active=True,
        )
    return len(items)


def _load_departments():
    items = _items("departments.json")
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


def _load_rules():
    items = _items("routing_rules.json")
    for item in items:
        _upsert(
            RoutingRule,
            item["code"],
            category=by_code(Category, item["category"]),
            region=by_code(Region, item["region"]),
            department=by_code(Department, item["department"]),
            priority=item.get("priority", 0),
        )
    return len(items)


def load_reference_data(actor=LOADER):
    """Insert or update every reference row; returns counts. The caller commits.

    Routing rules decide who owns a report, so a load that changed anything writes one audit
    event listing the changes and the data files' versions; an unchanged reload writes none.
    """
    db.session.info.pop(_CHANGES, None)
    counts = {"categories": _load_categories(), "departments": _load_departments()}
    counts["regions"] = _load_regions(_items("regions.json"))
    db.session.flush()
    counts["routing_rules"] = _load_rules()
    db.session.flush()
    changes = db.session.info.pop(_CHANGES, [])
    if changes:
        versions = {name: _document(name)["version"] for name in FILES}
        record_event("reference_data.loaded", None, actor, {"versions": versions, "changes": changes})
    counts["changes"] = len(changes)
    return counts
