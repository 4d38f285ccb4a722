"""Sessions end on the server: sign-out, leaving, timeouts and deactivation beat a copied cookie."""

from datetime import datetime, timedelta

from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.accounts.operations import change_password, deactivate_user
from portal.audit.chain import SYSTEM
from portal.audit.models import AuditEvent
from portal.clock import frozen_at
from portal.extensions import db
from portal.sessions.models import WebSession
from tests.conftest import intake_form, receipt_in

T0 = datetime(2026, 11, 20, 2, 0)  # naive UTC, 10:00 in Beijing


def copy_of(client, app):
    """A second browser holding a copy of the first one's cookie, as a thief would."""
    thief = app.test_client()
    for name, path in (("session", "/"), ("portal_staff", "/admin")):
        cookie = client.get_cookie(name, path=path)
        if cookie is not None:
            thief.set_cookie(name, cookie.value, path=path)
    return thief


def is_signed_out(response):
    return response.status_code == 302 and "/admin/login" in response.headers["Location"]


def staff_session():
    return db.session.scalar(select(WebSession).where(WebSession.kind == "staff"))


def user_events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_signed_out_cookie_no_longer_opens_admin(app, client, login_as):
    login_as(Role.STAFF, "market")
    thief = copy_of(client, app)
    assert thief.get("/admin/").status_code == 200  # the copy works while the session lives
    client.post("/admin/logout")
    assert is_signed_out(thief.get("/admin/"))
    assert staff_session().end_reason == "signed_out"


def test_cookie_holds_a_token_and_the_database_only_its_hash(app, client, login_as):
    login_as(Role.STAFF, "market")
    with client.session_transaction("/admin/") as cookie:
        token = cookie["staff_session"]
    assert len(token) >= 40 and token not in staff_session().token_hash


def test_staff_session_ends_after_30_idle_minutes(client, login_as):
    with frozen_at(T0):
        login_as(Role.STAFF, "market")
    with frozen_at(T0 + timedelta(minutes=29)):
        assert client.get("/admin/").status_code == 200
    with frozen_at(T0 + timedelta(minutes=29 + 31)):
        assert is_signed_out(client.get("/admin/"))
    assert staff_session().end_reason == "idle"
    assert [e.data["reason"] for e in user_events("user.session_expired")] == ["idle"]


def test_staff_session_ends_after_12_hours_however_busy(client, login_as):
    with frozen_at(T0):
        login_as(Role.STAFF, "market")
    for step in range(1, 12 * 3):  # a page every 20 minutes, all day
        with frozen_at(T0 + timedelta(minutes=20 * step)):
            assert client.get("/admin/").status_code == 200
    with frozen_at(T0 + timedelta(hours=12)):
        assert is_signed_out(client.get("/admin/"))
    assert staff_session().end_reason == "expired"
    assert [e.data["reason"] for e in user_events("user.session_expired")] == ["expired"]


def test_last_seen_is_written_at_most_once_a_minute(client, login_as):
    with frozen_at(T0):
        login_as(Role.STAFF, "market")
    with frozen_at(T0 + timedelta(seconds=30)):
        client.get("/admin/")
    assert staff_session().last_seen_at == T0
    with frozen_at(T0 + timedelta(seconds=90)):
        client.get("/admin/")
    assert staff_session().last_seen_at == T0 + timedelta(seconds=90)


def test_deactivated_user_is_signed_out_on_the_next_request(app, client, login_as):
    username = login_as(Role.STAFF, "market")
    user = db.session.scalar(select(User).where(User.username == username))
    deactivate_user(user, SYSTEM)
    db.session.commit()
    assert is_signed_out(client.get("/admin/"))
    assert staff_session().end_reason == "deactivated"
    assert [e.data["reason"] for e in user_events("user.session_ended")] == ["deactivated"]


def test_account_switched_off_in_the_database_also_ends_its_session(client, login_as):
    username = login_as(Role.STAFF, "market")
    db.session.scalar(select(User).where(User.username == username)).active = False
    db.session.commit()
    assert is_signed_out(client.get("/admin/"))
    assert staff_session().end_reason == "deactivated"


def test_password_change_ends_sessions_opened_with_the_old_one(client, login_as):
    username = login_as(Role.STAFF, "market")
    user = db.session.scalar(select(User).where(User.username == username))
    change_password(user, "a brand new passphrase", SYSTEM)
    db.session.commit()
    assert is_signed_out(client.get("/admin/"))
    assert staff_session().end_reason == "password_changed"
    assert [e.action for e in user_events("user.password_changed")] == ["user.password_changed"]


def test_cookie_of_one_user_cannot_be_relabelled_for_another(client, login_as):
    from tests.conftest import make_user

    login_as(Role.STAFF, "market")
    other = make_user("other.lead", Role.LEAD, "market")
    with client.session_transaction("/admin/") as cookie:
        cookie["_user_id"] = str(other.id)  # the staff token, claimed for someone else
    assert is_signed_out(client.get("/admin/"))


# ---- citizens following a report ------------------------------------------------------------


def open_report(client):
    number, key = receipt_in(client.post("/report/new", data=intake_form()).get_data(as_text=True))
    assert client.post("/track", data={"number": number, "access_key": key}).status_code == 302


def is_back_at_track(response):
    return response.status_code == 302 and response.headers["Location"].endswith("/track")


def test_copied_tracking_cookie_stops_working_after_leaving(app, client):
    open_report(client)
    thief = copy_of(client, app)
    assert thief.get("/track/status").status_code == 200
    client.post("/track/end")
    assert is_back_at_track(thief.get("/track/status"))
    assert db.session.scalar(select(WebSession.end_reason)) == "left"


def test_tracking_session_ends_after_30_idle_minutes_on_the_server(client):
    with frozen_at(T0):
        open_report(client)
    with frozen_at(T0 + timedelta(minutes=29)):
        assert client.get("/track/status").status_code == 200
    with frozen_at(T0 + timedelta(minutes=29 + 31)):
        assert is_back_at_track(client.get("/track/status"))
    assert db.session.scalar(select(WebSession.end_reason)) == "idle"


def test_opening_another_report_closes_the_first(client):
    open_report(client)
    open_report(client)
    reasons = db.session.scalars(select(WebSession.end_reason).order_by(WebSession.id)).all()
    assert reasons == ["replaced", None]
    assert client.get("/track/status").status_code == 200


def test_the_sweep_removes_session_records_older_than_30_days_and_keeps_newer_ones(app, runner, client):
    """Kept for investigations, then removed by the hourly sweep (not on every sign-in)."""
    number, key = receipt_in(client.post("/report/new", data=intake_form()).get_data(as_text=True))
    with frozen_at(datetime(2026, 9, 1, 8, 0)):
        client.post("/track", data={"number": number, "access_key": key})
    client.post("/track", data={"number": number, "access_key": key})
    assert db.session.query(WebSession).count() == 2
    result = runner.invoke(args=["deadlines", "sweep"])
    assert result.exit_code == 0 and "1 session records older than 30 days" in result.output
    db.session.expire_all()
    assert [s.created_at.date() >= datetime(2026, 11, 1).date() for s in db.session.query(WebSession)] == [
        True
    ]
