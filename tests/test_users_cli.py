"""`flask users …` and the demo's TOTP: console chores, audited as system:cli, clear errors."""

from sqlalchemy import select

from portal import create_app
from portal.accounts.models import Role, User
from portal.accounts.totp import code_at
from portal.audit.models import AuditEvent
from portal.clock import utcnow
from portal.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS
from portal.extensions import db
from portal.sessions.models import WebSession
from tests.conftest import _config, enrol_totp, make_user


def run(runner, *args):
    return runner.invoke(args=["users", *args])


def cli_events(action):
    return db.session.execute(
        select(AuditEvent.actor_kind, AuditEvent.actor_label).where(AuditEvent.action == action)
    ).all()


def user(name):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == name))


def test_create_makes_an_account_that_signs_in(runner, client):
    result = run(
        runner,
        "create",
        "--username",
        "wang",
        "--role",
        "staff",
        "--department",
        "market",
        "--password",
        "long enough password",
    )
    assert result.exit_code == 0, result.output
    assert user("wang").department.code == "market"
    assert cli_events("user.created") == [("system", "cli")]
    login = client.post("/admin/login", data={"username": "wang", "password": "long enough password"})
    assert login.headers["Location"] == "/admin/"


def test_create_refuses_what_the_rules_refuse_with_a_clear_message(runner):
    base = ["create", "--username", "wang", "--password", "long enough password"]
    cases = [
        (["--role", "staff"], "staff and lead accounts need --department CODE"),
        (
            ["--role", "admin", "--department", "market"],
            "only staff and lead accounts belong to a department",
        ),
        (["--role", "lead", "--department", "nowhere"], "no department with code 'nowhere'"),
        (["--role", "wizard"], "'wizard' is not one of"),
    ]
    for extra, message in cases:
        result = run(runner, *base, *extra)
        assert result.exit_code != 0 and message in result.output, result.output
    short = run(runner, "create", "--username", "li", "--role", "auditor", "--password", "short")
    assert "the password is too short: use at least 12 characters" in short.output
    make_user("taken", Role.STAFF, "market")
    taken = run(
        runner, "create", "--username", "taken", "--role", "finance", "--password", "long enough password"
    )
    assert "that username is already in use" in taken.output
    assert db.session.scalar(select(User.username).where(User.username != "taken")) is None


def test_deactivate_ends_the_account_and_its_sessions(runner, client, login_as):
    name = login_as(Role.STAFF, "market")
    assert run(runner, "deactivate", name).exit_code == 0
    assert user(name).active is False
    assert db.session.scalar(select(WebSession.end_reason)) == "deactivated"
    assert client.get("/admin/").status_code == 302
    assert cli_events("user.deactivated") == [("system", "cli")]


def test_reset_password_applies_the_rule_and_ends_sessions(runner, client, login_as):
    name = login_as(Role.STAFF, "market")
    assert "too short" in run(runner, "reset-password", name, "--password", "short").output
    assert run(runner, "reset-password", name, "--password", "a brand new password").exit_code == 0
    assert client.get("/admin/").status_code == 302
    assert user(name).check_password("a brand new password")
    assert cli_events("user.password_changed") == [("system", "cli")]


def test_reset_totp_sends_the_next_sign_in_to_enrolment(runner, client):
    enrol_totp(make_user("lead.one", Role.LEAD, "market"))
    assert run(runner, "reset-totp", "lead.one").exit_code == 0
    assert user("lead.one").totp_secret is None
    login = client.post("/admin/login", data={"username": "lead.one", "password": "correct horse battery"})
    assert login.headers["Location"] == "/admin/account/totp"
    assert cli_events("user.totp_reset") == [("system", "cli")]


def test_reset_totp_ends_the_users_live_sessions(runner, client, login_as):
    """A reset follows a lost phone: a session that passed the old second factor stops working."""
    name = login_as(Role.LEAD, "market")  # signed in with password and TOTP
    assert client.get("/admin/queue").status_code == 200
    assert run(runner, "reset-totp", name).exit_code == 0
    response = client.get("/admin/queue")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert db.session.scalar(select(WebSession.end_reason)) == "totp_reset"
    assert cli_events("user.session_ended") == [("system", "cli")]


def test_unknown_users_are_named_in_the_error(runner):
    for command in (["deactivate"], ["reset-password", "--password", "long enough password"], ["reset-totp"]):
        result = run(runner, command[0], "ghost", *command[1:])
        assert result.exit_code == 1 and "no user named 'ghost'" in result.output


def test_totp_code_is_refused_outside_development(runner):
    enrol_totp(make_user("lead.one", Role.LEAD, "market"))
    result = run(runner, "totp-code", "lead.one")
    assert result.exit_code == 1 and "only works with PORTAL_ENV=development" in result.output


def test_demo_leads_sign_in_with_the_printed_code_and_plain_staff_with_the_password(
    app, database_url, tmp_path
):
    dev = create_app(_config(database_url, tmp_path) | {"ENV_NAME": "development"})
    with dev.app_context():
        assert dev.test_cli_runner().invoke(args=["seed", "demo", "--count", "2"]).exit_code == 0
        printed = dev.test_cli_runner().invoke(args=["users", "totp-code", "market.lead"]).output.strip()
        assert printed == code_at(DEMO_TOTP_SECRETS["market.lead"], utcnow())
        client = dev.test_client()
        form = {"username": "market.lead", "password": DEMO_PASSWORD}
        assert client.post("/admin/login", data=form).headers["Location"] == "/admin/login/code"
        assert client.post("/admin/login/code", data={"code": printed}).headers["Location"] == "/admin/"
        staff = dev.test_client()
        form = {"username": "market.staff", "password": DEMO_PASSWORD}
        assert staff.post("/admin/login", data=form).headers["Location"] == "/admin/"
        enrolled = db.session.scalars(select(User.username).where(User.totp_confirmed_at.is_not(None))).all()
        assert sorted(enrolled) == sorted(DEMO_TOTP_SECRETS)
        db.session.remove()


def test_set_email_saves_a_valid_address_refuses_a_bad_one_and_clears(runner):
    make_user("lead.mail", Role.LEAD, "market")
    assert run(runner, "set-email", "lead.mail", "lead@example.gov.cn").exit_code == 0
    assert user("lead.mail").email == "lead@example.gov.cn"
    refused = run(runner, "set-email", "lead.mail", "lead at example")
    assert refused.exit_code != 0 and "not an email address" in refused.output
    assert user("lead.mail").email == "lead@example.gov.cn"
    assert run(runner, "set-email", "lead.mail").exit_code == 0
    assert user("lead.mail").email is None
    assert cli_events("user.email_changed") == [("system", "cli")] * 2
