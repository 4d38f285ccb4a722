"""Where it happened: a district, then (optionally) one of its streets; shown as "district · street"."""

from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from portal.directory.cache import built_from_lists
from portal.site import bp
from portal.site.forms import DISTRICT


def district_choices():
    return built_from_lists("district_choices", _build_district_choices)


def _build_district_choices(lists):
    return [SelectChoice("", _("Choose…"))] + [SelectChoice(str(r.id), r.name) for r in lists.districts]


def street_choices():
    """Every street, grouped by district: without JavaScript the citizen picks from the group of
    their district; app.js narrows the list to it (data-district) when scripts run."""
    return built_from_lists("street_choices", _build_street_choices)


def _build_street_choices(lists):
    return [SelectChoice("", _("Not sure / the whole district"))] + [
        SelectChoice(
            str(r.id),
            r.name,
            render_kw={"data-district": str(r.parent_id)},
            optgroup=lists.by_id[r.parent_id].name,
        )
        for r in lists.streets
    ]


def place_parts(region):
    """District and street names of a region, coarsest first (the city adds nothing here)."""
    if region is None:
        return []
    parts = [r.name for r in reversed(region.ancestors_and_self()) if r.level >= DISTRICT]
    return parts or [region.name]


@bp.app_template_filter("place")
def place(region):
    """ "西湖区 · 北山街道": a street always with its district."""
    return " · ".join(place_parts(region))
