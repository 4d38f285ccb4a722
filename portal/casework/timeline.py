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
from portal.deadlines.extensions import ExtensionOutcome, extension_requests
from portal.deadlines.policies import policy_text
from portal.extensions import db
from portal.messages.models import Direction, Message
from portal.reports.states import Kind
from portal.reports.timeline import change_text


@dataclass(frozen=True)
class CaseEntry:
    at: datetime
    # state, routing, assignee, extension, note, supplement, message-to_reporter, message-from_reporter
    kind: str
    text: str
    actor: str = ""
    detail: str = ""


# Who acted, in words staff read: the citizen is never named (their identity is masked) and the
# audit label "reporter" is a code, not a word. Staff actors keep their "role:username" label.
CITIZEN_TEXT = {Kind.COMPLAINT: _l("Complainant"), Kind.TIP: _l("Tip-off reporter")}
SYSTEM_TEXT = _l("System")


def actor_text(kind, actor_kind, label):
    if actor_kind == "citizen":
        return str(CITIZEN_TEXT[Kind(kind)])
    if actor_kind == "system":
        return str(SYSTEM_TEXT)
    return label


def rule_text(rule):
    """The routing rule that decided, by what it covers (its code is an administrator's key)."""
    if rule is None:
        return ""
    category = rule.category.name if rule.category else _l("Any category")
    region = rule.region.name if rule.region else _l("Any region")
    return str(_l("Routing rule: %(category)s · %(region)s", category=category, region=region))


def _state_entries(report):
    for change in report.state_changes:
        detail = " · ".join(filter(None, (change.ground, change.reason)))
        actor = actor_text(report.kind, change.actor_kind, change.actor_label)
        yield CaseEntry(change.at, "state", str(change_text(report.kind, change)), actor, detail)


def _routing_entries(report):
    for assignment in report.assignments:
        text = _l("Routed to %(department)s", department=assignment.department.name)
        yield CaseEntry(assignment.assigned_at, "routing", str(text), detail=rule_text(assignment.rule))


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


def _extension_entries(report):
    """Extension requests and their decisions (the rows; their audit events prove them)."""
    for request in extension_requests(report):
        clock = policy_text(request.deadline.policy_code)
        text = _l("Extension requested: %(clock)s", clock=clock)
        yield CaseEntry(
            request.requested_at, "extension", str(text), request.requested_by.display_name, request.reason
        )
        if request.decided_at is None:
            continue
        if request.outcome == ExtensionOutcome.APPROVED:
            text = _l("Extension approved: %(clock)s", clock=clock)
        elif request.decided_by is None:
            text = _l("Extension request closed: the deadline stopped running")
        else:
            text = _l("Extension refused: %(clock)s", clock=clock)
        who = request.decided_by.display_name if request.decided_by else str(SYSTEM_TEXT)
        detail = request.decision_reason if request.decided_by else ""
        yield CaseEntry(request.decided_at, "extension", str(text), who, detail or "")


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
        *_extension_entries(report),
        *_note_entries(report),
        *_supplement_entries(report),
        *_message_entries(report),
    ]
    return sorted(entries, key=lambda e: e.at)
