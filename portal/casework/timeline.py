"""The staff timeline of a case: state changes (with reasons and who), routing, assignee changes,
internal notes, the reporter's supplements and the messages both ways, oldest first. Citizens see
reports/timeline.py."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.casework.models import Note
from portal.extensions import db
from portal.messages.models import Direction, Message
from portal.reports.timeline import change_text


@dataclass(frozen=True)
class CaseEntry:
    at: datetime
    kind: str  # state, routing, assignee, note, supplement, message-to_reporter, message-from_reporter
    text: str
    actor: str = ""
    detail: str = ""


def _state_entries(report):
    for change in report.state_changes:
        detail = " · ".join(filter(None, (change.ground, change.reason)))
        yield CaseEntry(change.at, "state", str(change_text(report.kind, change)), change.actor_label, detail)


def _routing_entries(report):
    for assignment in report.assignments:
        rule = assignment.rule.code if assignment.rule else ""
        text = _l("Routed to %(department)s", department=assignment.department.name)
        yield CaseEntry(assignment.assigned_at, "routing", str(text), detail=rule)


def _assignee_entries(report):
    """Assignee changes are read from their audit events (the proof and the only record)."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action == "report.assigned",
            AuditEvent.object_type == "reports",
            AuditEvent.object_id == report.id,
        )
        .order_by(AuditEvent.seq)
    )
    for event in events:
        to = event.data.get("to")
        text = _l("Assigned to %(name)s", name=to) if to else _l("Assignment removed")
        yield CaseEntry(event.created_at, "assignee", str(text), event.actor_label)


def _note_entries(report):
    """Internal notes; a note that records a re-issued access key says so (its audit event names it)."""
    notes = db.session.scalars(select(Note).where(Note.report_id == report.id).order_by(Note.id)).all()
    reissues = set()
    if notes:
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "receipt.key_reissued",
                AuditEvent.object_type == "reports",
                AuditEvent.object_id == report.id,
            )
        )
        reissues = {event.data.get("note_id") for event in events}
    for note in notes:
        text = _l("New access key issued; identity checked:") if note.id in reissues else _l("Internal note")
        yield CaseEntry(note.created_at, "note", str(text), note.author.display_name, note.body)


def _supplement_entries(report):
    for supplement in report.supplements:
        yield CaseEntry(
            supplement.created_at,
            "supplement",
            str(_l("The reporter added information")),
            "",
            supplement.body,
        )


def _message_entries(report):
    """Messages both ways. A reporter's answer names nobody: staff never learn who wrote it."""
    messages = db.session.scalars(select(Message).where(Message.report_id == report.id).order_by(Message.id))
    for message in messages:
        if message.direction == Direction.TO_REPORTER:
            text, actor = _l("Message to the reporter"), message.author.display_name
        else:
            files = len(message.attachments)
            text = (
                _ln(
                    "The reporter answered (%(num)d file attached)",
                    "The reporter answered (%(num)d files attached)",
                    files,
                )
                if files
                else _l("The reporter answered")
            )
            actor = ""
        yield CaseEntry(message.created_at, f"message-{message.direction}", str(text), actor, message.body)


def case_timeline(report):
    entries = [
        *_state_entries(report),
        *_routing_entries(report),
        *_assignee_entries(report),
        *_note_entries(report),
        *_supplement_entries(report),
        *_message_entries(report),
    ]
    return sorted(entries, key=lambda e: e.at)
