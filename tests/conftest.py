"""Shared fixtures. The suite runs on SQLite, and on PostgreSQL when TEST_DATABASE=postgresql
(the Makefile sets it for the second pass, with TEST_DATABASE_URL)."""

import io
import os
import shutil

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import create_engine, text

from portal import create_app
from portal.extensions import db

ON_POSTGRES = os.environ.get("TEST_DATABASE") == "postgresql"
SECRET = "test-secret-key-that-is-long-enough-0123456789"
def _config(database_url, tmp_path):
    return {
        "TESTING": True,
        "ENV_NAME": "test",
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "AUDIT_HEADS_FILE": str(tmp_path / "audit-heads.jsonl"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Cheapest argon2 parameters: hundreds of sign-ins; tests/test_sign_in.py checks the real cost.
        "FAST_PASSWORD_HASHES": True,
    }


def _build_schema(app):
    from portal.directory.loader import load_reference_data

    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """SQLite: a migrated, seeded file copied per test. PostgreSQL: a migrated, seeded schema
    whose rows are remembered, so each test can start from them again (see _reset_postgres)."""
    base = tmp_path_factory.mktemp("db")
    if ON_POSTGRES:
        url = os.environ["TEST_DATABASE_URL"]
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        app = create_app(_config(url, base))
        _build_schema(app)
        with app.app_context():
            _PG_START.update(_take_snapshot())
            db.engine.dispose()
        return url
    template = base / "template.sqlite3"
    _build_schema(create_app(_config(f"sqlite:///{template}", base)))
    return template


# PostgreSQL's starting point, taken once: every table, the rows the seeded schema holds (reference
# data, its audit event, the chain head) and where each sequence stood. Restoring these rows is
# ten times faster than loading the reference data again through the loader for every test.
_PG_START = {}


def _take_snapshot():
    from sqlalchemy import MetaData

    metadata = MetaData()
    metadata.reflect(db.engine)
    tables = [t for t in metadata.sorted_tables if t.name != "alembic_version"]
    rows = [(t, db.session.execute(t.select()).mappings().all()) for t in tables]
    sequences = db.session.execute(
        text("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences")
    )
    # setval(…, false) for a sequence never used: its next value is its start again.
    restart = ", ".join(
        f"setval('{name}', {value}, true)" if value is not None else f"setval('{name}', 1, false)"
        for name, value in sequences
    )
    return {
        # DELETE, not TRUNCATE: on tables this small it is several times faster, and with triggers
        # off (replica role) the foreign keys do not care in which order the tables are emptied.
        "empty": "; ".join(f"DELETE FROM {t.name}" for t in tables),
        "rows": [(t, [dict(r) for r in found]) for t, found in rows if found],
        "sequences": f"SELECT {restart}" if restart else None,
    }


def _reset_postgres(app):
    with app.app_context():
        # Triggers off for the reset alone: the audit tables refuse DELETE (migration 0004) and the
        # chain head only advances to an event that exists.
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        db.session.execute(text(_PG_START["empty"]))
        for table, rows in _PG_START["rows"]:
            db.session.execute(table.insert(), rows)
        if _PG_START["sequences"]:
            db.session.execute(text(_PG_START["sequences"]))
        db.session.execute(text("SET LOCAL session_replication_role = DEFAULT"))
        db.session.commit()


@pytest.fixture
def database_url(database_template, tmp_path):
    if ON_POSTGRES:
        return database_template
    copy = tmp_path / "test.sqlite3"
    shutil.copyfile(database_template, copy)
    return f"sqlite:///{copy}"


FORM_BINDING = "test-form-binding"


def bind_form_session(client, binding=FORM_BINDING):
    """Give a client's session the intake-token binding that intake_form() tokens are made for,
    as if this browser had opened the form (IsolatedClient does it before its first request)."""
    from portal.site.intake import FORM_SESSION

    client._form_bound = True
    with client.session_transaction() as session:
        session[FORM_SESSION] = binding


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production, even though the test holds
    one open (otherwise g — the cached locale, the signed-in user — and the db session would
    leak from one request to the next and hide bugs). Responses are read inside that context
    (buffered), as a server reads a streamed one before the request's context is gone; a stream
    left unread would otherwise push its context over the test's later."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        if not getattr(self, "_form_bound", False):
            self._form_bound = True
            bind_form_session(self)
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            if _cv_app.get(None) is not None:
                db.session.expire_all()  # see what the request committed


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(_config(database_url, tmp_path))
    app.test_client_class = IsolatedClient
    if ON_POSTGRES:
        _reset_postgres(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def redis_url():
    """The tests' own Redis database, or skip: .ci/run starts Redis, a bare laptop may not have it."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"no Redis at {url} (.ci/run starts one)")
    return url


# ---- factories -----------------------------------------------------------------------------


def jpeg_with_gps(size=(64, 48), color=(200, 30, 30)):
    """A real JPEG carrying EXIF camera and GPS tags, as a phone would send."""
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    gps = {1: "N", 2: (30.0, 15.0, 20.0), 3: "E", 4: (120.0, 9.0, 10.0)}
    exif[0x8825] = gps  # GPSInfo
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def png_bytes(size=(32, 32)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes():
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def fake_exe():
    """Windows executable header: what a disguised .jpg really is."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def lookup(model, code):
    from sqlalchemy import select

    return db.session.scalar(select(model).where(model.code == code))


def intake_form(**overrides):
    """A valid intake form as the browser posts it (ids resolved from reference codes), with a
    token issued to the session of any IsolatedClient (see bind_form_session)."""
    from portal.directory.models import Category, Region
    from portal.reports.receipts import issue_submission_token

    form = {
        "kind": "tip",
        "category": str(lookup(Category, "food.catering").id),
        "district": str(lookup(Region, "330105").id),
        "business_name": "老街坊餐馆",
        "business_address": "文三路 88 号",
        "business_licence": "",
        "description": "后厨卫生很差，员工不戴口罩直接处理熟食。",
        "occurred_on": "2026-11-01",
        "identity": "anonymous",
        "contact_email": "",
        "submission_token": issue_submission_token(FORM_BINDING),
    }
    form.update(overrides)
    return form


# What a complaint must carry besides a tip-off's fields (Art. 9): identity, address, demand.
COMPLAINT_FORM = {
    "kind": "complaint",
    "identity": "real_name",
    "reporter_name": "王小明",
    "reporter_phone": "13912345678",
    "reporter_address": "杭州市西湖区文三路 100 号",
    "demand": "refund",
    "demand_amount": "128.50",
}


def complaint_form(**overrides):
    """A valid complaint form: intake_form() with the complainant and the demand filled in."""
    return intake_form(**(COMPLAINT_FORM | overrides))


def make_intake(**overrides):
    """IntakeData for calling operations directly (a complaint gets what a complaint must carry)."""
    from decimal import Decimal

    from portal.directory.models import Category, Region
    from portal.reports.operations import IntakeData

    if overrides.get("kind") == "complaint":
        overrides = {
            "anonymous": False,
            "reporter_name": "王小明",
            "reporter_phone": "13912345678",
            "reporter_address": "杭州市西湖区文三路 100 号",
            "business_address": "文三路 88 号",
            "demand": "refund",
            "demand_amount": Decimal("128.50"),
        } | overrides

    values = dict(
        kind="tip",
        category=lookup(Category, "food.catering"),
        region=lookup(Region, "330105"),
        business_name="老街坊餐馆",
        business_address=None,
        business_licence=None,
        description="后厨卫生很差，员工不戴口罩。",
        occurred_on=None,
        anonymous=True,
        reporter_name=None,
        reporter_phone=None,
        reporter_id_number=None,
        contact_email=None,
        wants_reward=False,
        language="zh_CN",
    )
    values.update(overrides)
    return IntakeData(**values)


def make_user(username, role, department_code=None, password="correct horse battery"):
    from portal.accounts.models import User
    from portal.directory.models import Department

    dept = lookup(Department, department_code) if department_code else None
    user = User(username=username, display_name=username, role=role, department=dept)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


# The TOTP secret every login_as() user of a second-factor role is enrolled with.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol_totp(user, secret=TEST_TOTP_SECRET):
    """Enrol a user as if they had scanned the QR code and confirmed a first code long ago."""
    from datetime import datetime

    user.totp_secret, user.totp_confirmed_at = secret, datetime(2026, 1, 1)
    db.session.commit()


def current_totp(secret=TEST_TOTP_SECRET):
    from portal.accounts.totp import code_at
    from portal.clock import utcnow

    return code_at(secret, utcnow())


def sign_in_through_forms(browser, user):
    """Sign a user in with the real forms: password, then the TOTP step where the role needs it."""
    from portal.accounts.models import SECOND_FACTOR_ROLES

    needs_code = user.role in SECOND_FACTOR_ROLES
    if needs_code and user.totp_confirmed_at is None:
        enrol_totp(user)
    response = browser.post(
        "/admin/login", data={"username": user.username, "password": "correct horse battery"}
    )
    assert response.status_code == 302, response.data
    if needs_code:
        response = browser.post("/admin/login/code", data={"code": current_totp()})
        assert response.status_code == 302 and response.headers["Location"].endswith("/admin/"), response.data
    return browser


@pytest.fixture
def login_as(client):
    """login_as(role, department_code) signs a fresh staff user in through the real forms."""

    def login(role, department_code=None):
        username = f"{role}-{department_code or 'all'}"
        sign_in_through_forms(client, make_user(username, role, department_code))
        return username

    return login


def receipt_in(page):
    """(number, access key) from a receipt page's HTML."""
    import re

    number = re.search(r'id="receipt-number">(JB|TS)(-\d{4}-\d{6})<', page)
    key_html = re.search(r'id="receipt-key">(.*?)</div>', page)
    key = re.sub(r"<[^>]+>", "", key_html.group(1)) if key_html else None
    return (number.group(1) + number.group(2) if number else None), key
