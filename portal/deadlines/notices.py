"""The dates the law ties to what a reporter is told, for the status page: from the report's
clocks (report_deadlines) and the policy version each was counted under. Codes and dates only;
portal/site/legal_dates.py words them in the reporter's language."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.clock import to_local
from portal.deadlines.models import RUNNING, ReportDeadline
from portal.extensions import db

# The clocks a reporter is told about, in the order of the procedure (the return approval is an
# internal rule of this office, not a date the law gives the reporter).
CITIZEN_CLOCKS = (
    "complaint.accept",
    "complaint.mediation",
    "complaint.mediation_ended_notice",
    "tip.case_decision",
    "tip.decision_notice",
    "tip.case_conclusion",
)


@dataclass(frozen=True)
class LegalDate:
    code: str  # the clock's policy code
    due_on: date
    running: bool  # still waiting for the step; else met on met_on
    met_on: date | None  # local date
    provisional: bool  # counted on a computed holiday calendar (the official one is not out yet)
    extended: bool  # a lead extended it, as the policy allows
    days: int  # the count the rule gives, with the extension if granted
    working_days: bool  # counted in working days (else calendar days)
    citation: str  # the rule the policy version names, e.g. "…暂行办法（2022年修正）第十五条"


def _citation(source):
    return source.replace(":", "：").split("：", 1)[0].strip()


def _legal_date(deadline):
    policy = deadline.policy
    days = policy.working_days if policy.working_days is not None else policy.calendar_days
    return LegalDate(
        code=deadline.policy_code,
        due_on=deadline.due_on,
        running=deadline.status in RUNNING,
        met_on=to_local(deadline.met_at).date() if deadline.met_at else None,
        provisional=deadline.provisional,
        extended=deadline.extended,
        days=days + (policy.extension_days if deadline.extended else 0),
        working_days=policy.working_days is not None,
        citation=_citation(policy.source),
    )


def legal_dates(report):
    """[LegalDate] of the report's citizen-facing clocks, the latest of each code (a re-routed
    report's new clock replaces the one its return stopped), in the procedure's order."""
    rows = db.session.scalars(
        select(ReportDeadline)
        .where(ReportDeadline.report_id == report.id, ReportDeadline.policy_code.in_(CITIZEN_CLOCKS))
        .options(joinedload(ReportDeadline.policy))
        .order_by(ReportDeadline.id)
    )
    latest = {row.policy_code: row for row in rows}
    return [_legal_date(latest[code]) for code in CITIZEN_CLOCKS if code in latest]
