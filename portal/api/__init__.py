"""The JSON API at /api/v1 (issue 11): the same domain operations and permission checks as the
web pages and the back office, for apps, hotline systems and department case systems. No cookies:
exempt from CSRF, and the session is never saved for an API response (admin/session_cookie.py)."""

from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from portal.api.problems import ApiProblem, http_problem, problem_response, validation_problem

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")


@bp.before_request
def _no_cookie_user():
    """No signed-in user from a cookie here: Flask-Login would otherwise load one (and its session
    protection could answer with a remember-cookie); staff authenticate with tokens (staff.py)."""
    g._login_user = current_app.login_manager.anonymous_user()


@bp.errorhandler(ApiProblem)
def _problem(exc):
    return problem_response(exc.status, exc.code, exc.detail, exc.errors, exc.title, exc.headers)


@bp.errorhandler(ValidationError)
def _invalid(exc):
    return _problem(validation_problem(exc.messages))


@bp.errorhandler(HTTPException)
def _http(exc):
    return http_problem(exc.code or 500)


def json_body(schema):
    """The request's JSON object loaded by `schema` (unknown fields refused), or a problem."""
    if not request.is_json:
        detail = _("Send the body as JSON with Content-Type: application/json.")
        raise ApiProblem(415, "json_required", detail)
    data = request.get_json(silent=True)
    if data is None:
        raise ApiProblem(400, "bad_json", _("The body is not valid JSON."))
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise validation_problem(exc.messages) from None


def init_api(app):
    from portal.api import docs, public, staff  # noqa: F401  (routes)
    from portal.extensions import csrf

    csrf.exempt(bp)
    app.json.ensure_ascii = False  # Chinese as UTF-8 text, not \u escapes
    app.register_blueprint(bp)
