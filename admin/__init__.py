"""The back-office blueprint: staff, leads, finance, auditors and administrators."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

from admin import auth, dashboard  # noqa: E402,F401
from admin import access, case, queue  # noqa: E402,F401
