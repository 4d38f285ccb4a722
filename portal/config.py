"""Settings, read only from environment variables (12-factor). Fails closed: only an explicitly
chosen development or test environment runs on the published development keys."""

import os
from pathlib import Path

from limits import parse_many

from portal.clock import LOCAL_TZ_NAME
from portal.keys import (
    DEV_AUDIT_KEYS,
    DEV_DATA_KEY,
    DEV_RECEIPT_KEYS,
    DEV_SECRET,
    BadKey,
    check_secret,
    parse_fernet_keys,
    parse_keyring,
)

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"
ENVIRONMENTS = ("development", "test", "production")
# The settings that hold secrets; none may repeat another.
SECRET_SETTINGS = ("SECRET_KEY", "DATA_KEYS", "RECEIPT_KEYS", "AUDIT_KEYS")
LIMIT_SETTINGS = (
    "RECEIPT_LOOKUP_LIMIT",
    "SUBMISSION_LIMIT",
    "SUPPLEMENT_LIMIT",
    "UPLOAD_MB_PER_SESSION",
    "UPLOAD_MB_PER_ADDRESS",
    "RECEIPT_EMAIL_LIMIT",
    "API_TOKEN_LIMIT",
)


class ConfigError(RuntimeError):
    """Raised when the environment cannot run the app safely."""


def _env_int(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from exc


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


def from_environment():
    """Build the config mapping from os.environ; check_config() decides whether it may run."""
    env = os.environ.get("PORTAL_ENV", "")
    max_upload_mb = _env_int("MAX_UPLOAD_MB", 50)
    return {
        "ENV_NAME": env,
        # Unset secrets stay None here; only development/test fill in the published values.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "DATA_KEYS": os.environ.get("DATA_KEYS", ""),
        "RECEIPT_KEYS": os.environ.get("RECEIPT_KEYS", ""),
        "AUDIT_KEYS": os.environ.get("AUDIT_KEYS", ""),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'portal.sqlite3'}"),
        "EVIDENCE_DIR": os.environ.get("EVIDENCE_DIR", str(INSTANCE / "evidence")),
        "MAX_UPLOAD_MB": max_upload_mb,
        "MAX_FILE_MB": _env_int("MAX_FILE_MB", 20),
        "MAX_CONTENT_LENGTH": max_upload_mb * 1024 * 1024,
        "MAX_EVIDENCE_FILES": 5,
        # How many reverse proxies stand in front (X-Forwarded-For hops to trust); 0 = none.
        "TRUSTED_PROXIES": _env_int("TRUSTED_PROXIES", 0),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RECEIPT_LOOKUP_LIMIT": os.environ.get("RECEIPT_LOOKUP_LIMIT", "10 per minute;60 per hour"),
        # Posts of the intake and supplement forms per client address (a refused post keeps
        # what was typed; see portal/site/limits.py).
        "SUBMISSION_LIMIT": os.environ.get("SUBMISSION_LIMIT", "10 per minute;60 per hour"),
        "SUPPLEMENT_LIMIT": os.environ.get("SUPPLEMENT_LIMIT", "10 per minute;60 per hour"),
        # Megabytes of uploads accepted into staging per browser session and per address, over
        # the staging expiry (2 hours): one full report (5 × 20 MB) and corrections fit.
        "UPLOAD_MB_PER_SESSION": os.environ.get("UPLOAD_MB_PER_SESSION", "150 per 2 hours"),
        "UPLOAD_MB_PER_ADDRESS": os.environ.get("UPLOAD_MB_PER_ADDRESS", "500 per 2 hours"),
        # Requests with a staff API token, per client address (portal/api/staff.py).
        "API_TOKEN_LIMIT": os.environ.get("API_TOKEN_LIMIT", "120 per minute;3000 per hour"),
        # "Email me my receipt" posts per client address.
        "RECEIPT_EMAIL_LIMIT": os.environ.get("RECEIPT_EMAIL_LIMIT", "3 per hour;10 per day"),
        # Notifications (portal/notify): SMTP with Flask-Mail's setting names. No MAIL_SERVER: the
        # console mailer prints each mail (development); production refuses to start without it.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _env_int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "noreply@portal.invalid"),
        "OUTBOX_MAX_ATTEMPTS": _env_int("OUTBOX_MAX_ATTEMPTS", 8),
        # The local hour (Beijing) from which the sweep makes the leads' daily digest.
        "DIGEST_HOUR": _env_int("DIGEST_HOUR", 8),
        # Whose site this is: shown in every citizen page's header and footer, and in the
        # personal-information notice. The defaults name a fictional demo bureau.
        "BUREAU_NAME_ZH": os.environ.get("BUREAU_NAME_ZH", "杭州市示范区市场监督管理局"),
        "BUREAU_NAME_EN": os.environ.get(
            "BUREAU_NAME_EN", "Hangzhou Demonstration District Market Regulation Bureau"
        ),
        "BUREAU_ADDRESS_ZH": os.environ.get("BUREAU_ADDRESS_ZH", "浙江省杭州市示范区示范路 1 号"),
        "BUREAU_ADDRESS_EN": os.environ.get(
            "BUREAU_ADDRESS_EN", "1 Shifan Road, Demonstration District, Hangzhou, Zhejiang"
        ),
        "BUREAU_HOTLINE": os.environ.get("BUREAU_HOTLINE", "0571-12315"),
        # The site's address as citizens reach it: links in emails; the printed receipt's QR code opens
        # <PUBLIC_BASE_URL>/track with the report number filled in.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # A form sent again with the same token shows its receipt (with the key) only from the
        # same browser session and this many seconds after the report was filed; later, a page
        # that says the form was already sent, without the key (a re-post from the history).
        "RECEIPT_REPEAT_SECONDS": _env_int("RECEIPT_REPEAT_SECONDS", 120),
        # Years a reporter's personal information is kept after the report is closed (the
        # personal-information notice states it; PIPL Art. 17 asks for the retention period).
        "PERSONAL_DATA_RETENTION_YEARS": _env_int("PERSONAL_DATA_RETENTION_YEARS", 3),
        # Days after its decision during which the reporter may rate the handling (satisfaction).
        "SATISFACTION_DAYS": _env_int("SATISFACTION_DAYS", 30),
        # Public statistics: a count below this is shown as "<N" and left out of derived shares.
        "STATS_MIN_CELL": _env_int("STATS_MIN_CELL", 5),
        # The audit chain's daily published heads: an append-only file outside the database.
        "AUDIT_HEADS_FILE": os.environ.get("AUDIT_HEADS_FILE", str(INSTANCE / "audit-heads.jsonl")),
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


def _fill_development_keys(config, server):
    """Development/test may run on published keys; gunicorn only when development was chosen."""
    if config["SECRET_KEY"] is None:
        if server and config["ENV_NAME"] != "development":
            raise ConfigError(
                f"PORTAL_ENV={config['ENV_NAME']} served by gunicorn needs its own SECRET_KEY; "
                "the development secret is only for PORTAL_ENV=development."
            )
        config["SECRET_KEY"] = DEV_SECRET
    config["DATA_KEYS"] = config["DATA_KEYS"] or DEV_DATA_KEY
    config["RECEIPT_KEYS"] = config["RECEIPT_KEYS"] or DEV_RECEIPT_KEYS
    config["AUDIT_KEYS"] = config["AUDIT_KEYS"] or DEV_AUDIT_KEYS


def _check_production(config):
    missing = [name for name in SECRET_SETTINGS if not config[name]]
    if missing:
        raise ConfigError(
            "PORTAL_ENV=production needs " + ", ".join(missing) + "; make a fresh set with "
            "`python -m portal.keys` and keep it out of the repository."
        )
    published = {DEV_SECRET, DEV_DATA_KEY, DEV_RECEIPT_KEYS, DEV_AUDIT_KEYS}
    for name in SECRET_SETTINGS:
        if any(dev in config[name] for dev in published):
            raise ConfigError(f"{name} holds a published development key; PORTAL_ENV=production refuses it.")
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        raise ConfigError(
            "PORTAL_ENV=production refuses RATELIMIT_STORAGE_URI=memory:// (each worker would count "
            "alone); set it to the shared Redis, e.g. redis://127.0.0.1:6379."
        )
    if not config["RATELIMIT_ENABLED"]:
        raise ConfigError("PORTAL_ENV=production refuses RATELIMIT_ENABLED=false (benchmarks only).")
    if not config["MAIL_SERVER"]:
        raise ConfigError(
            "PORTAL_ENV=production needs MAIL_SERVER (the SMTP server notifications go out through); "
            "without it every mail would only be printed to the log."
        )


def _check_keys(config):
    """Every key well-formed, and no secret doing a second job."""
    check_secret("SECRET_KEY", config["SECRET_KEY"])
    parse_fernet_keys(config["DATA_KEYS"])
    rings = [parse_keyring(name, config[name]) for name in ("RECEIPT_KEYS", "AUDIT_KEYS")]
    seen = {config["SECRET_KEY"].encode(): "SECRET_KEY"}
    for ring in rings:
        for secret in ring.all_secrets():
            if secret in seen:
                raise BadKey(f"{ring.name} reuses a key of {seen[secret]}; give each job its own key.")
            seen[secret] = ring.name


def _check_limits(config):
    """A malformed limit refuses to start instead of failing the first citizen's post."""
    for name in LIMIT_SETTINGS:
        try:
            parse_many(config[name])
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"{name}={config[name]!r} is not a limit; write e.g. '10 per minute;60 per hour'."
            ) from exc


def check_config(config, server=False):
    """Refuse to run unsafely; the message says which setting is wrong and what to do."""
    env = config["ENV_NAME"]
    if env not in ENVIRONMENTS:
        raise ConfigError(
            f"PORTAL_ENV is {env!r}; set it to one of {', '.join(ENVIRONMENTS)} "
            "(`make run` uses development; a real deployment uses production)."
        )
    if env == "production":
        _check_production(config)
    else:
        _fill_development_keys(config, server)
    _check_limits(config)
    if config["PERSONAL_DATA_RETENTION_YEARS"] < 1:
        raise ConfigError("PERSONAL_DATA_RETENTION_YEARS must be 1 or more (years after closure).")
    if config["OUTBOX_MAX_ATTEMPTS"] < 1:
        raise ConfigError("OUTBOX_MAX_ATTEMPTS must be 1 or more (tries before a mail is dead-lettered).")
    if config["TRUSTED_PROXIES"] < 0:
        raise ConfigError("TRUSTED_PROXIES must be 0 or more (the number of proxies in front).")
    if config.get("FAST_PASSWORD_HASHES") and env == "production":
        raise ConfigError("FAST_PASSWORD_HASHES is for the test suite; PORTAL_ENV=production refuses it.")
    try:
        _check_keys(config)
    except BadKey as exc:
        raise ConfigError(str(exc)) from exc
