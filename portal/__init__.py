"""The complaint and reward-reporting portal: application factory."""

import gc

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import ROOT, check_config, from_environment
from portal.files import private_dir, private_sqlite_file


def create_app(config=None, server=False):
    """Build the app from the environment, overridden by `config` (tests).

    server=True is the gunicorn entry (wsgi.py): it never runs on the development secret unless
    PORTAL_ENV=development was chosen explicitly.
    """
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        static_folder=str(ROOT / "static"),
        template_folder="templates",
    )
    app.config.update(from_environment())
    if config:
        app.config.update(config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    check_config(app.config, server=server)
    register_files(app)
    register_proxies(app)

    register_extensions(app, server)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    register_security_headers(app)
    if server:
        freeze_startup_objects()
    return app


def freeze_startup_objects():
    """Take what a worker made at start (modules, classes, mappers, about 150,000 objects that live
    as long as it does) out of the garbage collector's sight. Otherwise every full collection walks
    them all: measured in a queue-page worker, a 55 ms pause every 100-200 requests, which set the
    p99 of every route at about 50 ms against a p95 of 13 (issue 8's benchmark)."""
    gc.collect()
    gc.freeze()


def register_files(app):
    """Evidence and the embedded database are readable by the service's user only."""
    private_dir(app.instance_path)
    private_dir(app.config["EVIDENCE_DIR"])
    private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])


def register_proxies(app):
    """Behind TRUSTED_PROXIES proxies, the client address is the one they forwarded (rate limits)."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)


def register_extensions(app, server=False):
    from portal import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from portal.extensions import babel, bootstrap, csrf, db, limiter, login_manager
    from portal.i18n import init_i18n

    db.init_app(app)
    if not server:  # `flask db` is a CLI tool: gunicorn workers need not hold Alembic (11 MB each)
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=init_i18n(app))
    from admin.auth import init_login

    init_login(app, login_manager)


def register_blueprints(app):
    from admin import bp as admin_bp
    from portal.health import bp as health_bp
    from portal.site import bp as site_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    from portal.api import init_api

    init_api(app)


def register_errors(app):
    from portal.errors import init_errors

    init_errors(app)


def register_cli(app):
    from portal.cli import init_cli

    init_cli(app)


def register_security_headers(app):
    @app.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        return response
