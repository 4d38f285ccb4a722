"""Sign-in: only failures count, per account and per address, with growing waits; all audited."""

import json
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.accounts.models import Role, User, _hasher
from portal.accounts.operations import SignInRefused, change_password, create_user, sign_in
from portal.accounts.passwords import AccountError
from portal.audit.chain import SYSTEM
from portal.audit.models import AuditEvent
from portal.clock import frozen_at
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from tests.conftest import _config, make_user

T0 = datetime(2026, 11, 20, 2, 0)
GOOD = "correct horse battery"


def post_login(client, username, password, address="10.0.0.1", lang=None):
    url = "/admin/login" + (f"?lang={lang}" if lang else "")
    return client.post(
        url, data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def fail(client, username, times, address="10.0.0.1"):
    return [post_login(client, username, "wrong password", address).status_code for _ in range(times)]


def failures_audited():
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.sign_in_failed").order_by(AuditEvent.id)
    ).all()


def test_good_sign_ins_do_not_use_up_the_address_budget(app, database_url, tmp_path):
    limited = create_app(_config(database_url, tmp_path) | {"RATELIMIT_ENABLED": True}).test_client()
    make_user("clerk", Role.STAFF, "market")
    assert [post_login(limited, "clerk", GOOD).status_code for _ in range(12)] == [302] * 12
    assert post_login(limited, "clerk", "typo").status_code == 200
    assert post_login(limited, "clerk", GOOD).status_code == 302


def test_five_failures_lock_the_account_and_the_page_says_how_long(client):
    make_user("clerk", Role.STAFF, "market")
    with frozen_at(T0):
        assert fail(client, "clerk", 5) == [200] * 5
        locked = post_login(client, "clerk", GOOD, lang="en")
    assert locked.status_code == 429
    assert "Too many failed sign-ins. Wait 1 minute, then try again." in locked.get_data(as_text=True)
    with frozen_at(T0 + timedelta(seconds=30)):
        assert "1分钟" in post_login(client, "clerk", GOOD, lang="zh_CN").get_data(as_text=True)
    with frozen_at(T0 + timedelta(minutes=1)):
        assert post_login(client, "clerk", GOOD).status_code == 302


def test_each_further_failure_doubles_the_wait_up_to_15_minutes(client):
    make_user("clerk", Role.STAFF, "market")
    now = T0
    with frozen_at(now):
        fail(client, "clerk", 5)
    waits = []
    for _ in range(6):
        now += timedelta(minutes=16)  # every lock has run out
        with frozen_at(now):
            fail(client, "clerk", 1)
            page = post_login(client, "clerk", GOOD, lang="en").get_data(as_text=True)
        waits.append(page.split("Wait ")[1].split(",")[0])
    assert waits == ["2 minutes", "4 minutes", "8 minutes", "15 minutes", "15 minutes", "15 minutes"]


def test_a_good_sign_in_clears_the_account_count(client):
    make_user("clerk", Role.STAFF, "market")
    fail(client, "clerk", 4)
    assert post_login(client, "clerk", GOOD).status_code == 302
    fail(client, "clerk", 4)
    assert post_login(client, "clerk", GOOD).status_code == 302


def test_unknown_names_are_locked_like_real_ones(client):
    make_user("clerk", Role.STAFF, "market")
    with frozen_at(T0):
        real, unknown = fail(client, "clerk", 6), fail(client, "ghost", 6)
        assert real == unknown == [200] * 5 + [429]
        real_page = post_login(client, "clerk", "x").get_data(as_text=True)
        unknown_page = post_login(client, "ghost", "x").get_data(as_text=True)
    assert real_page.replace("clerk", "ghost") == unknown_page


def test_one_address_trying_many_names_is_locked(client):
    make_user("clerk", Role.STAFF, "market")
    with frozen_at(T0):
        for n in range(20):
            fail(client, f"name{n}", 1, address="10.6.6.6")
        assert post_login(client, "clerk", GOOD, address="10.6.6.6").status_code == 429
        assert post_login(client, "clerk", GOOD, address="10.0.0.9").status_code == 302


def test_failures_count_across_workers(app, database_url, tmp_path):
    """Two app instances on one database stand for two gunicorn workers."""
    make_user("clerk", Role.STAFF, "market")
    worker_a, worker_b = (create_app(_config(database_url, tmp_path)).test_client() for _ in "ab")
    with frozen_at(T0):
        fail(worker_a, "clerk", 3)
        fail(worker_b, "clerk", 2)
        assert post_login(worker_a, "clerk", GOOD).status_code == 429


def test_failed_sign_in_is_audited_with_the_name_typed_and_the_address_never_the_password(client):
    user = make_user("clerk", Role.STAFF, "market")
    post_login(client, "clerk", "my secret guess", address="10.1.2.3")
    post_login(client, "nobody", "another secret", address="10.1.2.3")
    events = failures_audited()
    assert [(e.object_id, e.data) for e in events] == [
        (user.id, {"username": "clerk", "address": "10.1.2.3", "reason": "wrong_password"}),
        (None, {"username": "nobody", "address": "10.1.2.3", "reason": "unknown_user"}),
    ]
    everything = json.dumps([e.data for e in db.session.scalars(select(AuditEvent))], ensure_ascii=False)
    assert "secret" not in everything


def test_audited_name_is_stripped_of_control_characters_and_truncated(app):
    typed = "ad\u202emin\x07\x1b[31m" + "x" * 200
    with pytest.raises(SignInRefused):
        sign_in(typed, "whatever it is", "10.1.2.3", "test")
    db.session.commit()
    name = failures_audited()[0].data["username"]
    assert name.startswith("admin[31mxxx") and len(name) == 80


def test_deactivated_account_gets_the_answer_of_a_wrong_password(client):
    make_user("clerk", Role.STAFF, "market")
    gone = make_user("gone", Role.STAFF, "market")
    gone.active = False
    db.session.commit()
    wrong = post_login(client, "clerk", "not the password").get_data(as_text=True)
    deactivated = post_login(client, "gone", GOOD).get_data(as_text=True)
    assert "用户名或密码错误" in deactivated
    assert deactivated.replace("gone", "clerk") == wrong
    assert failures_audited()[-1].data["reason"] == "inactive"


def _seconds(action):
    start = time.perf_counter()
    try:
        action()
    except SignInRefused:
        pass
    finally:
        db.session.rollback()
    return time.perf_counter() - start


def test_deactivated_and_unknown_accounts_cost_a_full_password_check(app):
    app.config["FAST_PASSWORD_HASHES"] = False  # the production hasher: its cost is the point here
    make_user("clerk", Role.STAFF, "market")
    gone = make_user("gone", Role.STAFF, "market")
    gone.active = False
    db.session.commit()
    verify = min(_seconds(lambda: gone.check_password(GOOD)) for _ in range(3))
    costs = {
        name: _seconds(lambda name=name, pw=pw: sign_in(name, pw, "10.0.0.1", "test"))
        for name, pw in (("gone", GOOD), ("clerk", "wrong password"), ("ghost", GOOD))
    }
    assert all(cost >= verify / 2 for cost in costs.values()), (verify, costs)


def test_passwords_shorter_than_12_characters_are_refused(app):
    with pytest.raises(AccountError) as refused:
        create_user("short", "Short", Role.AUDITOR, None, "eleven-char", SYSTEM)
    assert refused.value.code == "password_too_short"
    user = create_user("long", "Long", Role.AUDITOR, None, "twelve-chars", SYSTEM)
    with pytest.raises(AccountError):
        change_password(user, "too short", SYSTEM)
    with pytest.raises(AccountError):
        make_user("via-tests", Role.AUDITOR, password="short")


def _legacy_demo_user():
    """A database seeded before the 12-character rule, with the old published password."""
    user = User(
        username="admin", display_name="admin", role=Role.ADMIN, password_hash=_hasher().hash("demo-2026")
    )
    db.session.add(user)
    db.session.commit()


@pytest.mark.parametrize("password", [DEMO_PASSWORD, "demo-2026"])
def test_demo_password_is_refused_in_production(app, client, runner, password):
    runner.invoke(args=["seed", "demo"]) if password == DEMO_PASSWORD else _legacy_demo_user()
    app.config["ENV_NAME"] = "production"
    page = post_login(client, "admin", password, lang="en").get_data(as_text=True)
    assert "The published demo password only works in development." in page
    assert failures_audited()[-1].data["reason"] == "demo_password"
    app.config["ENV_NAME"] = "development"
    assert post_login(client, "admin", password).status_code == 302


def test_demo_password_refusal_reveals_no_account(app, client):
    app.config["ENV_NAME"] = "production"
    page = post_login(client, "ghost", DEMO_PASSWORD, lang="en").get_data(as_text=True)
    assert "The published demo password only works in development." in page


def test_counters_quiet_for_an_hour_are_forgotten(client):
    from portal.accounts.models import SignInThrottle

    with frozen_at(T0):
        fail(client, "ghost", 1, address="10.0.0.7")
    with frozen_at(T0 + timedelta(hours=1, minutes=1)):
        fail(client, "clerk", 1, address="10.0.0.8")
    assert db.session.scalar(select(func.count()).select_from(SignInThrottle)) == 2  # clerk and 10.0.0.8


def test_a_nul_byte_in_the_name_is_an_ordinary_failure(app):
    """PostgreSQL refuses NUL in a query; the name is refused before it gets there."""
    with pytest.raises(SignInRefused) as refused:
        sign_in("adm\x00in", "whatever it is", "10.1.2.3", "test")
    db.session.commit()
    assert refused.value.code == "wrong_credentials"
    assert failures_audited()[0].data["username"] == "admin"
