"""What wrk sends: cookies, CSRF tokens and one-time submission tokens made by the product itself.

Nothing in the product is relaxed: a test client fetches the form (as a browser would) to get a
session cookie and its CSRF token; the submission tokens are issued for that session's binding by
`issue_submission_token`, exactly as the form page would issue them, one per request.
"""

import io
import re
from urllib.parse import urlencode

from portal.reports.receipts import issue_submission_token

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Staff sessions are bound to the browser (Flask-Login's "strong" protection hashes the address
# and the User-Agent): the test client that signs in and wrk send the same one.
USER_AGENT = "portal-bench"
BOUNDARY = "benchboundary7MA4YWxkTrZu0gW"


def _page(client, path):
    """(session cookie, csrf token) of a fresh browser that opened `path`."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    token = CSRF.search(response.get_data(as_text=True)).group(1)
    return client.get_cookie("session").value, token


def _binding(app, cookie):
    """The intake-token binding the form put in this session (read with the app's own serializer)."""
    return app.session_interface.get_signing_serializer(app).loads(cookie)["intake_form"]


def tip_fields(category_id, district_id, csrf):
    """An anonymous tip-off as the browser posts it, without its submission token."""
    return {
        "csrf_token": csrf,
        "kind": "tip",
        "category": str(category_id),
        "district": str(district_id),
        "business_name": "老街坊餐馆",
        "business_address": "文三路 88 号",
        "business_licence": "",
        "description": "后厨卫生很差，员工不戴口罩直接处理熟食。",
        "occurred_on": "",
        "identity": "anonymous",
        "contact_email": "",
    }


def submission(app, category_id, district_id, tokens):
    """(cookie, form fields, `tokens` fresh submission tokens) for one browser session."""
    with app.test_client() as client:
        cookie, csrf = _page(client, "/report/new")
    binding = _binding(app, cookie)
    with app.app_context():
        issued = [issue_submission_token(binding) for _ in range(tokens)]
    return cookie, tip_fields(category_id, district_id, csrf), issued


def urlencoded_parts(fields):
    """Body before and after the token for application/x-www-form-urlencoded."""
    return (urlencode(fields) + "&submission_token=").encode(), b""


def multipart_parts(fields, filename, data):
    """Body before and after the token for multipart/form-data with one file."""
    head = io.BytesIO()
    for name, value in fields.items():
        head.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        head.write(f"{value}\r\n".encode())
    head.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="submission_token"\r\n\r\n'.encode())
    tail = (
        f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="evidence"; filename="{filename}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    tail += data + f"\r\n--{BOUNDARY}--\r\n".encode()
    return head.getvalue(), tail


def photo(megabytes=2):
    """A JPEG of about `megabytes` MB (noise does not compress; a camera photo is about as big)."""
    import os

    from PIL import Image

    side = int(1500 * (megabytes / 2) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def lookup(app, receipts):
    """(cookie, bodies): one lookup body per known receipt, all with this session's CSRF token."""
    with app.test_client() as client:
        cookie, csrf = _page(client, "/track")
    bodies = [
        urlencode({"csrf_token": csrf, "number": r.number, "access_key": r.access_key}) for r in receipts
    ]
    return cookie, bodies


def tracking_cookies(app, receipts):
    """One browser per receipt that opened its report: their cookies show the status page."""
    cookies = []
    for receipt in receipts:
        with app.test_client() as client:
            _cookie, csrf = _page(client, "/track")
            fields = {"csrf_token": csrf, "number": receipt.number, "access_key": receipt.access_key}
            response = client.post("/track", data=fields)
            assert response.status_code == 302, response.status_code
            cookies.append(client.get_cookie("session").value)
    return cookies


def staff_cookie(app, username, password, totp_secret=None):
    """`portal_staff=…` of a staff member signed in through the real forms: the password, then,
    for a role that needs it (leads), the code an authenticator app holding `totp_secret` shows
    now (pyotp, as the phone computes it)."""
    import pyotp

    from admin.session_cookie import STAFF_COOKIE, STAFF_PREFIX

    with app.test_client() as client:
        client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
        response = client.get("/admin/login")
        csrf = CSRF.search(response.get_data(as_text=True)).group(1)
        fields = {"csrf_token": csrf, "username": username, "password": password}
        response = client.post("/admin/login", data=fields)
        assert response.status_code == 302, response.status_code
        if totp_secret is not None:
            assert response.location.endswith("/admin/login/code"), response.location
            page = client.get("/admin/login/code")
            csrf = CSRF.search(page.get_data(as_text=True)).group(1)
            code = pyotp.TOTP(totp_secret).now()
            response = client.post("/admin/login/code", data={"csrf_token": csrf, "code": code})
            assert response.status_code == 302, response.status_code
        assert "/login" not in response.location, response.location
        assert client.get("/admin/queue").status_code == 200
        return f"{STAFF_COOKIE}={client.get_cookie(STAFF_COOKIE, path=STAFF_PREFIX).value}"
