"""The auditors' view of rewards and its exports. Read-only pages over portal/rewards/review.py
(decisions, re-run rule amounts, flags); each export is audited before its first row is sent."""

import csv
import io

from flask import Response, abort, render_template, request, stream_with_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from portal.directory.models import Department
from portal.extensions import db
from portal.rewards import review
from portal.rewards.audit_flags import Flag

FLAG_LABELS = {
    Flag.SELF_APPROVED: _l("Proposer approved it"),
    Flag.OFF_RULE_NO_REASON: _l("Amount off the rule without a reason"),
    Flag.PAID_BEFORE_APPROVAL: _l("Paid before approval"),
    Flag.PAID_ABOVE_APPROVAL: _l("Paid above the approval"),
    Flag.SHARED_PAYEE: _l("Payee account or phone in several cases"),
    Flag.PAYEE_IS_STAFF: _l("Payee matches a staff member"),
}

DECISION_COLUMNS = {
    "award": _l("Award"),
    "report": _l("Tip-off"),
    "department": _l("Department"),
    "status": _l("Status"),
    "level": _l("Level"),
    "penalty": _l("Confiscations and fines"),
    "already_awarded": _l("Already awarded in the case"),
    "insider_multiplier": _l("Insider multiplier"),
    "policy": _l("Policy"),
    "rule_amount": _l("By the rules (re-computed)"),
    "recorded_rule_amount": _l("By the rules (recorded)"),
    "amount": _l("Approved amount"),
    "amount_reason": _l("Reason for a different amount"),
    "proposer": _l("Proposed by"),
    "proposed_at": _l("Proposed at"),
    "approver": _l("Decided by"),
    "decided_at": _l("Decided at"),
    "signoffs": _l("Finance sign-offs"),
    "claim": _l("Claim"),
    "claimed_at": _l("Claimed at"),
    "payee": _l("Payee"),
    "account": _l("Bank account"),
    "paid": _l("Paid"),
    "flags": _l("Flags"),
    "reversal": _l("Correction (reversal)"),
    "corrects": _l("Corrects award"),
    "corrected_by": _l("Corrected by award"),
}
PAYOUT_COLUMNS = {
    "payout": _l("Payout"),
    "award": _l("Award"),
    "report": _l("Tip-off"),
    "attempt": _l("Attempt"),
    "amount": _l("Amount"),
    "method": _l("Method"),
    "reference": _l("Reference"),
    "paid_on": _l("Paid on"),
    "recorded_at": _l("Recorded at"),
    "payee": _l("Payee"),
    "account": _l("Bank account"),
    "reversed": _l("Reversed"),
    "reversal_reason": _l("Reason for the reversal"),
}


@bp.get("/rewards/audit")
def reward_audit():
    filters = review.parse_filters(request.args)
    rows = review.decision_rows(current_user, filters)
    departments = db.session.scalars(select(Department).order_by(Department.code)).all()
    return render_template(
        "admin/rewards/audit.html",
        rows=rows,
        filters=filters,
        departments=departments,
        flag_labels=FLAG_LABELS,
        full=review.sees_payees_in_full(current_user),
    )


def _csv(columns, records):
    """One line at a time: the header, then each row (UTF-8 with a BOM, so Excel reads Chinese)."""

    def line(values):
        buffer = io.StringIO()
        csv.writer(buffer).writerow(values)
        return buffer.getvalue()

    yield "\ufeff" + line([str(label) for label in columns.values()])
    for record in records:
        yield line([record[key] for key in columns])


def _xlsx(columns, records):
    from openpyxl import Workbook  # here: 7.5 MB that a worker needs only for this export

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([str(label) for label in columns.values()])
    for record in records:
        sheet.append([record[key] for key in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@bp.get("/rewards/audit/<table>.<fmt>")
def reward_audit_export(table, fmt):
    if table not in review.EXPORT_TABLES or fmt not in review.EXPORT_FORMATS:
        abort(404)
    filters = review.parse_filters(request.args)
    records = review.export_records(current_user, table, filters)
    review.record_export(current_user, table, fmt, filters, len(records))
    db.session.commit()
    columns = DECISION_COLUMNS if table == "decisions" else PAYOUT_COLUMNS
    name = f"rewards-{table}.{fmt}"
    headers = {"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"}
    if fmt == "csv":
        body = stream_with_context(_csv(columns, records))
        return Response(body, mimetype="text/csv", headers=headers)
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(_xlsx(columns, records), mimetype=mimetype, headers=headers)
