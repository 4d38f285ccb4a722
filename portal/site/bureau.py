"""Whose site this is: the bureau's identity on every page, and its personal-information notice."""

from dataclasses import dataclass

from flask import current_app, render_template

from portal.i18n import current_language
from portal.site import bp


@dataclass(frozen=True)
class Bureau:
    name: str
    address: str
    hotline: str
    retention_years: int


def current_bureau():
    """The bureau as the settings name it, in the visitor's language (settings only, no
    database: error pages show it too)."""
    config = current_app.config
    suffix = "EN" if current_language() == "en" else "ZH"
    return Bureau(
        name=config[f"BUREAU_NAME_{suffix}"],
        address=config[f"BUREAU_ADDRESS_{suffix}"],
        hotline=config["BUREAU_HOTLINE"],
        retention_years=config["PERSONAL_DATA_RETENTION_YEARS"],
    )


@bp.app_context_processor
def bureau_identity():
    return {"bureau": current_bureau()}


@bp.get("/privacy")
def privacy():
    return render_template("site/privacy.html")
