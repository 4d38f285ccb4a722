"""Staff sign-in and the department-scoped dashboard."""

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.accounts.permissions import can_view, scoped_reports
from portal.directory.models import Category, Region
from portal.extensions import db
from portal.reports.operations import submit_report
from portal.reports.receipts import new_submission_token
from tests.conftest import lookup, make_intake, make_user


def seed_reports():
    """Two reports for city market regulation, one for agriculture."""
    for category in ("food.catering", "food.sales", "food.agri_products"):
        submit_report(
            make_intake(category=lookup(Category, category), region=lookup(Region, "330105")),
            [],
            new_submission_token(),
        )
    db.session.commit()


def total_on_dashboard(client):
    page = client.get("/admin/").get_data(as_text=True)
    return int(re.search(r'<tfoot><tr><th>[^<]+</th><th class="text-end">(\d+)<', page).group(1))


@pytest.mark.parametrize("path", ["/admin/", "/admin/?lang=en"])
def test_back_office_needs_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    make_user("market.staff", Role.STAFF, "market")
    wrong = client.post("/admin/login", data={"username": "market.staff", "password": "nope"})
    unknown = client.post("/admin/login", data={"username": "ghost", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert "用户名或密码错误" in wrong.get_data(as_text=True)
    assert wrong.get_data(as_text=True).replace("market.staff", "ghost") == unknown.get_data(as_text=True)


def test_password_is_stored_as_argon2(app):
    user = make_user("u1", Role.AUDITOR)
    assert user.password_hash.startswith("$argon2id$")
    assert user.check_password("correct horse battery") and not user.check_password("x")


def test_department_staff_see_only_their_queue(client, login_as):
    seed_reports()
    login_as(Role.STAFF, "market")
    assert total_on_dashboard(client) == 2


def test_other_department_sees_its_own(client, login_as):
    seed_reports()
    login_as(Role.STAFF, "agriculture")
    assert total_on_dashboard(client) == 1


def test_auditor_sees_everything_and_admin_sees_no_case_content(client, login_as):
    seed_reports()
    login_as(Role.AUDITOR)
    assert total_on_dashboard(client) == 3
    client.post("/admin/logout")
    login_as(Role.ADMIN)
    assert total_on_dashboard(client) == 0


def test_scoping_helper_and_can_view_agree(app):
    seed_reports()
    staff = make_user("s", Role.STAFF, "agriculture")
    visible = db.session.scalars(scoped_reports(staff)).all()
    from portal.reports.models import Report

    for report in db.session.scalars(select(Report)):
        assert can_view(staff, report) == (report in visible)


def test_sign_out(client, login_as):
    login_as(Role.STAFF, "market")
    client.post("/admin/logout")
    assert client.get("/admin/").status_code == 302


def test_sign_in_is_audited(client, login_as):
    from portal.audit.models import AuditEvent

    username = login_as(Role.LEAD, "market")
    client.post("/admin/logout")
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_label).where(AuditEvent.object_type == "users")
    ).all()
    assert events == [
        ("user.signed_in", f"lead:{username}"),
        ("user.second_factor_passed", f"lead:{username}"),
        ("user.signed_out", f"lead:{username}"),
    ]


def test_sign_in_attempts_are_rate_limited(app, database_url, tmp_path):
    from portal import create_app
    from tests.conftest import _config

    limited = create_app(_config(database_url, tmp_path) | {"RATELIMIT_ENABLED": True}).test_client()
    codes = [  # a new name each time, so no account lock comes first
        limited.post("/admin/login", data={"username": f"x{i}", "password": "y"}).status_code
        for i in range(11)
    ]
    assert codes[:10] == [200] * 10 and codes[10] == 429
