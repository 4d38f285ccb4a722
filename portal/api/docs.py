"""/api/v1/openapi.json and a readable page of it, rendered on the server from local files."""

from flask import current_app, render_template

from portal.api import bp
from portal.api.openapi import build_spec


def spec_dict():
    cached = current_app.extensions.get("portal_openapi")
    if cached is None:
        cached = current_app.extensions["portal_openapi"] = build_spec().to_dict()
    return cached


@bp.get("/openapi.json")
def openapi_json():
    return spec_dict()


def _ref_name(schema):
    """The schema a property or body names: directly, as a nullable anyOf, or as a list's items."""
    schema = schema or {}
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    for option in schema.get("anyOf", []):
        if "$ref" in option:
            return _ref_name(option)
    return _ref_name(schema["items"]) if isinstance(schema.get("items"), dict) else None


@bp.get("/docs")
def docs():
    spec = spec_dict()
    operations = [
        (path, method.upper(), op) for path, item in spec["paths"].items() for method, op in item.items()
    ]
    return render_template(
        "api/docs.html",
        spec=spec,
        operations=operations,
        schemas=spec["components"]["schemas"],
        ref_name=_ref_name,
    )
