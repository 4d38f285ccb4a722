"""Administration screens: reference data, versioned routing rules with a preview, staff accounts."""

import pytest
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.audit.models import AuditEvent
from portal.directory.loader import load_reference_data
from portal.directory.models import Category, Department, Region, RoutingRule
from portal.directory.routing import route
from portal.extensions import db
from portal.reports.models import Assignment
from tests.casework import file_report
from tests.conftest import lookup, make_user, sign_in_through_forms


@pytest.fixture
def admin(client, login_as):
    """An administrator reading the back office in English (the tests assert English texts)."""
    login_as(Role.ADMIN)
    assert client.get("/admin/?lang=en").status_code == 200  # the staff session remembers it
    return client


def active_rule(code):
    return db.session.scalar(select(RoutingRule).where(RoutingRule.code == code, RoutingRule.active))


def last_event(action):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc())
    ).first()


def rule_form(department, category="food.catering", region=None, priority=0):
    return {
        "category": lookup(Category, category).id if category else 0,
        "region": lookup(Region, region).id if region else 0,
        "department": lookup(Department, department).id,
        "priority": priority,
    }


def test_a_category_renamed_on_the_admin_screen_shows_on_the_citizen_form_without_a_restart(admin):
    assert "餐饮服务" in admin.get("/report/new").get_data(as_text=True)  # the form caches the list
    category = lookup(Category, "food.catering")
    response = admin.post(
        f"/admin/administration/categories/{category.id}",
        data={"name_zh": "餐饮服务（含外卖）", "name_en": "Catering", "group": "food", "active": "y"},
    )
    assert response.status_code == 302
    assert "餐饮服务（含外卖）" in admin.get("/report/new").get_data(as_text=True)
    event = last_event("category.updated")
    assert event.data["changes"] == {"name_zh": ["餐饮服务", "餐饮服务（含外卖）"]}


def test_a_deactivated_category_leaves_the_citizen_form(admin):
    category = lookup(Category, "food.catering")
    admin.post(
        f"/admin/administration/categories/{category.id}",
        data={"name_zh": "餐饮服务", "name_en": "Catering", "group": "food"},
    )
    assert "餐饮服务" not in admin.get("/report/new").get_data(as_text=True)


def test_the_intake_office_cannot_be_deactivated(admin):
    office = lookup(Department, "fso")
    response = admin.post(
        f"/admin/administration/departments/{office.id}",
        data={"name_zh": office.name_zh, "name_en": office.name_en},
    )
    assert response.status_code == 409
    assert "The intake office cannot be deactivated" in response.get_data(as_text=True)
    db.session.expire_all()
    assert lookup(Department, "fso").active


def test_a_region_is_renamed_but_keeps_its_code(admin):
    region = lookup(Region, "330106")
    response = admin.post(
        f"/admin/administration/regions/{region.id}", data={"name_zh": "西湖区（新）", "name_en": "Xihu"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert lookup(Region, "330106").name_zh == "西湖区（新）"
    assert last_event("region.updated").data["code"] == "330106"


def test_changing_a_rule_retires_the_old_row_and_past_assignments_still_name_it(admin):
    report, _ = file_report("market")  # food.catering in 330105
    old = active_rule("food-catering")
    assert db.session.scalar(select(Assignment.rule_id).where(Assignment.report_id == report.id)) == old.id
    response = admin.post(f"/admin/administration/rules/{old.id}", data=rule_form("health"))
    assert response.status_code == 302
    db.session.expire_all()
    new = active_rule("food-catering")
    assert new.id != old.id and new.department.code == "health"
    retired = db.session.get(RoutingRule, old.id)
    assert not retired.active and retired.retired_at is not None and retired.department.code == "market"
    assert db.session.scalar(select(Assignment.rule_id).where(Assignment.report_id == report.id)) == old.id
    assert route(lookup(Category, "food.catering"), lookup(Region, "330105")).rule.id == new.id
    event = last_event("routing_rule.replaced")
    assert event.data["before"]["department"] == "market" and event.data["after"]["department"] == "health"


def test_a_retired_rule_no_longer_routes(admin):
    rule = active_rule("food-catering-xihu")
    assert admin.post(f"/admin/administration/rules/{rule.id}/retire").status_code == 302
    decision = route(lookup(Category, "food.catering"), lookup(Region, "330106001"))
    assert decision.rule.code == "food-catering" and decision.department.code == "market"


def test_a_retired_rule_cannot_be_changed(admin):
    rule = active_rule("food-agri")
    admin.post(f"/admin/administration/rules/{rule.id}/retire")
    response = admin.post(
        f"/admin/administration/rules/{rule.id}", data=rule_form("health", "food.agri_products")
    )
    assert response.status_code == 409
    assert "This rule is retired" in response.get_data(as_text=True)


def test_a_second_rule_for_the_same_category_and_region_is_refused(admin):
    response = admin.post(
        "/admin/administration/rules/", data={"code": "catering-again", **rule_form("health")}
    )
    assert response.status_code == 409
    assert "An active rule already covers this category and region" in response.get_data(as_text=True)
    assert active_rule("catering-again") is None


def test_a_new_rule_routes_at_once(admin):
    data = {"code": "catering-xihu-street", **rule_form("health", region="330106001")}
    assert admin.post("/admin/administration/rules/", data=data).status_code == 302
    assert route(lookup(Category, "food.catering"), lookup(Region, "330106001")).department.code == "health"
    assert last_event("routing_rule.added").data["code"] == "catering-xihu-street"


def test_the_preview_names_the_department_and_the_deciding_rule(admin):
    category, region = lookup(Category, "food.catering"), lookup(Region, "330106001")
    page = admin.get(f"/admin/administration/rules/?category={category.id}&region={region.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "food-catering-xihu" in text.split('id="route-result"')[1].split("</p>")[0]


def test_the_preview_says_when_the_intake_office_gets_it(admin):
    category, region = lookup(Category, "quality.service"), lookup(Region, "330105")
    text = admin.get(f"/admin/administration/rules/?category={category.id}&region={region.id}").get_data(
        as_text=True
    )
    assert "no rule matches: the intake office receives it." in text


def test_the_loader_ignores_retired_rules_and_supersedes_a_changed_one(admin):
    rule = active_rule("food-catering")
    admin.post(f"/admin/administration/rules/{rule.id}", data=rule_form("health"))
    counts = load_reference_data()  # the file still says market: a new version, not an edit
    db.session.commit()
    assert counts["changes"] == 1
    versions = db.session.scalars(select(RoutingRule).where(RoutingRule.code == "food-catering")).all()
    assert len(versions) == 3 and [v.department.code for v in versions if v.active] == ["market"]


def test_an_administrator_creates_an_account_with_the_password_rule(admin):
    market = lookup(Department, "market")
    data = {"username": "wang.wu", "role": "staff", "department": market.id, "password": "short"}
    response = admin.post("/admin/administration/users/", data=data)
    assert response.status_code == 409
    assert "The password is too short" in response.get_data(as_text=True)
    response = admin.post("/admin/administration/users/", data=data | {"password": "a long enough password"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "wang.wu"))
    assert user.department.code == "market" and user.check_password("a long enough password")
    assert last_event("user.created").data == {"role": "staff"}


def test_a_lead_without_a_department_is_refused(admin):
    data = {"username": "zhao.liu", "role": "lead", "department": 0, "password": "a long enough password"}
    response = admin.post("/admin/administration/users/", data=data)
    assert response.status_code == 409
    assert "Staff and lead accounts need a department." in response.get_data(as_text=True)


def test_deactivating_a_user_ends_their_sign_in(admin, app):
    user = make_user("li.si", Role.STAFF, "market")
    other = app.test_client()
    other.post("/admin/login", data={"username": "li.si", "password": "correct horse battery"})
    assert other.get("/admin/queue").status_code == 200
    assert admin.post(f"/admin/administration/users/{user.id}/deactivate").status_code == 302
    assert other.get("/admin/queue").status_code == 302


def test_resetting_a_users_totp_ends_their_sign_in(admin, app):
    user = make_user("lead.w", Role.LEAD, "market")
    other = app.test_client()
    sign_in_through_forms(other, user)  # enrols TOTP and passes it
    assert other.get("/admin/queue").status_code == 200
    assert admin.post(f"/admin/administration/users/{user.id}/totp").status_code == 302
    assert other.get("/admin/queue").status_code == 302


def test_an_administrator_cannot_deactivate_themselves(admin):
    me = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    admin.post(f"/admin/administration/users/{me.id}/deactivate")
    page = admin.get("/admin/administration/users/").get_data(as_text=True)
    assert "You cannot deactivate your own account" in page
    db.session.expire_all()
    assert db.session.get(User, me.id).active


def test_password_and_totp_resets_use_the_account_operations(admin):
    user = make_user("lead.m", Role.LEAD, "market")
    admin.post(f"/admin/administration/users/{user.id}/password", data={"password": "another long password"})
    admin.post(f"/admin/administration/users/{user.id}/totp")
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.check_password("another long password") and user.totp_secret is None
    assert last_event("user.password_changed") is not None and last_event("user.totp_reset") is not None


def test_an_administrator_sets_the_address_a_leads_digest_goes_to(admin):
    """Set on the screen, the address is where the sweep's digest is queued; a bad one is refused
    and the old one kept; an empty one removes it (and the lead gets no digest)."""
    from tests.test_digests import THURSDAY_10AM, complaint_filed, digests, sweep  # noqa: PLC0415

    lead = make_user("lead.digest", Role.LEAD, "market")
    complaint_filed(2)  # overdue on the 12th: something for the digest to list
    url = f"/admin/administration/users/{lead.id}/email"
    assert admin.post(url, data={"email": " Lead.Digest@Market.Example.gov.cn "}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, lead.id).email == "Lead.Digest@market.example.gov.cn"
    assert last_event("user.email_changed").data == {"set": True}

    admin.post(url, data={"email": "not an address"})
    page = admin.get("/admin/administration/users/").get_data(as_text=True)
    assert "That is not an email address" in page
    db.session.expire_all()
    assert db.session.get(User, lead.id).email == "Lead.Digest@market.example.gov.cn"

    sweep(THURSDAY_10AM)
    assert [row.recipient for row in digests()] == ["Lead.Digest@market.example.gov.cn"]

    admin.post(url, data={"email": ""})
    db.session.expire_all()
    assert db.session.get(User, lead.id).email is None
    assert last_event("user.email_changed").data == {"set": False}


def test_staff_cannot_open_the_administration_screens(client, login_as):
    login_as(Role.LEAD, "market")
    assert client.get("/admin/administration/rules/").status_code == 403
    category = lookup(Category, "food.catering")
    response = client.post(
        f"/admin/administration/categories/{category.id}",
        data={"name_zh": "x", "name_en": "x", "group": "food", "active": "y"},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert lookup(Category, "food.catering").name_zh == "餐饮服务"


def test_an_unknown_kind_of_reference_data_answers_404(admin):
    assert admin.get("/admin/administration/reports/").status_code == 404
    assert admin.get("/admin/administration/reports/1").status_code == 404
