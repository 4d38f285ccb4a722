"""Start-up fails closed: known environments only, real keys outside development, one job per key,
private files, client addresses behind a proxy, shared rate-limit counters."""

import importlib
import io
import os
import stat
import sys
import uuid

import pytest
from cryptography.fernet import Fernet

from portal import create_app
from portal.config import ConfigError
from portal.extensions import db
from portal.keys import DEV_DATA_KEY, DEV_SECRET, new_environment
from tests.conftest import _config, intake_form, jpeg_with_gps, pdf_bytes, redis_url

ALL_SECRETS = ("SECRET_KEY", "DATA_KEYS", "RECEIPT_KEYS", "AUDIT_KEYS")


def production_env():
    """What `python -m portal.keys` prints, as a mapping, plus the shared rate-limit storage."""
    values = dict(line.split("=", 1) for line in new_environment().splitlines())
    return values | {
        "PORTAL_ENV": "production",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "MAIL_SERVER": "smtp.example.gov.cn",
    }


@pytest.fixture
def environ(monkeypatch, tmp_path):
    """A clean process environment (no secrets), with files under tmp_path."""
    for name in (*ALL_SECRETS, "PORTAL_ENV", "RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED", "TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite3")
    monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "evidence"))

    def set_all(values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_all


@pytest.mark.parametrize("env", [None, "", "prod", "Production", "staging", "dev"])
def test_unknown_or_missing_environment_refuses_to_start(environ, env):
    if env is not None:
        environ({"PORTAL_ENV": env})
    with pytest.raises(ConfigError, match="PORTAL_ENV is .*development, test, production"):
        create_app()


def test_the_gunicorn_entry_refuses_the_development_secret_unless_development_is_chosen(environ):
    sys.modules.pop("wsgi", None)
    environ({"PORTAL_ENV": "test"})
    with pytest.raises(ConfigError, match="needs its own SECRET_KEY"):
        importlib.import_module("wsgi")
    environ({"PORTAL_ENV": "development"})
    assert importlib.import_module("wsgi").app.config["SECRET_KEY"] == DEV_SECRET
    sys.modules.pop("wsgi", None)


@pytest.mark.parametrize("missing", ALL_SECRETS)
def test_production_names_each_missing_secret(environ, missing):
    values = production_env()
    del values[missing]
    environ(values)
    with pytest.raises(ConfigError, match=f"production needs {missing}"):
        create_app()


def test_production_starts_with_a_full_set_of_keys(environ):
    environ(production_env())
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    "setting, value",
    [
        ("SECRET_KEY", DEV_SECRET),
        ("DATA_KEYS", DEV_DATA_KEY),
        ("RATELIMIT_STORAGE_URI", "memory://"),
        ("RATELIMIT_ENABLED", "false"),
    ],
)
def test_production_refuses_development_values(environ, setting, value):
    environ(production_env() | {setting: value})
    with pytest.raises(ConfigError, match=setting):
        create_app()


@pytest.mark.parametrize(
    "setting, value, says",
    [
        ("SECRET_KEY", "a" * 64, "repeats too few characters"),
        ("SECRET_KEY", "short-but-random-Xy7", "shorter than 32"),
        ("DATA_KEYS", "not-a-fernet-key", "DATA_KEYS entry 1 is not a Fernet key"),
        ("DATA_KEYS", f"{Fernet.generate_key().decode()},broken", "DATA_KEYS entry 2"),
        ("RECEIPT_KEYS", "no-id-here-just-a-long-random-secret-value-123", "id:secret"),
        ("RECEIPT_KEYS", "r1:too-short", "RECEIPT_KEYS key 'r1' is shorter"),
        ("AUDIT_KEYS", "a1:" + "z" * 40, "repeats too few characters"),
        ("AUDIT_KEYS", "a1:first-long-random-secret-0123456789,a1:other-long-random-secret-xyz987", "twice"),
    ],
)
@pytest.mark.parametrize("env", ["test", "production"])
def test_a_malformed_key_refuses_to_start_instead_of_failing_later(environ, env, setting, value, says):
    environ(production_env() | {"PORTAL_ENV": env, setting: value})
    with pytest.raises(ConfigError, match=says):
        create_app()


def test_one_key_cannot_do_two_jobs(environ):
    values = production_env()
    secret = values["SECRET_KEY"]
    environ(values | {"RECEIPT_KEYS": f"r1:{secret}"})
    with pytest.raises(ConfigError, match="RECEIPT_KEYS reuses a key of SECRET_KEY"):
        create_app()


def test_identity_encryption_key_never_derives_from_the_session_secret(app, database_url, tmp_path):
    """Two development apps with different SECRET_KEYs read the same identity rows: the data key
    is a separate (published development) key, not a function of SECRET_KEY."""
    from sqlalchemy import select

    from portal.reports.models import Report
    from portal.reports.operations import submit_report
    from portal.reports.receipts import new_submission_token
    from tests.conftest import make_intake

    first = _config(database_url, tmp_path) | {"DATA_KEYS": "", "SECRET_KEY": "first-" + uuid.uuid4().hex * 2}
    with create_app(first).app_context():
        number = submit_report(
            make_intake(anonymous=False, reporter_name="李雷"), [], new_submission_token()
        ).report.number
        db.session.commit()
        db.session.remove()
    second = first | {"SECRET_KEY": "second-" + uuid.uuid4().hex * 2}
    with create_app(second).app_context():
        filed = db.session.scalar(select(Report).where(Report.number == number))
        assert filed.primary_reporter.name == "李雷"
        db.session.remove()


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_and_evidence_files_are_private_to_the_service_user(app, client, tmp_path):
    fresh = tmp_path / "new-instance" / "portal.sqlite3"
    create_app(_config(f"sqlite:///{fresh}", tmp_path))
    assert _mode(fresh) == 0o600 and _mode(fresh.parent) == 0o700

    files = [(io.BytesIO(jpeg_with_gps()), "photo.jpg"), (io.BytesIO(pdf_bytes()), "receipt.pdf")]
    response = client.post(
        "/report/new", data=intake_form(evidence=files), content_type="multipart/form-data"
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    evidence_root = app.config["EVIDENCE_DIR"]
    seen_files = 0
    for folder, _dirs, names in os.walk(evidence_root):
        assert _mode(folder) == 0o700, folder
        for name in names:
            assert _mode(os.path.join(folder, name)) == 0o600, name
            seen_files += 1
    assert seen_files == 2


def _limited_app(database_url, tmp_path, **overrides):
    config = _config(database_url, tmp_path) | {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RECEIPT_LOOKUP_LIMIT": "2 per minute",
    }
    return create_app(config | overrides)


def _lookups(app, forwarded_for, count=3):
    client = app.test_client()
    return [
        client.post(
            "/track",
            data={"number": "JB-2026-000001", "access_key": "WRONG"},
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code
        for _ in range(count)
    ]


def test_behind_a_trusted_proxy_each_citizen_has_their_own_lookup_budget(database_url, tmp_path):
    app = _limited_app(database_url, tmp_path, TRUSTED_PROXIES=1)
    assert _lookups(app, "203.0.113.7") == [404, 404, 429]
    assert _lookups(app, "198.51.100.9") == [404, 404, 429]  # another citizen, same proxy


def test_without_trusted_proxies_a_forged_forwarded_header_buys_no_extra_attempts(database_url, tmp_path):
    app = _limited_app(database_url, tmp_path)  # TRUSTED_PROXIES=0: the header is ignored
    assert _lookups(app, "203.0.113.7") == [404, 404, 429]
    assert _lookups(app, "198.51.100.9", count=1) == [429]


def test_two_workers_on_redis_share_one_budget(database_url, tmp_path):
    """Two app instances stand for two gunicorn workers; with Redis they count together."""
    shared = {"RATELIMIT_STORAGE_URI": redis_url(), "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    first = _limited_app(database_url, tmp_path, **shared)
    second = _limited_app(database_url, tmp_path, **shared)
    assert _lookups(first, "x", count=2) == [404, 404]
    assert _lookups(second, "x", count=1) == [429]


def test_cheap_password_hashes_are_refused_in_production(environ, tmp_path):
    from portal.accounts.models import User

    environ(production_env())
    with pytest.raises(ConfigError, match="FAST_PASSWORD_HASHES is for the test suite"):
        create_app({"FAST_PASSWORD_HASHES": True})
    # Without it, a password is hashed with the full argon2id parameters (64 MiB, 3 passes).
    with create_app().app_context():
        user = User(username="u", display_name="u")
        user.set_password("a long enough password")
    assert "$m=65536,t=3,p=4$" in user.password_hash
