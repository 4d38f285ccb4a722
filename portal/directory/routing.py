"""Routing: which department owns a new report. One rule table, most specific rule wins."""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from portal.directory import rows as reference_rows
from portal.directory.models import Department, RoutingRule
from portal.extensions import db


class NoIntakeOffice(RuntimeError):
    """Reference data lacks the catch-all intake office; reports would have no owner."""


@dataclass(frozen=True)
class RoutingDecision:
    department: Department
    rule: RoutingRule | None  # None when the intake-office fallback was used


def _specificity(rule, depth_of):
    """A rule naming the category beats one that does not; then the deeper region wins."""
    category_score = 1 if rule.category_id is not None else 0
    region_score = depth_of.get(rule.region_id, 0) if rule.region_id is not None else 0
    return (category_score, region_score, rule.priority)


def _region_chain(region, cached):
    """Region ids from this region up to the root, nearest first."""
    if region is None:
        return []
    if cached is None:
        return [r.id for r in region.ancestors_and_self()]
    chain, node = [], region.id
    while node is not None:
        chain.append(node)
        node = cached.parents.get(node)
    return chain


def _candidates(category, region_ids, cached):
    """Active rules that match the category (or any) and one of the regions (or any)."""
    if cached is not None:  # the process's copies (portal/directory/rows.py)
        return [
            reference_rows.attach(rule)
            for rule in cached.rules
            if rule.category_id in (None, category.id)
            and (rule.region_id is None or rule.region_id in region_ids)
        ]
    return db.session.scalars(
        select(RoutingRule)
        .options(joinedload(RoutingRule.department))  # each candidate's department is read below
        .where(
            RoutingRule.active,  # a retired rule is history, never a candidate
            or_(RoutingRule.category_id.is_(None), RoutingRule.category_id == category.id),
            or_(RoutingRule.region_id.is_(None), RoutingRule.region_id.in_(region_ids)),
        )
    ).all()


def route(category, region):
    """Pick the department for (category, region); the intake office when no rule matches."""
    cached = reference_rows.usable()
    regions = _region_chain(region, cached)
    # Deeper regions are more specific: depth = distance from the root.
    depth_of = {region_id: len(regions) - i for i, region_id in enumerate(regions)}
    active = [r for r in _candidates(category, list(depth_of), cached) if r.department.active]
    if active:
        best = max(active, key=lambda r: _specificity(r, depth_of))
        return RoutingDecision(best.department, best)
    return RoutingDecision(intake_office(cached), None)


def intake_office(cached=None):
    if cached is not None:
        offices = [
            row for (model, _id), row in cached.by_key.items() if model is Department and row.is_intake_office
        ]
        office = reference_rows.attach(offices[0]) if offices else None
    else:
        office = db.session.scalar(select(Department).where(Department.is_intake_office.is_(True)))
    if office is None:
        raise NoIntakeOffice("no department is marked as the intake office; load reference data")
    return office
