"""Every change to a report is one function here: it checks the rules, changes the rows, and
records an audit event. Callers (views, CLI, demo loader) commit once afterwards."""

import hmac
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from portal.audit.chain import CITIZEN, record_event
from portal.casework.search import search_text_for
from portal.clock import to_local, utcnow
from portal.deadlines.clocks import refresh_deadlines, start_clocks
from portal.directory.routing import intake_office, route
from portal.evidence.models import Evidence
from portal.evidence.storage import max_files_per_submission, new_storage_name, store_on_commit
from portal.extensions import db
from portal.keys import BadKey
from portal.notify.outbox import notify_state_change
from portal.reports.decisions import apply_details
from portal.reports.errors import ReportError
from portal.reports.history import record_change
from portal.reports.intake_rules import intake_problem
from portal.reports.models import Assignment, Report, Supplement
from portal.reports.numbering import next_number
from portal.reports.receipts import (
    access_key_for,
    content_digest,
    hash_access_key,
    hash_linked_submission_token,
    hash_submission_token,
    normalise_number,
)
from portal.reports.reporters import Reporter, ReporterRole, ReportReporter
from portal.reports.states import ROUTED_MOVES, Kind, State, move
from portal.security import receipt_keys
from portal.validators import licence_kind


@dataclass(frozen=True, kw_only=True)
class IntakeData:
    """What a submission says, as build_report() reads it. The defaults are an anonymous
    tip-off's: no address, licence, date or identity, no reward, in Chinese."""

    kind: str
    category: object
    region: object
    business_name: str
    description: str
    business_address: str | None = None
    business_licence: str | None = None
    occurred_on: date | None = None
    anonymous: bool = True
    reporter_name: str | None = None
    reporter_phone: str | None = None
    reporter_id_number: str | None = None
    contact_email: str | None = None
    wants_reward: bool = False
    language: str = "zh_CN"
    # Complaints (Art. 9): postal address, demand and amount; online orders: platform, order.
    reporter_address: str | None = None
    demand: str | None = None
    demand_amount: Decimal | None = None
    platform: str | None = None
    order_number: str | None = None
    also_tip: bool = False  # a complaint that also reports a violation: two linked reports


@dataclass(frozen=True)
class Receipt:
    report: Report  # a linked submission's complaint; its tip-off is report.linked_report
    access_key: str | None  # None: a repeat that may no longer show the key (key_withheld)
    repeated: bool = False  # True when a double submit found the first report

    @property
    def key_withheld(self):
        return self.access_key is None


def local_year(moment):
    return to_local(moment).year


def _receipt_key(report):
    """The receipt key that made this report's hashes, or None (logged) if it was removed."""
    try:
        return receipt_keys().get(report.receipt_key_id)
    except BadKey:
        current_app.logger.error(
            "RECEIPT_KEYS has no key with id %r, which report %s needs: its receipt cannot be "
            "opened until that key is put back after the newer ones.",
            report.receipt_key_id,
            report.number,
        )
        return None


def find_by_submission_token(token):
    """The report made from this form token, under whichever receipt key made it."""
    ring = receipt_keys()
    hashes = {hash_submission_token(token, key): kid for kid, key in ring.keys}
    report = db.session.scalar(select(Report).where(Report.submission_token_hash.in_(hashes)))
    if report is None or hashes[report.submission_token_hash] != report.receipt_key_id:
        return None
    return report


def _submission_digest(data, staged_files, key):
    """What the form said (everything but the page language) and which files it carried."""
    sent = {f.name: getattr(data, f.name) for f in fields(data) if f.name != "language"}
    sent |= {"category": data.category.id, "region": data.region.id}
    return content_digest(sent, [f.sha256 for f in staged_files], key)


def repeated_receipt(token, data, staged_files):
    """The receipt of the report this very form made, or None if it made none.

    Only for the same content: a token sent again with other content is "form already used"
    (the caller shows the form again with a new token). The key is shown again only soon after
    (RECEIPT_REPEAT_SECONDS: a double click, a lost connection) and only while it still opens the
    report; later (a re-post from the browser's history, maybe by whoever holds the phone now),
    or after staff re-issued the key, the receipt comes back without it. The caller has already
    checked that the token was issued to this browser session.
    """
    report = find_by_submission_token(token)
    if report is None:
        return None
    key = receipt_keys().get(report.receipt_key_id)
    same = hmac.compare_digest(report.submission_digest or "", _submission_digest(data, staged_files, key))
    if not same:
        raise ReportError("form_already_used")
    access_key = access_key_for(token, key)
    window = current_app.config["RECEIPT_REPEAT_SECONDS"]
    too_late = (utcnow() - report.received_at).total_seconds() > window
    reissued = not hmac.compare_digest(report.access_key_hash, hash_access_key(access_key, key))
    return Receipt(report, None if (too_late or reissued) else access_key, repeated=True)


def attach_evidence(report, staged_files, now, supplement=None, message=None):
    if len(staged_files) > max_files_per_submission():
        raise ReportError("too_many_files")
    for staged in staged_files:
        evidence = Evidence(
            supplement=supplement,
            message_id=message.id if message is not None else None,
            storage_name=new_storage_name(staged),
            original_name=staged.original_name,
            mime_type=staged.mime_type,
            size_bytes=staged.size_bytes,
            sha256=staged.sha256,
            metadata_stripped=staged.metadata_stripped,
            created_at=now,
        )
        report.evidence.append(evidence)
        store_on_commit(db.session, staged, evidence)


def submit_report(data, staged_files, submission_token):
    """Create, number and route a report (and the tip-off linked to it, if asked) with its
    evidence; one transaction, one audit event per report."""
    problem = intake_problem(data)
    if problem:
        raise ReportError(problem)
    now, ring = utcnow(), receipt_keys()
    access_key = access_key_for(submission_token, ring.current)
    reporter = _reporter_for(data, now)
    report = build_report(data, Kind(data.kind), reporter, staged_files, now)
    report.submission_token_hash = hash_submission_token(submission_token, ring.current)
    # A linked tip-off gets the same category and region (route() goes by them) and so may go to
    # another department; it opens with the same access key, and its own token hash keeps it unique.
    tip = build_report(data, Kind.TIP, reporter, staged_files, now) if data.also_tip else None
    digest = _submission_digest(data, staged_files, ring.current)
    for each in filter(None, (report, tip)):
        each.receipt_key_id, each.submission_digest = ring.current_id, digest
        each.access_key_hash = hash_access_key(access_key, ring.current)
    if tip is not None:
        tip.submission_token_hash = hash_linked_submission_token(submission_token, ring.current)
    # Numbered last: the counter's row lock is held until commit, so everything that can be
    # worked out before (the clocks' due dates too) is, and nothing is written before it
    # (no_autoflush: the reports cannot be inserted without their numbers).
    with db.session.no_autoflush:
        for each in filter(None, (report, tip)):
            start_clocks(each)
        for each in filter(None, (report, tip)):
            each.number = next_number(Kind(each.kind), local_year(now))
            db.session.add(each)
    db.session.flush()
    if tip is not None:
        report.linked_report, tip.linked_report = tip, report
        db.session.flush()
    for each in filter(None, (report, tip)):
        record_submitted(each)
    return Receipt(report, access_key)


def _reporter_for(data, now):
    """The person behind a submission: real-name identity, or an anonymous reporter's contact
    alone, or nobody (an anonymous report without a contact has no reporter row)."""
    if data.anonymous and not data.contact_email:
        return None
    if data.anonymous:
        return Reporter(email=data.contact_email, created_at=now)
    return Reporter(
        name=data.reporter_name,
        phone=data.reporter_phone or None,
        postal_address=data.reporter_address or None,
        id_number=data.reporter_id_number or None,
        email=data.contact_email or None,
        created_at=now,
    )


def build_report(data, kind, reporter, staged_files, now):
    """One report of a submission (unnumbered, unhashed), routed, with its reporter and evidence."""
    complaint = kind == Kind.COMPLAINT
    decision = route(data.category, data.region)
    licence = data.business_licence or None
    report = Report(
        kind=kind.value,
        state=State.SUBMITTED.value,
        category=data.category,
        region=data.region,
        department=decision.department,
        business_name=data.business_name,
        business_address=data.business_address or None,
        business_licence=licence,
        business_licence_kind=licence_kind(licence).value if licence else None,
        description=data.description,
        occurred_on=data.occurred_on,
        demand=data.demand if complaint else None,
        demand_amount=data.demand_amount if complaint else None,
        platform=data.platform or None,
        order_number=data.order_number or None,
        anonymous=data.anonymous,
        wants_reward=data.wants_reward,
        language=data.language,
        received_at=now,
        updated_at=now,
        search_text=search_text_for(data.business_name, licence, data.description),
        evidence=[],  # known empty until attached: the audit event's list needs no query
    )
    if reporter is not None:
        report.reporter_links.append(ReportReporter(reporter=reporter, role=ReporterRole.PRIMARY))
    report.assignments.append(Assignment(department=decision.department, rule=decision.rule, assigned_at=now))
    attach_evidence(report, staged_files, now)
    record_change(report, None, State.SUBMITTED, CITIZEN, now, department=decision.department)
    return report


def intake_from_report(report):
    """The IntakeData that build_report() would turn into this report's own fields (the business,
    the facts, a complaint's demand, the order, the language). No identity: a report made from it
    shares the reporter row (build_report's `reporter`), it never copies it."""
    return IntakeData(
        kind=report.kind,
        category=report.category,
        region=report.region,
        business_name=report.business_name,
        business_address=report.business_address,
        business_licence=report.business_licence,
        description=report.description,
        occurred_on=report.occurred_on,
        anonymous=report.anonymous,
        wants_reward=report.wants_reward,
        language=report.language,
        demand=report.demand,
        demand_amount=report.demand_amount,
        platform=report.platform,
        order_number=report.order_number,
    )


def record_submitted(report):
    rule = report.assignments[0].rule
    data = {
        "number": report.number,
        "kind": report.kind,
        "department": report.department.code,
        "rule": rule.code if rule else None,
        "evidence_sha256": [e.sha256 for e in report.evidence],
    }
    if report.linked_report is not None:
        data["linked"] = report.linked_report.number
    record_event("report.submitted", report, CITIZEN, data)


def _opens(found, key):
    """Whether `key` opens `found` (a report or its receipt columns; None for no report). A
    wrong number costs the same work as a wrong key: one keyed hash, under the report's receipt
    key or, for no report, the current one."""
    secret = _receipt_key(found) if found is not None else None
    stored = found.access_key_hash if secret is not None else "0" * 64
    matches = hmac.compare_digest(stored, hash_access_key(key, secret or receipt_keys().current))
    return secret is not None and matches


def find_by_receipt(number, key):
    """The report for a receipt, or None."""
    report = db.session.scalar(select(Report).where(Report.number == normalise_number(number)))
    return report if _opens(report, key) else None


def receipt_report_id(number, key):
    """The id of the report a receipt opens, or None: find_by_receipt without loading the
    report, for the lookup page, which needs only the id (the whole row cost it a third of
    its time in the benchmark's profile)."""
    columns = (Report.id, Report.number, Report.receipt_key_id, Report.access_key_hash)
    found = db.session.execute(select(*columns).where(Report.number == normalise_number(number))).first()
    return found.id if _opens(found, key) else None


def add_supplement(report, body, staged_files):
    """The reporter adds text and/or evidence while the report is open."""
    if not report.is_open:
        raise ReportError("report_closed")
    if not body and not staged_files:
        raise ReportError("nothing_to_add")
    now = utcnow()
    supplement = Supplement(report=report, body=body or "", created_at=now)
    db.session.add(supplement)
    attach_evidence(report, staged_files, now, supplement)
    report.updated_at = now
    db.session.flush()
    record_event(
        "report.supplemented",
        report,
        CITIZEN,
        {"supplement_id": supplement.id, "evidence_sha256": [f.sha256 for f in staged_files]},
    )
    return supplement


def transition_report(report, target, actor, reason=None, **details):
    """Move a report along its kind's track, with the details the decision records (see
    decisions.DETAILS). Re-routing names a department: reroute_report()."""
    _change_state(report, _state(target), actor, reason=reason, details=details)
    return report


def reroute_report(report, department, actor, reason):
    """The intake office sends a returned report to the competent department."""
    if report.state != State.RETURNED:
        raise ReportError("not_returned")
    _change_state(
        report, State.SUBMITTED, actor, reason=reason, department=department, action="report.rerouted"
    )
    return report


def _state(value):
    try:
        return State(value)
    except ValueError:
        raise ReportError("invalid_transition", f"unknown state {value!r}") from None


def _change_state(report, target, actor, *, reason=None, details=None, department=None, action=None):
    """The one place a report's state changes: the row is locked, the move checked against its
    kind's table, the decision's columns set, one history row and one audit event written, and
    the reporter's notification queued in the outbox."""
    _lock(report)
    previous = State(report.state)
    step = _check_move(report.kind, previous, target, department)
    recorded = apply_details(report, target, step.details, reason, details or {})
    if target == State.RETURNED:
        department = intake_office()  # a return always goes to the intake office, which re-routes
    elif previous == State.RETURNED:
        report.return_reason = None  # answered by the re-routing; history and audit keep it
    report.state = target.value
    report.updated_at = now = utcnow()
    if department is not None:
        _assign(report, department, None)
    ground = recorded.get("ground")
    record_change(report, previous, target, actor, now, reason=reason, ground=ground, department=department)
    data = {"from": previous.value, "to": target.value, "reason": reason} | recorded
    if department is not None:
        data["department"] = department.code
    record_event(action or f"report.{target.value}", report, actor, data)
    refresh_deadlines(report)
    # The citizen's email, if they gave one, in this same transaction (portal/notify/outbox.py).
    notify_state_change(report, target)


def _lock(report):
    """Hold the report's row until commit (FOR UPDATE on PostgreSQL; SQLite has one writer), and
    refuse if another transaction moved it since it was read: two staff cannot both move it out
    of the same state."""
    if report.id is None:
        return
    stored = db.session.scalar(select(Report.state).where(Report.id == report.id).with_for_update())
    if stored != report.state:
        raise ReportError("state_changed", f"now {stored}, was {report.state} when read")


def _check_move(kind, current, target, department):
    step = move(kind, current, target)
    if step is None:
        raise ReportError("invalid_transition", f"{kind}: {current} → {target}")
    routed = (current, target) in ROUTED_MOVES
    if routed and department is None:
        raise ReportError("reroute_required", f"{current} → {target} names a department")
    if department is not None and not routed:
        raise ReportError("invalid_transition", f"{current} → {target} names no department")
    return step


def _assign(report, department, rule):
    report.department = department
    report.assignments.append(Assignment(department=department, rule=rule, assigned_at=utcnow()))
