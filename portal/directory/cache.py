"""A per-process copy of the lists the citizen form shows (categories, districts, streets).

Rendering them from the database cost one query for the list and one lazy load per street's
district on every form request. The copy is plain data (no ORM rows, so no session ties it), held
per app, and reloaded when the newest reference-data event changes: `flask seed reference` writes
one whenever it changes anything, and any screen that edits reference data must write one too
(an action in portal/audit/models.py REFERENCE_ACTIONS). Checking costs one indexed query per request.
"""

from dataclasses import dataclass, field

from flask import current_app, has_request_context, request
from flask_babel import get_locale
from sqlalchemy import bindparam, func, select

from portal.audit.models import REFERENCE_ACTIONS, AuditEvent
from portal.directory.models import Category, Region
from portal.extensions import db

_KEY = "portal.reference_lists"
_ATTRIBUTE = "portal_reference_lists"
DISTRICT, STREET = 2, 3


@dataclass(frozen=True)
class Item:
    id: int
    name_zh: str
    name_en: str
    group: str | None = None  # a category's group
    parent_id: int | None = None  # a street's district

    @property
    def name(self):
        locale = get_locale()
        return self.name_en if locale and locale.language == "en" else self.name_zh


@dataclass(frozen=True)
class Lists:
    version: int | None
    categories: tuple  # active ones, in their order
    districts: tuple  # by code
    streets: tuple  # by (district code, code)
    by_id: dict  # district id → Item
    # Things built from these lists per language (the form's choices): dropped with the lists.
    built: dict = field(default_factory=dict, compare=False)


def _version():
    """The newest reference-data event (None before any): it moves whenever reference data does."""
    # The actions as literals, as the partial index names them: a bound list would let a cached
    # generic plan miss the index (PostgreSQL cannot prove the predicate for parameters).
    actions = bindparam("actions", REFERENCE_ACTIONS, expanding=True, literal_execute=True)
    return db.session.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.action.in_(actions)))


def _load(version):
    categories = db.session.scalars(select(Category).where(Category.active).order_by(Category.position))
    regions = db.session.scalars(select(Region).where(Region.level.in_((DISTRICT, STREET)))).all()
    codes = {r.id: r.code for r in regions}
    districts = sorted((r for r in regions if r.level == DISTRICT), key=lambda r: r.code)
    streets = sorted((r for r in regions if r.level == STREET), key=lambda r: (codes[r.parent_id], r.code))
    district_items = tuple(Item(r.id, r.name_zh, r.name_en) for r in districts)
    return Lists(
        version=version,
        categories=tuple(Item(c.id, c.name_zh, c.name_en, group=c.group) for c in categories),
        districts=district_items,
        streets=tuple(Item(r.id, r.name_zh, r.name_en, parent_id=r.parent_id) for r in streets),
        by_id={item.id: item for item in district_items},
    )


def reference_lists():
    """This request's lists: checked against the database once per request, reloaded if stale.

    Remembered on the request, not on g: an app context (and its g) can outlive many requests.
    """
    asked = request._get_current_object() if has_request_context() else None
    if asked is not None and hasattr(asked, _ATTRIBUTE):
        return getattr(asked, _ATTRIBUTE)
    version = _version()
    lists = current_app.extensions.get(_KEY)
    if lists is None or lists.version != version:
        lists = _load(version)
        current_app.extensions[_KEY] = lists
    if asked is not None:
        setattr(asked, _ATTRIBUTE, lists)
    return lists


def built_from_lists(name, build):
    """`build(lists)` for this language, made once per process and reference-data version.

    For the form's choices: translating and wrapping every name again cost a form request a few
    milliseconds. Callers get a new list each time, so nobody can change the shared one.
    """
    lists = reference_lists()
    key = (name, str(get_locale()))
    if key not in lists.built:
        lists.built[key] = tuple(build(lists))
    return list(lists.built[key])
