"""The back-office blueprint: staff, leads, finance, auditors and administrators."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

from admin import access, auth, case, dashboard, queue  # noqa: E402,F401  # noqa: E402,F401
