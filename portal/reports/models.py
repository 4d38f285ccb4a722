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
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.directory.models import Category, Department, Region, RoutingRule
from portal.extensions import db
from portal.reports.intake_rules import MONEY_DEMANDS, Demand
from portal.reports.reporters import ReporterRole, ReportReporter
from portal.reports.states import (
    OPEN_STATES,
    REQUIRED_COLUMNS,
    STATES,
    DeclineGround,
    Kind,
    MediationEndGround,
    State,
)
from portal.validators import LicenceKind


def _in(column, values):
    listed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({listed})"


def state_checks():
    """The checks generated from the tracks: each kind's own states, each state's columns."""
    per_kind = " OR ".join(f"(kind = '{kind}' AND {_in('state', states)})" for kind, states in STATES.items())
    checks = [CheckConstraint(per_kind, name="state_valid")]
    for state, columns in REQUIRED_COLUMNS.items():
        needed = " AND ".join(f"{c} IS NOT NULL" for c in columns)
        checks.append(CheckConstraint(f"state != '{state}' OR ({needed})", name=f"{state}_has_details"))
    return checks


_MONEY = tuple(sorted(d.value for d in MONEY_DEMANDS))


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(_in("kind", Kind), name="kind_valid"),
        *state_checks(),
        CheckConstraint(_in("decline_ground", DeclineGround), name="decline_ground_valid"),  # null passes
        CheckConstraint(_in("mediation_end_ground", MediationEndGround), name="mediation_end_ground_valid"),
        CheckConstraint("confiscation_yuan >= 0 AND fine_yuan >= 0", name="amounts_not_negative"),
        CheckConstraint("kind = 'tip' OR wants_reward = false", name="reward_only_for_tips"),
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
        # The queue pages through a department by (received_at, id) (keyset pagination), with or
        # without a state filter: each order has an index that hands out rows already in order.
        Index("ix_reports_department_received", "department_id", "received_at", "id"),
        Index("ix_reports_department_state_received", "department_id", "state", "received_at", "id"),
        # The kind filter: a department whose reports are nearly all of one kind walked all of
        # them to find none of the other (104 ms at 1M); this index answers it from its entries.
        Index("ix_reports_department_kind_received", "department_id", "kind", "received_at", "id"),
        # The deadline filters: the page's ids come from this index alone (see next_due_on).
        Index("ix_reports_department_next_due", "department_id", "next_due_on", "received_at", "id"),
        # The oversight dashboard (issue 12): the open backlog by department and age reads only
        # the open reports (a few percent of a million), and the overdue count reads the reports
        # whose earliest running clock is past due, both from the index alone (migration 0021).
        Index(
            "ix_reports_open_department_received",
            "department_id",
            "received_at",
            sqlite_where=text("state != 'closed'"),
            postgresql_where=text("state != 'closed'"),
        ),
        Index("ix_reports_next_due_department", "next_due_on", "department_id"),
        # Search by licence (and same-clue candidates by licence).
        Index("ix_reports_business_licence", "business_licence"),
        # Word search: a trigram index on PostgreSQL (LIKE '% token %' uses it, see
        # portal/casework/search.py). SQLite makes it a plain index (unused by LIKE); declared
        # for both so models and migrations stay one schema.
        Index(
            "ix_reports_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
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
    # complaint: mediation
    mediation_terms: Mapped[str | None] = mapped_column(Text)
    mediation_end_ground: Mapped[str | None] = mapped_column(String(40))
    mediation_end_reason: Mapped[str | None] = mapped_column(Text)
    # tip-off: case, decision
    case_number: Mapped[str | None] = mapped_column(String(60))
    case_opened_on: Mapped[date | None] = mapped_column(Date)
    not_opened_reason: Mapped[str | None] = mapped_column(Text)
    decision_number: Mapped[str | None] = mapped_column(String(60))
    decided_on: Mapped[date | None] = mapped_column(Date)
    confiscation_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # 没收违法所得等
    fine_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # 罚款
    referred_for_prosecution: Mapped[bool | None] = mapped_column()
    no_penalty_reason: Mapped[str | None] = mapped_column(Text)

    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # The colleague handling it inside its department (the queue's "assigned to me"); null: nobody.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Business name, licence and description as search tokens (portal/casework/search.py).
    search_text: Mapped[str | None] = mapped_column(Text)
    # The earliest due date of the report's running clocks (NULL when none runs), for the
    # queue's overdue and due-within filters at a million reports. Written only by the database:
    # a trigger on report_deadlines (migration 0014) recomputes it whenever a clock is started,
    # met, lapsed, extended or recounted. Chosen over a partial index on the running clocks,
    # which was measured: the filter must also order by received_at, which lives here, so any
    # plan starting from the clocks fetched every overdue report (0.6 s), and one walking the
    # newest reports probed the clocks of each (0.2 s). A trigger rather than the clock code
    # keeping it: no path (clocks, sweep, extensions, a future one) can forget it.
    next_due_on: Mapped[date | None] = mapped_column(Date)

    category: Mapped[Category] = relationship()
    region: Mapped[Region] = relationship()
    department: Mapped[Department] = relationship()
    assignee: Mapped["User | None"] = relationship()  # noqa: F821
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
    state_changes: Mapped[list["StateChange"]] = relationship(  # noqa: F821
        back_populates="report", order_by="StateChange.id"
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


# The queue's due-date order (portal/casework/queue.py): the soonest running clock first, reports
# without one last, as if due on NO_DUE_DATE. One expression for the index, the ORDER BY and the
# keyset condition. The date is written into the SQL, not bound: SQLite never matches a bound
# parameter to an index expression, PostgreSQL not in a generic plan (without the index the
# order sorted a department's every report: 490 ms at 1M).
NO_DUE_DATE = date(9999, 12, 31)
DUE_ORDER = func.coalesce(Report.next_due_on, literal_column(f"'{NO_DUE_DATE.isoformat()}'"))
Index("ix_reports_department_due_order", Report.department_id, DUE_ORDER, Report.received_at, Report.id)


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
