"""The back office has its own cookie (name, path, SameSite=Strict) and no page is cached."""

from portal.accounts.models import Role
from tests.conftest import make_user


def set_cookies(response):
    return response.headers.getlist("Set-Cookie")


def sent_cookies(response):
    return response.request.environ.get("HTTP_COOKIE", "")


def test_staff_cookie_is_strict_and_kept_to_admin(client):
    make_user("clerk", Role.STAFF, "market")
    response = client.post("/admin/login", data={"username": "clerk", "password": "correct horse battery"})
    (cookie,) = set_cookies(response)
    assert cookie.startswith("portal_staff=")
    assert "Path=/admin" in cookie and "SameSite=Strict" in cookie and "HttpOnly" in cookie
    assert "Secure" not in cookie  # plain http in development and tests


def test_staff_cookie_is_secure_in_production(app, client):
    make_user("clerk", Role.STAFF, "market")
    app.config["ENV_NAME"] = "production"
    response = client.post("/admin/login", data={"username": "clerk", "password": "correct horse battery"})
    (cookie,) = set_cookies(response)
    assert "; Secure" in cookie


def test_citizen_cookie_keeps_its_name_path_and_lax(client):
    (cookie,) = [c for c in set_cookies(client.get("/?lang=en")) if c.startswith("session=")]
    assert cookie.startswith("session=") and "Path=/" in cookie and "SameSite=Lax" in cookie


def test_staff_cookie_never_reaches_the_citizen_pages_nor_the_citizen_session_admin(client, login_as):
    client.get("/?lang=en")
    login_as(Role.STAFF, "market")
    citizen = sent_cookies(client.get("/"))
    assert "portal_staff=" not in citizen and "session=" in citizen
    assert "portal_staff=" in sent_cookies(client.get("/admin/"))
    # The browser still sends the citizen cookie (path /) to /admin, but it is never read there.
    with client.session_transaction("/admin/") as staff:
        assert "staff_session" in staff and "intake_form" not in staff
    with client.session_transaction("/") as citizen_session:
        assert "staff_session" not in citizen_session and "intake_form" in citizen_session


def test_a_staff_cookie_under_the_citizen_name_opens_nothing(app, client, login_as):
    login_as(Role.STAFF, "market")
    value = client.get_cookie("portal_staff", path="/admin").value
    thief = app.test_client()
    thief.set_cookie("session", value, path="/")
    assert thief.get("/admin/").headers["Location"].startswith("/admin/login")
    thief.set_cookie("portal_staff", value, path="/admin")
    assert thief.get("/admin/").status_code == 200


def test_a_citizen_cookie_renamed_for_the_back_office_is_not_accepted(app, client, login_as):
    """The staff cookie is signed with a salt of its own: a citizen cookie cannot pass for one."""
    login_as(Role.STAFF, "market")
    genuine = app.test_client()
    genuine.set_cookie("portal_staff", client.get_cookie("portal_staff", path="/admin").value, path="/admin")
    with genuine.session_transaction("/admin/") as staff:
        assert "staff_session" in staff
    with client.session_transaction("/") as citizen:
        citizen["_user_id"] = "1"
        citizen["staff_session"] = "forged"
    value = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("portal_staff", value, path="/admin")
    with thief.session_transaction("/admin/") as staff:
        assert "staff_session" not in staff


def test_every_admin_page_says_no_store(app, client, login_as):
    assert client.get("/admin/login").headers["Cache-Control"] == "no-store"
    assert client.get("/admin/").headers["Cache-Control"] == "no-store"  # the redirect too
    login_as(Role.LEAD, "market")
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.") and "GET" in rule.methods:
            url = rule.build({name: 1 for name in rule.arguments})[1]
            assert client.get(url).headers["Cache-Control"] == "no-store", url
    assert client.get("/admin/no-such-page").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
