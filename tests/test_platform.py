"""Health, configuration, error pages, languages and the migrations."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from portal import create_app
from portal.config import ROOT
from portal.extensions import db
from tests.conftest import _config


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


@pytest.fixture
def app_without_database(tmp_path):
    # Nothing listens on port 1: every connection is refused at once.
    return create_app(_config("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path))


def test_healthz_503_when_database_unreachable(app_without_database):
    response = app_without_database.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_pages_show_a_clear_503_not_a_stack_trace(app_without_database):
    response = app_without_database.test_client().get("/report/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "暂时" in page and "Traceback" not in page and "sqlite" not in page.lower()


def test_configuration_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "test")
    monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "ev"))
    monkeypatch.setenv("MAX_UPLOAD_MB", "7")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    app = create_app()
    assert app.config["EVIDENCE_DIR"] == str(tmp_path / "ev")
    assert app.config["MAX_CONTENT_LENGTH"] == 7 * 1024 * 1024
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite3")


def test_chinese_is_the_default_and_english_is_remembered(client):
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)
    english = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "File a report" in english
    assert "File a report" in client.get("/report/new").get_data(as_text=True)  # remembered
    back = client.get("/?lang=zh_CN").get_data(as_text=True)
    assert '<html lang="zh-CN">' in back and "我要投诉举报" in back


def test_language_switch_is_visible_on_every_page(client):
    assert 'href="?lang=en"' in client.get("/").get_data(as_text=True)
    assert 'href="?lang=zh_CN"' in client.get("/track?lang=en").get_data(as_text=True)


def test_every_translatable_string_has_a_chinese_translation():
    """Extract strings from the code as `make extract` does; each needs a zh_CN translation."""
    with open(ROOT / "portal/translations/zh_Hans_CN/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    method_map = [
        ("portal/**.py", "python"),
        ("admin/**.py", "python"),
        ("portal/**/templates/**.html", "jinja2"),
        ("admin/templates/**.html", "jinja2"),
    ]
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None}
    missing = []
    for path in ("portal", "admin"):
        for filename, _lineno, message, _comments, _ctx in extract_from_dir(
            str(ROOT / path),
            method_map=[(p.split("/", 1)[1], m) for p, m in method_map if p.startswith(path)],
            keywords=keywords,
        ):
            msgid = message if isinstance(message, str) else message[0]
            entry = catalog.get(msgid)
            if entry is None or not entry.string or entry.fuzzy:
                missing.append(f"{path}/{filename}: {msgid}")
    assert missing == [], "run `make extract` and translate:\n" + "\n".join(missing)


# SQLite cannot reflect expression indexes (uq_routing_rules_category_region): Alembic skips them
# there, and compares them on PostgreSQL; tests/test_migrations.py checks them on both.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_models_match_the_migrations(app):
    """`flask db upgrade` built this database; the models must describe exactly that schema.

    Alembic cannot compare CHECK constraints or triggers: tests/test_migrations.py covers those.
    """
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_unexpected_error_gives_a_translated_500_page(app, client, monkeypatch):
    from portal.site import tracking

    app.config["PROPAGATE_EXCEPTIONS"] = False  # behave as in production

    def boom():
        raise RuntimeError("bug")

    monkeypatch.setattr(tracking, "render_template", lambda *a, **k: boom())  # fault injection
    response = client.get("/track")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "12315" in page and "出错" in page and "RuntimeError" not in page


def test_other_http_errors_are_explained_in_chinese(client):
    response = client.put("/report/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 405
    assert "Method Not Allowed" not in page and "12315" in page


def test_identity_encryption_keys_rotate(app, database_url, tmp_path):
    """A new key goes in front of DATA_KEYS; rows written under the old key still decrypt."""
    from cryptography.fernet import Fernet, InvalidToken
    from sqlalchemy import select, text

    from portal.reports.models import Report
    from portal.reports.operations import submit_report
    from portal.reports.receipts import new_submission_token
    from tests.conftest import make_intake

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with create_app(_config(database_url, tmp_path) | {"DATA_KEYS": old}).app_context():
        submit_report(make_intake(anonymous=False, reporter_name="王小明"), [], new_submission_token())
        db.session.commit()
        db.session.remove()
    with create_app(_config(database_url, tmp_path) | {"DATA_KEYS": f"{new},{old}"}).app_context():
        report = db.session.scalar(select(Report))
        assert report.primary_reporter.name == "王小明"
        report.primary_reporter.name = "王小明 "  # re-written: now under the new key
        db.session.commit()
        raw = db.session.execute(text("SELECT name FROM reporters")).scalar_one()
        assert Fernet(new.encode()).decrypt(raw.encode()).decode() == "王小明 "
        db.session.remove()
    with create_app(_config(database_url, tmp_path) | {"DATA_KEYS": old}).app_context():
        with pytest.raises(InvalidToken):  # the old key alone cannot read the re-written row
            db.session.scalar(select(Report)).primary_reporter.name  # noqa: B018
        db.session.remove()
