"""Routing: the most specific rule wins; the intake office gets what no rule matches."""

import pytest

from portal.directory.models import Category, Department, Region, RoutingRule
from portal.directory.routing import NoIntakeOffice, route
from portal.extensions import db
from tests.conftest import lookup

pytestmark = pytest.mark.usefixtures("app")


def dept_for(category_code, region_code):
    return route(lookup(Category, category_code), lookup(Region, region_code)).department.code


def test_category_rule_applies_citywide():
    assert dept_for("food.agri_products", "330102001") == "agriculture"
    assert dept_for("quality.engineering", "330105") == "housing"


def test_deeper_region_rule_beats_citywide_rule_for_same_category():
    # food-catering-xihu names Xihu district; a street inside Xihu inherits it.
    assert dept_for("food.catering", "330106") == "market-330106"
    assert dept_for("food.catering", "330106001") == "market-330106"
    assert dept_for("food.catering", "330105") == "market"


def test_category_rule_beats_region_only_rule():
    # binjiang-all names only the region; quality-engineering names the category.
    assert dept_for("quality.engineering", "330108001") == "housing"
    assert dept_for("quality.service", "330108001") == "market-330108"


def test_no_matching_rule_falls_back_to_intake_office():
    decision = route(lookup(Category, "quality.service"), lookup(Region, "330105"))
    assert decision.department.code == "fso"
    assert decision.rule is None


def test_street_rule_is_more_specific_than_district_rule():
    street = lookup(Region, "330106001")
    rule = RoutingRule(
        code="t-street",
        category=lookup(Category, "food.catering"),
        region=street,
        department=lookup(Department, "health"),
    )
    db.session.add(rule)
    db.session.flush()
    assert dept_for("food.catering", "330106001") == "health"
    assert dept_for("food.catering", "330106002") == "market-330106"


def test_inactive_department_rule_is_skipped():
    lookup(Department, "housing").active = False
    db.session.flush()
    assert dept_for("quality.engineering", "330105") == "fso"


def test_missing_intake_office_is_an_error_not_an_orphan():
    for rule in db.session.scalars(db.select(RoutingRule)):
        db.session.delete(rule)
    lookup(Department, "fso").is_intake_office = False
    db.session.flush()
    with pytest.raises(NoIntakeOffice):
        route(lookup(Category, "food.catering"), lookup(Region, "330105"))
