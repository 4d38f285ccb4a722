"""RFC 9457 problem documents (application/problem+json) for every API failure: validation (422
with `errors`), domain refusals (ReportError codes, worded in the caller's language), HTTP errors
(404, 405, 413, 415, 429 with Retry-After, 500)."""

import math
import time

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from portal.api.field_messages import translated

PROBLEM_TYPE = "application/problem+json"
TYPE_BASE = "urn:portal:problem:"

# Domain codes that say the report moved under the caller, or a decision already waits: 409.
CONFLICT_CODES = frozenset({"state_changed", "proposal_pending", "proposal_decided", "form_already_used"})
# Evidence checks (portal/evidence/sanitise.py RejectedFile.reason) → status.
FILE_STATUS = {
    "too_large": 413,
    "unsupported": 415,
    "empty": 422,
    "broken_image": 422,
    "image_too_large": 422,
}


class ApiProblem(Exception):
    """Raised anywhere in an API view; the blueprint turns it into a problem document."""

    def __init__(self, status, code, detail=None, errors=None, title=None, headers=None):
        super().__init__(code)
        self.status, self.code, self.detail = status, code, detail
        self.errors, self.title, self.headers = errors, title, headers or {}


def is_api_request():
    return request.path.startswith("/api/")


def problem_response(status, code, detail=None, errors=None, title=None, headers=None):
    body = {
        "type": TYPE_BASE + code,
        "title": title or _title(status),
        "status": status,
        "detail": detail or _title(status),
    }
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _title(status):
    titles = {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Too large"),
        415: _("Unsupported file type"),
        422: _("The request could not be processed"),
        429: _("Too many requests"),
        500: _("Server error"),
        503: _("Service unavailable"),
    }
    return titles.get(status, _("The request could not be handled"))


def validation_problem(messages):
    """422 from marshmallow's messages: {field: [messages]} (nested fields joined with dots)."""
    return ApiProblem(
        422,
        "validation_failed",
        _("Some fields are missing or invalid; see errors."),
        errors=flatten(messages),
    )


def flatten(messages, prefix=""):
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                flat.update(flatten(value, name))
            else:
                flat[name] = [translated(m) for m in (value if isinstance(value, list) else [value])]
    else:
        listed = messages if isinstance(messages, list) else [messages]
        flat[prefix or "_schema"] = [translated(m) for m in listed]
    return flat


def domain_problem(code):
    """A ReportError code as a problem: the same advice the web pages give, in the caller's language."""
    from portal.site.messages import report_error_text

    status = 409 if code in CONFLICT_CODES else (503 if code == "evidence_not_stored" else 422)
    return ApiProblem(status, code, report_error_text(code), title=_("The request was refused"))


def retry_after_seconds():
    """Seconds until the limit that refused this request has room again (at least 1)."""
    from portal.extensions import limiter

    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, math.ceil(limit.reset_at - time.time()))


def http_problem(status):
    """The problem document for an HTTP error raised outside the views' own handling."""
    details = {
        404: _("There is nothing at this address, or the report number and access key do not match."),
        405: _("This address does not take this method."),
        413: _("The request is too large: at most %(mb)d MB per file.", mb=current_app.config["MAX_FILE_MB"]),
        429: _("Too many requests from this client. Wait and try again."),
        500: _("Something went wrong. Nothing was saved; try again later."),
        503: _("The service is temporarily unavailable. Nothing was saved; try again later."),
    }
    headers = {"Retry-After": str(retry_after_seconds())} if status == 429 else None
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 429: "rate_limited"}.get(
        status, "error"
    )
    return problem_response(status, code, details.get(status), headers=headers)
