"""The public timeline a reporter sees: state changes in plain language, no internal notes."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db

# Actions the reporter may see, with the text shown for each.
PUBLIC_ACTIONS = {
    "report.submitted": _l("Report received"),
    "report.supplemented": _l("You added information"),
    "report.accepted": _l("Accepted by the department"),
    "report.declined": _l("Not accepted"),
    "report.returned": _l("Returned to the intake office to find the right department"),
    "report.rerouted": _l("Passed to the competent department"),
    "report.investigating": _l("Investigation started"),
    "report.substantiated": _l("Investigation finished: substantiated"),
    "report.partly_substantiated": _l("Investigation finished: partly substantiated"),
    "report.unsubstantiated": _l("Investigation finished: not substantiated"),
    "report.closed": _l("Closed"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str


def public_timeline(report):
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "reports",
            AuditEvent.object_id == report.id,
            AuditEvent.action.in_(list(PUBLIC_ACTIONS)),
        )
        .order_by(AuditEvent.id)
    )
    return [TimelineEntry(ev.created_at, PUBLIC_ACTIONS[ev.action]) for ev in events]
