"""The casework changes: each checks can(), changes rows, and writes one audit event. Callers
commit once afterwards."""

from sqlalchemy import select

from portal.accounts.models import DEPARTMENT_ROLES, User
from portal.accounts.permissions import Action, can
from portal.audit.chain import Actor, record_event
from portal.casework.models import NOTE_MAX_CHARS, Note
from portal.clock import utcnow
from portal.extensions import db
from portal.reports.errors import ReportError


def colleagues(user):
    """The active staff and leads of the user's department (whom a lead may assign to)."""
    if user.department_id is None:
        return []
    return db.session.scalars(
        select(User)
        .where(
            User.department_id == user.department_id, User.active.is_(True), User.role.in_(DEPARTMENT_ROLES)
        )
        .order_by(User.display_name, User.id)
    ).all()


def assign_reports(reports, assignee, user):
    """Give reports to a colleague of their department; all or nothing."""
    if not reports:
        raise ReportError("nothing_selected")
    for report in reports:
        if not can(user, Action.ASSIGN, report):
            raise ReportError("not_allowed")
        if assignee is not None and (
            assignee.department_id != report.department_id
            or not assignee.active
            or assignee.role not in DEPARTMENT_ROLES
        ):
            raise ReportError("assignee_not_in_department")
    actor = Actor.for_user(user)
    for report in reports:
        previous = report.assignee
        report.assignee = assignee
        data = {
            "number": report.number,
            "from": previous.username if previous else None,
            "to": assignee.username if assignee else None,
        }
        record_event("report.assigned", report, actor, data)
    db.session.flush()


def add_note(report, body, user):
    """An internal note on a case (never shown to the citizen)."""
    if not can(user, Action.ADD_NOTE, report):
        raise ReportError("not_allowed")
    body = (body or "").strip()
    if not body:
        raise ReportError("empty_note")
    if len(body) > NOTE_MAX_CHARS:
        raise ReportError("note_too_long")
    note = Note(report_id=report.id, author=user, body=body, created_at=utcnow())
    db.session.add(note)
    db.session.flush()
    # The event proves a note was written; its text stays in the notes table.
    record_event("note.added", report, Actor.for_user(user), {"number": report.number, "note_id": note.id})
    return note


def reveal_reporter(report, user):
    """Unmask a real-name reporter for this user, once per press, audited without the identity."""
    if not can(user, Action.VIEW_IDENTITY, report):
        raise ReportError("not_allowed")
    if report.anonymous or report.primary_reporter is None:
        raise ReportError("reporter_anonymous")
    record_event("reporter.revealed", report, Actor.for_user(user), {"number": report.number})
    return report.reporters


def record_download(report, evidence, user):
    """Every evidence download leaves a trace: who, which file, its SHA-256."""
    if not can(user, Action.DOWNLOAD_EVIDENCE, report) or evidence.report_id != report.id:
        raise ReportError("not_allowed")
    record_event(
        "evidence.downloaded",
        report,
        Actor.for_user(user),
        {"number": report.number, "evidence_id": evidence.id, "sha256": evidence.sha256},
    )
