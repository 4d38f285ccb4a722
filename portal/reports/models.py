"""Report rows. States are tied to their columns by checks; who reported is in reporters.py."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.directory.models import Category, Department, Region, RoutingRule
from portal.extensions import db
from portal.reports.intake_rules import MONEY_DEMANDS, Demand
from portal.reports.reporters import ReporterRole, ReportReporter
from portal.reports.states import OPEN_STATES, DeclineGround, Kind, State
from portal.validators import LicenceKind


def _in(column, enum_cls):
    values = ", ".join(f"'{m.value}'" for m in enum_cls)
    return f"{column} IN ({values})"


_MONEY = tuple(sorted(d.value for d in MONEY_DEMANDS))


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(_in("kind", Kind), name="kind_valid"),
        CheckConstraint(_in("state", State), name="state_valid"),
        CheckConstraint(_in("decline_ground", DeclineGround), name="decline_ground_valid"),  # null passes
        CheckConstraint("kind = 'tip' OR wants_reward = false", name="reward_only_for_tips"),
        CheckConstraint("state != 'declined' OR decline_reason IS NOT NULL", name="declined_has_reason"),
        CheckConstraint("state != 'returned' OR return_reason IS NOT NULL", name="returned_has_reason"),
        # What a complaint carries (Art. 9). "Every complaint has a demand" is the domain's rule
        # only: complaints filed before it existed have none.
        CheckConstraint(_in("demand", Demand), name="demand_valid"),
        CheckConstraint("kind = 'complaint' OR demand IS NULL", name="demand_only_for_complaints"),
        CheckConstraint(
            f"demand IS NULL OR demand NOT IN {_MONEY} OR demand_amount IS NOT NULL",
            name="money_demand_has_amount",
        ),
        CheckConstraint(
            "demand_amount IS NULL OR (demand IS NOT NULL AND demand_amount > 0)", name="amount_positive"
        ),
        CheckConstraint(_in("business_licence_kind", LicenceKind), name="business_licence_kind_valid"),
        CheckConstraint(
            "(business_licence IS NULL) = (business_licence_kind IS NULL)", name="licence_has_kind"
        ),
        CheckConstraint("linked_report_id != id", name="not_linked_to_itself"),
        Index("ix_reports_department_state", "department_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(30), default=State.SUBMITTED)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))

    business_name: Mapped[str] = mapped_column(String(200))
    business_address: Mapped[str | None] = mapped_column(String(300))
    business_licence: Mapped[str | None] = mapped_column(String(40))
    business_licence_kind: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    occurred_on: Mapped[date | None] = mapped_column(Date)

    # Complaints only: what the complainant asks for, and the money involved (yuan).
    demand: Mapped[str | None] = mapped_column(String(20))
    demand_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # Online orders (categories marked online): where it was bought, and the order number.
    platform: Mapped[str | None] = mapped_column(String(100))
    order_number: Mapped[str | None] = mapped_column(String(64))
    # The other track of a linked pair (a complaint and the tip-off filed with it), both ways.
    linked_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), unique=True)

    # Identity lives in reporters (see reporter_links); this flag says whether there is one.
    anonymous: Mapped[bool] = mapped_column(default=True)
    wants_reward: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(10), default="zh_CN")

    # Id of the RECEIPT_KEYS entry both hashes below were made with (keys rotate; ids stay).
    receipt_key_id: Mapped[str] = mapped_column(String(16))
    access_key_hash: Mapped[str] = mapped_column(String(64))
    # Hash of the form's one-time token: a double-click finds the report instead of making two.
    submission_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Keyed digest of what the form sent: the receipt is shown again only for the same content.
    # NULL for reports made before it existed (a repeat of those is "form already used").
    submission_digest: Mapped[str | None] = mapped_column(String(64))

    decline_ground: Mapped[str | None] = mapped_column(String(40))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    return_reason: Mapped[str | None] = mapped_column(Text)

    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    category: Mapped[Category] = relationship()
    region: Mapped[Region] = relationship()
    department: Mapped[Department] = relationship()
    evidence: Mapped[list["Evidence"]] = relationship(  # noqa: F821
        back_populates="report", order_by="Evidence.id"
    )
    supplements: Mapped[list["Supplement"]] = relationship(back_populates="report", order_by="Supplement.id")
    assignments: Mapped[list["Assignment"]] = relationship(back_populates="report", order_by="Assignment.id")
    # Loaded only when read (never joined into a list of reports): identity is asked for, not carried.
    reporter_links: Mapped[list[ReportReporter]] = relationship(lazy="select", cascade="all, delete-orphan")
    linked_report: Mapped["Report | None"] = relationship(
        remote_side=[id], foreign_keys=[linked_report_id], post_update=True, lazy="select"
    )

    @property
    def is_open(self):
        return State(self.state) in OPEN_STATES

    @property
    def reporters(self):
        """Everyone who filed this report, the primary reporter first."""
        links = sorted(self.reporter_links, key=lambda link: link.role != ReporterRole.PRIMARY)
        return [link.reporter for link in links]

    @property
    def primary_reporter(self):
        primary = [link.reporter for link in self.reporter_links if link.role == ReporterRole.PRIMARY]
        return primary[0] if primary else None


class Assignment(db.Model):
    """A routing decision: which department got the report, by which rule, when."""

    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("routing_rules.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime)
    report: Mapped[Report] = relationship(back_populates="assignments")
    department: Mapped[Department] = relationship()
    rule: Mapped[RoutingRule | None] = relationship()


class Supplement(db.Model):
    """Text the reporter added after submitting (evidence rows may point to it)."""

    __tablename__ = "supplements"
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    report: Mapped[Report] = relationship(back_populates="supplements")


class ReportSequence(db.Model):
    """Last number used per (kind, year); its row lock keeps numbers unique and gapless."""

    __tablename__ = "report_sequences"
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
