"""Administrators' changes to reference data. Each one is audited with an action in
portal/audit/models.py REFERENCE_ACTIONS, so the citizen form's cached lists refresh at once.

Names and flags change in place (the event keeps the old values); a routing rule never does: it
is retired and a new row takes its code, so an assignment still names the rule that decided it.
"""

import re

from sqlalchemy import select

from portal.audit.chain import record_event
from portal.clock import utcnow
from portal.directory.models import Category, RoutingRule
from portal.directory.routing import route
from portal.extensions import db
from portal.reports.errors import ReportError

CATEGORY_GROUPS = ("food", "drug", "quality")
RULE_CODE = re.compile(r"^[a-z0-9][a-z0-9.-]{0,59}$")


def _change(row, action, actor, **values):
    """Set the values that differ and audit them (before → after); nothing changed, no event."""
    changes = {key: [getattr(row, key), value] for key, value in values.items() if getattr(row, key) != value}
    for key, (_, value) in changes.items():
        setattr(row, key, value)
    if changes:
        record_event(action, row, actor, {"code": row.code, "changes": changes})
    return bool(changes)


def update_department(department, actor, *, name_zh, name_en, active):
    """Rename or (de)activate a department; the intake office stays active (route() falls back to it)."""
    if department.is_intake_office and not active:
        raise ReportError("intake_office_stays_active")
    return _change(department, "department.updated", actor, name_zh=name_zh, name_en=name_en, active=active)


def update_category(category, actor, *, name_zh, name_en, group, active):
    if group not in CATEGORY_GROUPS:
        raise ReportError("invalid_category_group")
    values = {"name_zh": name_zh, "name_en": name_en, "group": group, "active": active}
    return _change(category, "category.updated", actor, **values)


def update_region(region, actor, *, name_zh, name_en):
    """Regions are renamed only: their codes follow GB/T 2260 and reports point at them."""
    return _change(region, "region.updated", actor, name_zh=name_zh, name_en=name_en)


def active_rule(code):
    return db.session.scalar(select(RoutingRule).where(RoutingRule.code == code, RoutingRule.active))


def _refuse_tie(category, region, except_rule=None):
    """One active rule per (category, region): route() could not choose between two."""
    query = select(RoutingRule).where(
        RoutingRule.active,
        RoutingRule.category_id.is_(None) if category is None else RoutingRule.category_id == category.id,
        RoutingRule.region_id.is_(None) if region is None else RoutingRule.region_id == region.id,
    )
    other = db.session.scalar(query)
    if other is not None and other is not except_rule:
        raise ReportError("routing_rule_exists")


def _check_department(department):
    if department is None or not department.active:
        raise ReportError("department_inactive")


def _rule_data(rule):
    return {
        "code": rule.code,
        "category": rule.category.code if rule.category else None,
        "region": rule.region.code if rule.region else None,
        "department": rule.department.code,
        "priority": rule.priority,
    }


def supersede_rule(rule, **values):
    """Retire `rule` and add its successor under the same code (not audited: callers audit)."""
    rule.active, rule.retired_at = False, utcnow()
    db.session.flush()  # the partial unique indexes must see the old row retired first
    successor = RoutingRule(code=rule.code, **values)
    db.session.add(successor)
    db.session.flush()
    return successor


def add_routing_rule(actor, *, code, category, region, department, priority):
    """A new rule under a new code."""
    if not RULE_CODE.match(code or ""):
        raise ReportError("invalid_rule_code")
    if active_rule(code) is not None:
        raise ReportError("rule_code_taken")
    _refuse_tie(category, region)
    _check_department(department)
    rule = RoutingRule(code=code, category=category, region=region, department=department, priority=priority)
    db.session.add(rule)
    db.session.flush()
    record_event("routing_rule.added", rule, actor, _rule_data(rule))
    return rule


def replace_routing_rule(rule, actor, *, category, region, department, priority):
    """Change a rule: the old row is retired, a new one with the same code takes over."""
    if not rule.active:
        raise ReportError("rule_retired")
    _refuse_tie(category, region, except_rule=rule)
    _check_department(department)
    before = _rule_data(rule)
    successor = supersede_rule(
        rule, category=category, region=region, department=department, priority=priority
    )
    data = {"replaces": rule.id, "before": before, "after": _rule_data(successor)}
    record_event("routing_rule.replaced", successor, actor, data)
    return successor


def retire_routing_rule(rule, actor):
    """Stop using a rule; what it matched falls to the next rule or the intake office."""
    if not rule.active:
        raise ReportError("rule_retired")
    rule.active, rule.retired_at = False, utcnow()
    record_event("routing_rule.retired", rule, actor, _rule_data(rule))


def preview_route(category, region):
    """What a new report of this category in this region would get, and the rule deciding it."""
    return route(category, region)


def categories_in_order():
    return db.session.scalars(select(Category).order_by(Category.position)).all()
