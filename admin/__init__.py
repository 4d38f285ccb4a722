"""The back-office blueprint: staff, leads, finance, auditors and administrators."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

from admin import (  # noqa: E402,F401
    access,
    actions,
    administration,
    administration_users,
    auth,
    case,
    case_conversation,
    dashboard,
    deadlines,
    extensions,
    outbox,
    oversight,
    oversight_notices,
    queue,
    receipt_key,
    reviews,
    reward_audit,
    reward_policies,
    rewards,
    supervision,
    two_factor,
)
