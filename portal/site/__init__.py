"""The citizen blueprint: intake, receipt, follow-up by receipt."""

from flask import Blueprint

bp = Blueprint("site", __name__, template_folder="templates")

from portal.site import bureau, intake, places, reward_claim, tracking  # noqa: E402,F401
