"""TOTP: enrolment, the code after the password, recovery codes, reuse, throttling, audit."""

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.accounts.totp import code_at
from portal.audit.models import AuditEvent
from portal.clock import frozen_at
from portal.extensions import db
from tests.conftest import TEST_TOTP_SECRET, enrol_totp, make_user

T0 = datetime(2026, 11, 20, 2, 0, 10)  # 10 seconds into a 30-second step
GOOD = "correct horse battery"


def password(client, username, address="127.0.0.1"):
    return client.post(
        "/admin/login?lang=en",
        data={"username": username, "password": GOOD},
        environ_base={"REMOTE_ADDR": address},
    )


def code(client, value, address="127.0.0.1"):
    return client.post(
        "/admin/login/code?lang=en", data={"code": value}, environ_base={"REMOTE_ADDR": address}
    )


def enrolled_lead():
    user = make_user("lead.one", Role.LEAD, "market")
    enrol_totp(user)
    return user


def events(action):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def test_a_lead_enrols_with_a_qr_code_before_any_page_opens(client):
    make_user("lead.one", Role.LEAD, "market")
    assert password(client, "lead.one").headers["Location"] == "/admin/account/totp"
    assert client.get("/admin/").headers["Location"] == "/admin/account/totp"
    page = client.get("/admin/account/totp?lang=en").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', page).group(1)
    assert db.session.scalar(select(User.totp_secret)) == secret
    wrong = client.post("/admin/account/totp?lang=en", data={"code": "000000"}).get_data(as_text=True)
    assert "That code is not right." in wrong
    assert client.get("/admin/").status_code == 302
    shown = client.post("/admin/account/totp?lang=en", data={"code": code_at(secret, datetime.utcnow())})
    codes = re.findall(r"<li class=\"col\">([a-z2-9]{5}-[a-z2-9]{5})</li>", shown.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert client.get("/admin/").status_code == 200
    assert [e.data["recovery_codes"] for e in events("user.totp_enrolled")] == [10]


def test_the_secret_is_encrypted_at_rest(client):
    enrolled_lead()
    stored = db.session.execute(db.text("SELECT totp_secret FROM users")).scalar()
    assert TEST_TOTP_SECRET not in stored


def test_a_password_only_session_reaches_no_page(app, client):
    enrolled_lead()
    with frozen_at(T0):
        assert password(client, "lead.one").headers["Location"] == "/admin/login/code"
        open_to_it = {"admin.login", "admin.second_factor", "admin.enrol_totp", "admin.logout"}
        for rule in app.url_map.iter_rules():
            if (
                rule.endpoint.startswith("admin.")
                and rule.endpoint not in open_to_it
                and "GET" in rule.methods
            ):
                url = rule.build({name: 1 for name in rule.arguments})[1]
                response = client.get(url)
                assert response.status_code == 302, url
                assert response.headers["Location"] == "/admin/login/code", url
        assert code(client, code_at(TEST_TOTP_SECRET, T0)).headers["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200


def test_staff_sign_in_with_the_password_alone_until_they_enrol(client):
    make_user("clerk", Role.STAFF, "market")
    assert password(client, "clerk").headers["Location"] == "/admin/"
    page = client.get("/admin/account?lang=en").get_data(as_text=True)
    assert "Turn on two-step sign-in" in page
    secret = re.search(
        r'id="totp-secret"[^>]*>([A-Z2-7]+)<', client.get("/admin/account/totp").get_data(as_text=True)
    ).group(1)
    with frozen_at(T0):
        assert client.post("/admin/account/totp", data={"code": code_at(secret, T0)}).status_code == 200
    client.post("/admin/logout")
    with frozen_at(T0 + timedelta(minutes=1)):
        assert password(client, "clerk").headers["Location"] == "/admin/login/code"
        assert client.get("/admin/").headers["Location"] == "/admin/login/code"


def test_a_code_is_refused_the_second_time_within_its_window(client):
    enrolled_lead()
    with frozen_at(T0):
        password(client, "lead.one")
        assert code(client, code_at(TEST_TOTP_SECRET, T0)).status_code == 302
        client.post("/admin/logout")
        password(client, "lead.one")
        again = code(client, code_at(TEST_TOTP_SECRET, T0))
        assert client.get("/admin/").headers["Location"] == "/admin/login/code"
    assert "That code has already been used." in again.get_data(as_text=True)
    assert [e.data["reason"] for e in events("user.second_factor_failed")] == ["reused_code"]


def test_codes_one_step_either_side_pass_and_two_steps_do_not(client):
    enrolled_lead()
    with frozen_at(T0):
        password(client, "lead.one")
        assert code(client, code_at(TEST_TOTP_SECRET, T0 - timedelta(seconds=60))).status_code == 200
        assert code(client, code_at(TEST_TOTP_SECRET, T0 + timedelta(seconds=60))).status_code == 200
        assert code(client, code_at(TEST_TOTP_SECRET, T0 + timedelta(seconds=30))).status_code == 302


def test_a_recovery_code_signs_in_once(client):
    make_user("lead.one", Role.LEAD, "market")
    with frozen_at(T0):
        password(client, "lead.one")
        secret = db.session.scalar(select(User.totp_secret)) or _begin(client)
        page = client.post("/admin/account/totp", data={"code": code_at(secret, T0)}).get_data(as_text=True)
        recovery = re.findall(r"([a-z2-9]{5}-[a-z2-9]{5})</li>", page)[0]
    client.post("/admin/logout")
    with frozen_at(T0 + timedelta(minutes=5)):
        password(client, "lead.one")
        assert code(client, recovery.upper()).headers["Location"] == "/admin/"
        client.post("/admin/logout")
        password(client, "lead.one")
        again = code(client, recovery)
    assert "That code has already been used." in again.get_data(as_text=True)
    assert [e.data["left"] for e in events("user.recovery_code_used")] == [9]
    assert events("user.second_factor_passed")[-1].data["method"] == "recovery_code"


def _begin(client):
    client.get("/admin/account/totp")
    db.session.expire_all()
    return db.session.scalar(select(User.totp_secret))


def test_wrong_codes_lock_the_account_like_wrong_passwords_and_are_audited(client):
    enrolled_lead()
    with frozen_at(T0):
        password(client, "lead.one")
        assert [code(client, "123456").status_code for _ in range(5)] == [200] * 5
        locked = code(client, code_at(TEST_TOTP_SECRET, T0))
    assert locked.status_code == 429
    assert "Too many failed sign-ins. Wait 1 minute, then try again." in locked.get_data(as_text=True)
    reasons = [e.data["reason"] for e in events("user.second_factor_failed")]
    assert reasons == ["wrong_code"] * 5 + ["locked"]


def test_a_correct_password_does_not_clear_the_count_of_wrong_codes(client):
    enrolled_lead()
    with frozen_at(T0):
        password(client, "lead.one")
        for _ in range(4):
            code(client, "123456")
        client.post("/admin/logout")
        assert password(client, "lead.one").status_code == 302
        code(client, "123456")
        locked = code(client, code_at(TEST_TOTP_SECRET, T0))
    assert locked.status_code == 429
