"""Reference tables. Rows carry stable codes so data files and later edits can refer to them."""

from datetime import datetime

from flask_babel import get_locale
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, false, func, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


class Named:
    """Bilingual name: pick the one for the current locale."""

    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))

    @property
    def name(self):
        locale = get_locale()
        return self.name_en if locale and locale.language == "en" else self.name_zh


class Category(Named, db.Model):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # food / drug / quality; groups the select list.
    group: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Online orders (网络订餐, 网络购物): a complaint names the platform and the order number.
    online: Mapped[bool] = mapped_column(default=False, server_default=false())


class Department(Named, db.Model):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # The catch-all intake office receives what no rule matches and re-routes returns.
    is_intake_office: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)


class Region(Named, db.Model):
    """Administrative division, coded after GB/T 2260 (6 digits) and township codes (9 digits)."""

    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    level: Mapped[int] = mapped_column()  # 1 city, 2 district, 3 street/township
    parent: Mapped["Region | None"] = relationship(remote_side=[id])

    def ancestors_and_self(self):
        """From this region up to the root, nearest first."""
        node, chain = self, []
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class RoutingRule(db.Model):
    """(category, region) → department. A null column matches anything; see routing.route().

    Never edited in place: a change retires the row (active false, retired_at set) and adds a new
    one with the same code, so an assignment made under the old rule still names what decided it.
    """

    __tablename__ = "routing_rules"
    __table_args__ = (
        CheckConstraint("priority >= 0", name="priority_non_negative"),
        CheckConstraint(
            "(active AND retired_at IS NULL) OR (NOT active AND retired_at IS NOT NULL)",
            name="retired_when_inactive",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))  # unique among active rules (index below)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    priority: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)
    category: Mapped[Category | None] = relationship()
    region: Mapped[Region | None] = relationship()
    department: Mapped[Department] = relationship()


# One active rule per (category, region), null counting as a value ("any"): SQL NULLs are
# distinct, so a plain unique constraint would let two "any category" rules for one region tie in
# route(). Ids start at 1, so 0 stands for null. Retired rows keep their key, so both indexes are
# partial. (Batch migrations on SQLite do not reflect expression indexes: a migration that rebuilds
# routing_rules must create this index again.)
Index(
    "uq_routing_rules_category_region",
    func.coalesce(RoutingRule.category_id, 0),
    func.coalesce(RoutingRule.region_id, 0),
    unique=True,
    sqlite_where=RoutingRule.active,
    postgresql_where=RoutingRule.active,
)
Index(
    "uq_routing_rules_code",
    RoutingRule.code,
    unique=True,
    sqlite_where=RoutingRule.active,
    postgresql_where=RoutingRule.active,
)
