"""Linked reports: a complaint and the tip-off about the same facts, each on its own track.

A linked submission makes both at once (operations.submit_report); staff link two existing
reports, or open a tip-off from a complaint that revealed a violation. Either way the link goes
both ways (reports.linked_report_id) and is audited on both reports.
"""

import hmac
from dataclasses import replace

from portal.audit.chain import record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.reports.numbering import next_number
from portal.reports.operations import (
    ReportError,
    build_report,
    intake_from_report,
    local_year,
    record_submitted,
)
from portal.reports.receipts import hash_submission_token, new_submission_token
from portal.reports.states import Kind


def shares_receipt(report, other):
    """True when one access key opens both reports (a linked submission, or a tip-off staff
    opened from the complaint): only then may the citizen switch between them."""
    return (
        other is not None
        and report.receipt_key_id == other.receipt_key_id
        and hmac.compare_digest(report.access_key_hash, other.access_key_hash)
    )


def link_reports(complaint, tip, actor, reason):
    """Staff link an existing complaint to an existing tip-off about the same facts."""
    if (complaint.kind, tip.kind) != (Kind.COMPLAINT, Kind.TIP):
        raise ReportError("link_needs_complaint_and_tip")
    if complaint.linked_report_id is not None or tip.linked_report_id is not None:
        raise ReportError("already_linked")
    if not reason:
        raise ReportError("reason_required")
    complaint.linked_report, tip.linked_report = tip, complaint
    db.session.flush()
    for report, other in ((complaint, tip), (tip, complaint)):
        record_event("report.linked", report, actor, {"linked": other.number, "reason": reason})


def open_linked_tip(complaint, actor, description):
    """Staff open a tip-off from a complaint that revealed a violation. The complainant's key
    opens it too (they are its source), and it is routed by its own rules, like any tip-off."""
    if complaint.kind != Kind.COMPLAINT:
        raise ReportError("link_needs_complaint_and_tip")
    if complaint.linked_report_id is not None:
        raise ReportError("already_linked")
    if not description:
        raise ReportError("description_required")
    now = utcnow()
    # A tip-off about the complaint's business: the same facts but the staff's description, and
    # no reward asked (the complainant never asked for one) and no demand (tips have none).
    data = replace(
        intake_from_report(complaint),
        kind=Kind.TIP.value,
        description=description,
        wants_reward=False,
        demand=None,
        demand_amount=None,
    )
    tip = build_report(data, Kind.TIP, complaint.primary_reporter, [], now)
    tip.receipt_key_id, tip.access_key_hash = complaint.receipt_key_id, complaint.access_key_hash
    # Never submitted through a form: a random token's hash fills the unique column.
    tip.submission_token_hash = hash_submission_token(new_submission_token())
    tip.number = next_number(Kind.TIP, local_year(now))
    db.session.add(tip)
    db.session.flush()
    complaint.linked_report, tip.linked_report = tip, complaint
    db.session.flush()
    record_submitted(tip)
    record_event("report.linked", tip, actor, {"linked": complaint.number, "opened_from": complaint.number})
    record_event("report.linked", complaint, actor, {"linked": tip.number, "opened_from": complaint.number})
    return tip
