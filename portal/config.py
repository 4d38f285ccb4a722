"""Settings, read only from environment variables (12-factor), with safe development defaults."""

import os
from pathlib import Path

from portal.clock import LOCAL_TZ_NAME

DEV_SECRET = "dev-secret-change-me"
ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


class ConfigError(RuntimeError):
    """Raised when the environment cannot run the app safely."""


def _env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value else default


def from_environment():
    """Build the config mapping from os.environ."""
    env = os.environ.get("PORTAL_ENV", "development")
    max_upload_mb = _env_int("MAX_UPLOAD_MB", 50)
    return {
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET),
        # Fernet keys for identity fields, comma-separated, newest first (MultiFernet rotation).
        "DATA_KEYS": os.environ.get("DATA_KEYS", ""),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'portal.sqlite3'}"),
        "EVIDENCE_DIR": os.environ.get("EVIDENCE_DIR", str(INSTANCE / "evidence")),
        "MAX_UPLOAD_MB": max_upload_mb,
        "MAX_FILE_MB": _env_int("MAX_FILE_MB", 20),
        "MAX_CONTENT_LENGTH": max_upload_mb * 1024 * 1024,
        "MAX_EVIDENCE_FILES": 5,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RECEIPT_LOOKUP_LIMIT": os.environ.get("RECEIPT_LOOKUP_LIMIT", "10 per minute;60 per hour"),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": LOCAL_TZ_NAME,
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "portal" / "translations"),
        "LANGUAGES": ["zh_CN", "en"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "WTF_CSRF_TIME_LIMIT": None,
    }


def check_production(config):
    """Refuse to run in production with development secrets; say which setting is wrong."""
    if config["ENV_NAME"] != "production":
        return
    if config["SECRET_KEY"] in ("", DEV_SECRET) or len(config["SECRET_KEY"]) < 32:
        raise ConfigError(
            "PORTAL_ENV=production but SECRET_KEY is the development default or shorter "
            "than 32 characters; set SECRET_KEY to a long random value."
        )
    if not config["DATA_KEYS"]:
        raise ConfigError(
            "PORTAL_ENV=production but DATA_KEYS is empty; set it to one or more Fernet keys "
            "(newest first) so reporter identities are encrypted with a real key."
        )
