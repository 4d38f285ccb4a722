"""Same clue: likely duplicates by licence, normalised name (same category, 90 days) or similar
description; a one-click link; the earliest report of a clue is its first."""

from datetime import timedelta

import pytest

from portal.accounts.models import Role
from portal.directory.models import Category
from portal.extensions import db
from portal.reports.clues import clue_members, is_first_of_clue, likely_duplicates
from tests.conftest import lookup, make_user
from tests.decisions_helpers import actions_of, desk, new_report, page

LICENCE = "JY13301050012345"


@pytest.fixture
def staff_user(app):
    return make_user("market.staff", Role.STAFF, "market")


def report(name, description, category="food.catering", **extra):
    return new_report(
        business_name=name, description=description, category=lookup(Category, category), **extra
    )


def found(user, subject):
    return {(other.number, why) for other, why in likely_duplicates(user, subject)}


def test_the_same_licence_number_is_found_whatever_the_name_or_category(app, staff_user):
    subject = report("老街坊餐馆", "后厨卫生很差。", business_licence=LICENCE)
    same = report("新店名小吃", "销售过期食品。", category="food.sales", business_licence=LICENCE)
    unrelated = report("阳光超市", "价格标签与结算不符。")
    assert found(staff_user, subject) == {(same.number, "licence")}
    assert unrelated.number not in {n for n, _ in found(staff_user, subject)}


def test_the_same_normalised_name_in_the_same_category_within_90_days(app, staff_user):
    subject = report("老街坊餐馆（文三店）", "后厨卫生很差。")
    same = report("老街坊 餐馆(文三店)", "员工不戴口罩处理熟食。")  # full-width brackets, a space
    other_category = report("老街坊餐馆（文三店）", "销售过期饮料。", category="food.sales")
    too_old = report("老街坊餐馆（文三店）", "菜里有异物。")
    too_old.received_at = subject.received_at - timedelta(days=91)
    db.session.commit()
    assert found(staff_user, subject) == {(same.number, "name")}
    assert other_category.number not in {n for n, _ in found(staff_user, subject)}


def test_a_very_similar_description_under_another_name(app, staff_user):
    subject = report("甲餐馆", "后厨卫生很差，员工不戴口罩直接处理熟食，地面有污水。")
    similar = report("乙饭店", "后厨卫生很差，员工不戴口罩直接处理熟食，地面有很多污水。")
    different = report("丙面馆", "营业执照过期仍在经营，价格不公示。")
    assert found(staff_user, subject) == {(similar.number, "text")}
    assert different.number not in {n for n, _ in found(staff_user, subject)}


def test_another_departments_reports_are_never_shown(app, staff_user):
    subject = report("老街坊餐馆", "后厨卫生很差。", business_licence=LICENCE)
    report("老街坊餐馆", "农药残留超标。", category="food.agri_products", business_licence=LICENCE)
    assert found(staff_user, subject) == set()


def test_one_click_link_marks_the_earliest_report_as_first_of_the_clue(app):
    staff = desk(app, "market.staff", Role.STAFF, "market")
    first = report("老街坊餐馆", "后厨卫生很差。")
    later = report("老街坊餐馆", "员工不戴口罩。")
    panel = page(staff.get(f"/admin/reports/{later.number}/actions"))
    assert f'data-number="{first.number}"' in panel  # offered as likely the same clue
    response = staff.post(f"/admin/reports/{later.number}/same-clue/{first.number}")
    assert response.status_code == 302
    assert is_first_of_clue(first) and not is_first_of_clue(later)
    assert 'id="first-of-clue"' in page(staff.get(f"/admin/reports/{first.number}/actions"))
    assert 'id="first-of-clue"' not in page(staff.get(f"/admin/reports/{later.number}/actions"))
    assert actions_of(later)[-1] == actions_of(first)[-1] == "report.same_clue"


def test_linking_two_clues_merges_them(app):
    staff = desk(app, "market.staff", Role.STAFF, "market")
    a, b, c, d = (report(f"店{i}", f"问题{i}。") for i in range(4))
    staff.post(f"/admin/reports/{a.number}/same-clue/{b.number}")
    staff.post(f"/admin/reports/{d.number}/same-clue/{c.number}")
    staff.post(f"/admin/reports/{c.number}/same-clue/{b.number}")
    assert [r.number for r in clue_members(d)] == [a.number, b.number, c.number, d.number]
    assert [is_first_of_clue(r) for r in (a, b, c, d)] == [True, False, False, False]
