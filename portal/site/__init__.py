"""The citizen blueprint: intake, receipt, follow-up by receipt."""

from flask import Blueprint

bp = Blueprint("site", __name__, template_folder="templates")

from portal.site import (  # noqa: E402,F401
    bureau,
    conversation,
    intake,
    legal_dates,
    notices,
    places,
    process,
    receipt_mail,
    reward_claim,
    satisfaction,
    statistics,
    tracking,
)
