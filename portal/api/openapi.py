"""The OpenAPI 3 document, generated from the marshmallow schemas by apispec's marshmallow plugin.
Paths and their answers are declared here, next to nothing else: a new endpoint needs an entry."""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from portal.api import schemas as s

PROBLEM = "application/problem+json"
JSON = "application/json"


def _problem(description):
    return {"description": description, "content": {PROBLEM: {"schema": "Problem"}}}


def _ok(schema, description, headers=None):
    answer = {"description": description, "content": {JSON: {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return answer


RATE_LIMITED = {
    "description": "Too many requests; wait the seconds Retry-After gives.",
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
    "content": {PROBLEM: {"schema": "Problem"}},
}
COMMON = {
    "404": _problem(
        "Not found: no such report, a wrong access key, or another department's report (same body)."
    ),
    "405": _problem("Method not allowed."),
    "429": RATE_LIMITED,
    "500": _problem("Server error (nothing was saved)."),
}
BODY_ERRORS = {
    "400": _problem("The body is not valid JSON."),
    "415": _problem(
        "The body is not JSON (Content-Type: application/json), or an uploaded file's type is not accepted."
    ),
    "409": _problem("Conflict: the report moved meanwhile, or a proposal already waits."),
    "422": _problem(
        "Validation failed (`errors` maps each field to its messages) or a domain rule refused it."
    ),
}
STAFF_ERRORS = {
    "401": _problem("No live token (missing, unknown, expired, revoked, or its user deactivated)."),
}
NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 30}}
ACCESS_KEY = {
    "name": "X-Access-Key",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "maxLength": 60},
    "description": "The access key of the receipt.",
}
BEARER = [{"staffToken": []}]


def _json_body(schema):
    return {"required": True, "content": {JSON: {"schema": schema}}}


def build_spec(version="1.0.0"):
    spec = APISpec(
        title="Complaint and tip-off portal API",
        version=version,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": (
                "Reports (complaints 投诉 and tip-offs 举报) for apps, hotline and department systems. "
                "Errors are RFC 9457 problem documents. Money is a decimal string; times are ISO 8601 "
                "with their offset; Accept-Language chooses zh-CN (default) or en for texts."
            )
        },
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme(
        "staffToken", {"type": "http", "scheme": "bearer", "description": "`flask users token USERNAME`"}
    )
    for name in (
        "Problem",
        "CategoryList",
        "RegionList",
        "DepartmentList",
        "ReportIn",
        "ReportCreated",
        "EvidenceCreated",
        "ReportStatus",
        "MessageIn",
        "MessageCreated",
        "QueuePageOut",
        "StaffReport",
        "TransitionIn",
        "TransitionDone",
    ):
        spec.components.schema(name, schema=getattr(s, name))

    for path, schema, summary in (
        ("/api/v1/categories", "CategoryList", "Categories (active), with their codes"),
        ("/api/v1/regions", "RegionList", "Regions: city, districts and streets"),
        ("/api/v1/departments", "DepartmentList", "Departments (active)"),
    ):
        spec.path(
            path=path,
            operations={
                "get": {
                    "summary": summary,
                    "tags": ["reference"],
                    "responses": {"200": _ok(schema, "The list."), **COMMON},
                }
            },
        )

    spec.path(
        path="/api/v1/reports",
        operations={
            "post": {
                "summary": "File a complaint or a tip-off",
                "description": "A complaint with also_tip makes two linked reports (same access key).",
                "tags": ["public"],
                "requestBody": _json_body("ReportIn"),
                "responses": {
                    "201": _ok("ReportCreated", "Filed. The access key is shown only here."),
                    **BODY_ERRORS,
                    **COMMON,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/reports/{number}",
        operations={
            "get": {
                "summary": "The report's status, public timeline, messages and legal dates",
                "tags": ["public"],
                "parameters": [NUMBER, ACCESS_KEY],
                "responses": {"200": _ok("ReportStatus", "The report as its reporter sees it."), **COMMON},
            }
        },
    )
    spec.path(
        path="/api/v1/reports/{number}/evidence",
        operations={
            "post": {
                "summary": "Add one file (content checked, metadata stripped, as the web form)",
                "tags": ["public"],
                "parameters": [NUMBER, ACCESS_KEY],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": {
                    "201": _ok("EvidenceCreated", "Stored; sha256 of the stored (cleaned) file."),
                    "413": _problem("The file or the request is too large."),
                    "503": _problem("The file could not be stored; nothing was saved."),
                    **BODY_ERRORS,
                    **COMMON,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/reports/{number}/messages",
        operations={
            "post": {
                "summary": "The reporter's answer to the department",
                "tags": ["public"],
                "parameters": [NUMBER, ACCESS_KEY],
                "requestBody": _json_body("MessageIn"),
                "responses": {"201": _ok("MessageCreated", "Sent."), **BODY_ERRORS, **COMMON},
            }
        },
    )

    queue_params = [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in (
            ("state", {"type": "string"}),
            ("kind", {"type": "string", "enum": ["complaint", "tip"]}),
            ("category", {"type": "string"}),
            ("region", {"type": "string"}),
            ("mine", {"type": "boolean"}),
            ("unassigned", {"type": "boolean"}),
            ("q", {"type": "string", "maxLength": 200}),
            ("sort", {"type": "string", "enum": ["newest", "oldest"]}),
            ("due", {"type": "string", "enum": ["overdue", "within"]}),
            ("due_days", {"type": "integer", "minimum": 1, "maximum": 60}),
            ("cursor", {"type": "string", "maxLength": 80}),
        )
    ]
    spec.path(
        path="/api/v1/staff/reports",
        operations={
            "get": {
                "summary": "The queue of the token's user: filters, keyset pages (`next`)",
                "tags": ["staff"],
                "security": BEARER,
                "parameters": queue_params,
                "responses": {
                    "200": _ok("QueuePageOut", "One page (50)."),
                    "422": BODY_ERRORS["422"],
                    **STAFF_ERRORS,
                    **COMMON,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/staff/reports/{number}",
        operations={
            "get": {
                "summary": "A report of the user's scope, with the moves the user may make now",
                "tags": ["staff"],
                "security": BEARER,
                "parameters": [NUMBER],
                "responses": {"200": _ok("StaffReport", "The report."), **STAFF_ERRORS, **COMMON},
            }
        },
    )
    spec.path(
        path="/api/v1/staff/reports/{number}/transitions",
        operations={
            "post": {
                "summary": "Move the report along its track, or propose the move to a lead",
                "description": (
                    "`action` is the target state. A decision the law puts on a lead, sent by staff who may "
                    "only propose it, is recorded as a proposal a lead of the department decides in the back "
                    "office: 202 with `proposal`. A move the role may neither make nor propose: 403."
                ),
                "tags": ["staff"],
                "security": BEARER,
                "parameters": [NUMBER],
                "requestBody": _json_body("TransitionIn"),
                "responses": {
                    "200": _ok("TransitionDone", "Moved."),
                    "202": _ok("TransitionDone", "Proposed; a lead decides."),
                    "403": _problem("The role may not take this step."),
                    **BODY_ERRORS,
                    **STAFF_ERRORS,
                    **COMMON,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/staff/reports/{number}/messages",
        operations={
            "post": {
                "summary": "Write to the reporter (read and answered through the receipt)",
                "tags": ["staff"],
                "security": BEARER,
                "parameters": [NUMBER],
                "requestBody": _json_body("MessageIn"),
                "responses": {
                    "201": _ok("MessageCreated", "Sent (the reporter is notified if they left an address)."),
                    "403": _problem("The role may not write to reporters."),
                    **BODY_ERRORS,
                    **STAFF_ERRORS,
                    **COMMON,
                },
            }
        },
    )
    return spec
