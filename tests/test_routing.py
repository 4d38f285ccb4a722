"""Routing: the most specific rule wins; the intake office gets what no rule matches."""

import json
import shutil

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.audit.models import AuditEvent
from portal.directory.loader import DATA_DIR, ReferenceDataError, load_reference_data
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


def add_rule(code, category_code, region_code, department_code="health"):
    db.session.add(
        RoutingRule(
            code=code,
            category=lookup(Category, category_code) if category_code else None,
            region=lookup(Region, region_code) if region_code else None,
            department=lookup(Department, department_code),
        )
    )
    db.session.flush()


@pytest.mark.parametrize(
    ("category", "region"),
    [(None, None), (None, "330106"), ("quality.service", None)],
    ids=["any-any", "any-category", "any-region"],
)
def test_database_refuses_two_rules_for_the_same_category_and_region_even_with_null(category, region):
    add_rule("t-first", category, region)
    with pytest.raises(IntegrityError):
        add_rule("t-second", category, region, "market")
    db.session.rollback()


def data_dir_with_extra_rules(tmp_path, *rules):
    """A copy of the shipped data files with extra routing rules appended."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    document = json.loads((data / "routing_rules.json").read_text(encoding="utf-8"))
    document["items"] += [
        {"code": code, "category": category, "region": region, "department": "health"}
        for code, category, region in rules
    ]
    (data / "routing_rules.json").write_text(json.dumps(document), encoding="utf-8")
    return data


def rule_codes():
    return set(db.session.scalars(select(RoutingRule.code)))


@pytest.mark.parametrize(
    ("rules", "named"),
    [
        ([("catering-again", "food.catering", None)], ("'food-catering'", "'catering-again'")),
        ([("anything-1", None, None), ("anything-2", None, None)], ("'anything-1'", "'anything-2'")),
    ],
    ids=["same-category-any-region", "both-null"],
)
def test_loader_refuses_a_file_with_two_rules_of_equal_specificity(tmp_path, rules, named):
    before, events = rule_codes(), db.session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(ReferenceDataError) as refused:
        load_reference_data(data_dir=data_dir_with_extra_rules(tmp_path, *rules))
    assert all(code in str(refused.value) for code in named)
    db.session.commit()
    assert rule_codes() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_reference_load_refuses_a_renamed_rule_that_would_tie_with_its_old_row(runner):
    """The file renamed a rule; the old row still holds the same (category, region)."""
    lookup(RoutingRule, "food-catering").code = "food-catering-old"
    db.session.commit()
    result = runner.invoke(args=["seed", "reference"])
    assert result.exit_code == 1
    assert "'food-catering-old' and 'food-catering'" in result.output
    assert "food-catering" not in rule_codes()
