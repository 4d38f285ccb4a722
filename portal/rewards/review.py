"""The auditors' view of rewards: every decision beside the rule's amount, with its flags, and
the rows of the decision and payout exports, masked by role. Read-only, except that each export
is audited (`record_export`)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from portal.accounts.models import Role
from portal.accounts.permissions import scoped_reports
from portal.audit.chain import Actor, record_event
from portal.casework.masking import mask_name
from portal.clock import LOCAL_TZ, to_local
from portal.directory.models import Department
from portal.extensions import db
from portal.reports.models import Report
from portal.rewards.audit_flags import Flag, bank_accounts, flag_awards, payee_names, with_payees
from portal.rewards.models import RewardAward

EXPORT_TABLES = ("decisions", "payouts")
EXPORT_FORMATS = ("csv", "xlsx")


def mask_account(account):
    """6222021234561234 -> 6222********1234: enough to tell accounts apart, not to pay one."""
    if not account:
        return ""
    if len(account) <= 8:
        return "*" * len(account)
    return account[:4] + "*" * (len(account) - 8) + account[-4:]


def sees_payees_in_full(user):
    """Finance pays, so finance reads names and accounts; everyone else reads them masked."""
    return getattr(user, "role", None) == Role.FINANCE


@dataclass(frozen=True)
class Filters:
    department: str | None = None  # department code
    year: int | None = None  # Beijing year of the proposal
    flag: Flag | None = None

    def as_data(self):
        return {"department": self.department, "year": self.year, "flag": self.flag and self.flag.value}

    def query(self):
        """The filters set, as query-string arguments (for the export links)."""
        return {key: value for key, value in self.as_data().items() if value}


def parse_filters(args):
    """Filters from a query string; a value that names nothing is left out, never guessed."""
    department = (args.get("department") or "").strip() or None
    year = (args.get("year") or "").strip()
    flag = (args.get("flag") or "").strip()
    return Filters(
        department=department,
        year=int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None,
        flag=Flag(flag) if flag in set(Flag) else None,
    )


@dataclass
class DecisionRow:
    award: RewardAward
    rule: Decimal | None  # the rule's amount re-run from the recorded inputs
    findings: list
    payee: str  # masked unless finance
    account: str  # masked unless finance
    paid: Decimal = field(default=Decimal("0.00"))  # paid and not reversed
    corrected_by: int | None = None  # the award proposed to replace this reversed one

    @property
    def flags(self):
        return [f.flag for f in self.findings]


def _year_bounds(year):
    """The Beijing year as naive UTC bounds (times are stored as naive UTC)."""
    return tuple(
        datetime(y, 1, 1, tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None) for y in (year, year + 1)
    )


def _awards(user, filters):
    visible = scoped_reports(user).with_only_columns(Report.id)
    query = select(RewardAward).join(Report, Report.id == RewardAward.report_id).where(Report.id.in_(visible))
    if filters.department:
        query = query.join(Department, Department.id == Report.department_id).where(
            Department.code == filters.department
        )
    if filters.year:
        start, end = _year_bounds(filters.year)
        query = query.where(RewardAward.proposed_at >= start, RewardAward.proposed_at < end)
    return db.session.scalars(query.options(*with_payees()).order_by(RewardAward.id)).all()


def decision_rows(user, filters=Filters()):
    """Every reward decision this user may see (auditors: all; leads: their department; finance:
    the awards it works on), with the re-run rule amount and the flags, filtered."""
    awards = _awards(user, filters)
    visible = db.session.scalars(scoped_reports(user).with_only_columns(Report.number)).all()
    findings, rules = flag_awards(awards, visible)
    full = sees_payees_in_full(user)
    replacements = _replacements()
    rows = []
    for award in awards:
        names = payee_names(award) if award.claimed else []
        accounts = bank_accounts(award)
        rows.append(
            DecisionRow(
                award=award,
                rule=rules[award.id],
                findings=findings[award.id],
                payee=", ".join(n if full else mask_name(n) for n in names),
                account=", ".join(a if full else mask_account(a) for a in accounts),
                paid=sum((p.amount for p in award.payouts if p.reversal is None), Decimal("0.00")),
                corrected_by=replacements.get(award.id),
            )
        )
    if filters.flag:
        rows = [row for row in rows if filters.flag in row.flags]
    return rows


def _replacements():
    """{reversed award id: the latest award proposed to replace it}."""
    pairs = db.session.execute(
        select(RewardAward.corrects_award_id, RewardAward.id)
        .where(RewardAward.corrects_award_id.is_not(None))
        .order_by(RewardAward.id)
    )
    return dict(pairs.all())


def _when(moment):
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _money(value):
    return "" if value is None else f"{value:.2f}"


def decision_record(row):
    """One decision as export values (strings), by column key."""
    a = row.award
    signoffs = "; ".join(f"{s.kind}: {s.user.display_name} {_when(s.signed_at)}" for s in a.signoffs)
    return {
        "award": str(a.id),
        "report": a.report.number,
        "department": a.report.department.code,
        "status": a.status,
        "level": str(a.level),
        "penalty": _money(a.penalty_yuan),
        "already_awarded": _money(a.already_awarded),
        "insider_multiplier": f"{a.insider_multiplier:.2f}",
        "policy": a.policy_version,
        "rule_amount": _money(row.rule),
        "recorded_rule_amount": _money(a.rule_amount),
        "amount": _money(a.amount),
        "amount_reason": a.amount_reason or "",
        "proposer": a.proposer.display_name,
        "proposed_at": _when(a.proposed_at),
        "approver": a.approver.display_name if a.approver else "",
        "decided_at": _when(a.decided_at),
        "signoffs": signoffs,
        "claim": "; ".join(
            f"{s.role}: {s.claim_method or ('lapsed' if s.lapsed_at else '')}" for s in a.shares
        ),
        "claimed_at": "; ".join(_when(s.claimed_at) for s in a.shares if s.claimed_at),
        "payee": row.payee,
        "account": row.account,
        "paid": _money(row.paid),
        "flags": " ".join(row.flags),
        "reversal": reversal_text(a),
        "corrects": str(a.corrects_award_id or ""),
        "corrected_by": str(row.corrected_by or ""),
    }


def reversal_text(award):
    """The award's correction as the export says it: reason, who asked, who confirmed, when."""
    r = award.reversal
    if r is None:
        return ""
    confirmed = f"{r.confirmed_by.display_name} {_when(r.confirmed_at)}" if r.confirmed_by else "pending"
    return f"{r.reason} ({r.requested_by.display_name} {_when(r.requested_at)}; {confirmed})"


def payout_records(rows):
    """Every payout of these decisions (reversed ones too, with the reversal), as export values."""
    for row in rows:
        for p in row.award.payouts:
            reversal = p.reversal
            yield {
                "payout": str(p.id),
                "award": str(row.award.id),
                "report": row.award.report.number,
                "attempt": str(p.attempt),
                "amount": _money(p.amount),
                "method": p.method,
                "reference": p.reference,
                "paid_on": p.paid_on.isoformat(),
                "recorded_at": _when(p.recorded_at),
                "payee": row.payee,
                "account": row.account,
                "reversed": _money(reversal.amount) if reversal else "",
                "reversal_reason": reversal.reason if reversal else "",
            }


def export_records(user, table, filters):
    """The rows an export holds, in order (a list, so the export can be audited with its count
    before the first byte is sent)."""
    rows = decision_rows(user, filters)
    if table == "decisions":
        return [decision_record(row) for row in rows]
    return list(payout_records(rows))


def record_export(user, table, fmt, filters, count):
    """Each export is audited: what, in which format, under which filter, how many rows, masked
    or not (never the rows themselves)."""
    record_event(
        "rewards.exported",
        None,
        Actor.for_user(user),
        {
            "table": table,
            "format": fmt,
            "filter": filters.as_data(),
            "rows": count,
            "masked": not sees_payees_in_full(user),
        },
    )
