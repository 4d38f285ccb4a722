"""Routing: which department owns a new report. One rule table, most specific rule wins."""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

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


def route(category, region):
    """Pick the department for (category, region); the intake office when no rule matches."""
    regions = region.ancestors_and_self() if region else []
    # Deeper regions are more specific: depth = distance from the root.
    depth_of = {r.id: len(regions) - i for i, r in enumerate(regions)}
    candidates = db.session.scalars(
        select(RoutingRule)
        .options(joinedload(RoutingRule.department))  # each candidate's department is read below
        .where(
            RoutingRule.active,  # a retired rule is history, never a candidate
            or_(RoutingRule.category_id.is_(None), RoutingRule.category_id == category.id),
            or_(RoutingRule.region_id.is_(None), RoutingRule.region_id.in_(list(depth_of))),
        )
    ).all()
    active = [r for r in candidates if r.department.active]
    if active:
        best = max(active, key=lambda r: _specificity(r, depth_of))
        return RoutingDecision(best.department, best)
    return RoutingDecision(intake_office(), None)


def intake_office():
    office = db.session.scalar(select(Department).where(Department.is_intake_office.is_(True)))
    if office is None:
        raise NoIntakeOffice("no department is marked as the intake office; load reference data")
    return office
