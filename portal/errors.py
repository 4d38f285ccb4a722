"""Friendly error pages in the visitor's language; never a stack trace."""

import contextlib

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from portal.extensions import db


def _page(status, title, message):
    if request.path.startswith("/api/"):
        from portal.api.problems import http_problem

        return http_problem(status)
    if request.accept_mimetypes.best == "application/json" or request.path == "/healthz":
        return {"error": title, "message": message}, status
    return render_template("error.html", title=title, message=message, status=status), status


def init_errors(app):
    @app.errorhandler(404)
    def not_found(_e):
        return _page(404, _("Page not found"), _("Check the address, or go back to the start page."))

    @app.errorhandler(413)
    def too_large(_e):
        limit = app.config["MAX_UPLOAD_MB"]
        return _page(
            413,
            _("The upload is too large"),
            _(
                "Everything you send at once must be under %(limit)s MB. Go back, remove or "
                "shrink some files (for example, send photos instead of long videos), and try again.",
                limit=limit,
            ),
        )

    @app.errorhandler(CSRFError)
    def csrf_failed(_e):
        return _page(
            400,
            _("The page has expired"),
            _(
                "For your safety, forms stop working after a while or in a new browser session. "
                "Go back, reload the page, and send it again."
            ),
        )

    @app.errorhandler(429)
    def too_many(_e):
        return _page(429, _("Too many attempts"), _("Please wait a few minutes and try again."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_down(_e):
        with contextlib.suppress(Exception):  # the connection may be gone; rollback may fail too
            db.session.rollback()
        return _page(
            503,
            _("The service is temporarily unavailable"),
            _("Nothing was saved. Please try again in a few minutes."),
        )

    @app.errorhandler(500)
    def server_error(_e):
        return _page(
            500,
            _("Something went wrong"),
            _("Nothing was saved. Please try again; if it keeps happening, call the hotline 12315."),
        )

    @app.errorhandler(HTTPException)
    def other_http(e):
        # Werkzeug's own names and descriptions are English and technical.
        return _page(
            e.code,
            _("The request could not be handled"),
            _("Go back to the start page and try again. If it keeps happening, call the hotline 12315."),
        )
