"""The intake office re-routes a returned report: the routing rules suggest a department, the
office may pick another, and then says why. Nothing else changes a report's department."""

from sqlalchemy import select

from portal.directory.models import Department
from portal.directory.routing import route
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.reports.operations import reroute_report


def routing_preview(report):
    """Which department the rules would give this report now (None: no rule matches)."""
    decision = route(report.category, report.region)
    return decision.department if decision.rule is not None else None


def reroute_choices():
    """Departments a returned report may go to: active ones, never back to the intake office."""
    query = select(Department).where(Department.active.is_(True), Department.is_intake_office.is_(False))
    return db.session.scalars(query.order_by(Department.id)).all()


def reroute_to(report, department_id, actor, reason):
    """Send a returned report on; a reason is required when the choice is not the rules' own."""
    department = next((d for d in reroute_choices() if d.id == department_id), None)
    if department is None:
        raise ReportError("invalid_department")
    reason = (reason or "").strip() or None
    if department != routing_preview(report) and reason is None:
        raise ReportError("reroute_reason_required")
    return reroute_report(report, department, actor, reason)
