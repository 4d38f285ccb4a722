"""Public endpoints: reference data, filing a report, and what its receipt opens (status,
evidence, the reporter's answers). Each calls the operations the citizen pages call."""

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from portal.api import bp, json_body
from portal.api.problems import FILE_STATUS, ApiProblem, domain_problem
from portal.api.schemas import (
    CategoryList,
    DepartmentList,
    EvidenceCreated,
    MessageCreated,
    MessageIn,
    RegionList,
    ReportCreated,
    ReportIn,
    ReportStatus,
)
from portal.api.views import legal_dates_out, messages_out
from portal.directory import rows as reference_rows
from portal.directory.models import Category, Department, Region
from portal.evidence.sanitise import RejectedFile
from portal.evidence.storage import (
    EvidenceNotStored,
    discard_on_failure,
    discard_staged,
    max_file_bytes,
    stage_upload,
)
from portal.extensions import db, limiter
from portal.i18n import current_language
from portal.messages.operations import reply_from_reporter
from portal.reports.errors import ReportError
from portal.reports.linking import shares_receipt
from portal.reports.operations import IntakeData, add_supplement, find_by_receipt, submit_report
from portal.reports.receipts import format_key, new_submission_token
from portal.reports.states import public_state_text
from portal.reports.timeline import public_timeline
from portal.site.limits import address_upload_refused, post_refused


def _lookup_limit():
    return current_app.config["RECEIPT_LOOKUP_LIMIT"]


# One budget for every request that opens a report with a receipt (as the /track form).
receipt_lookup = limiter.shared_limit(_lookup_limit, scope="api-receipt")


def _refuse_if_over(setting):
    """The same per-address budget as the web form's posts (portal/site/limits.py)."""
    minutes = post_refused(setting)
    if minutes is not None:
        raise ApiProblem(
            429,
            "rate_limited",
            _("Too many requests from this client. Wait and try again."),
            headers={"Retry-After": str(minutes * 60)},
        )


@bp.get("/categories")
def categories():
    rows = db.session.scalars(
        select(Category).where(Category.active).order_by(Category.position, Category.id)
    )
    items = [
        {"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "group": c.group, "online": c.online}
        for c in rows
    ]
    return CategoryList().dump({"items": items})


@bp.get("/regions")
def regions():
    rows = db.session.scalars(select(Region).order_by(Region.level, Region.code)).all()
    codes = {r.id: r.code for r in rows}
    items = [
        {
            "code": r.code,
            "name_zh": r.name_zh,
            "name_en": r.name_en,
            "level": r.level,
            "parent": codes.get(r.parent_id),
        }
        for r in rows
    ]
    return RegionList().dump({"items": items})


@bp.get("/departments")
def departments():
    rows = db.session.scalars(select(Department).where(Department.active).order_by(Department.id))
    items = [
        {"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en, "intake_office": d.is_intake_office}
        for d in rows
    ]
    return DepartmentList().dump({"items": items})


def _by_code(model, code, field, active=True):
    row = reference_rows.get_by_code(model, code)
    if row is None or (active and not row.active):
        raise ApiProblem(
            422,
            "validation_failed",
            _("Some fields are missing or invalid; see errors."),
            errors={field: [_("Unknown code.")]},
        )
    return row


def _clean(value, upper=False):
    value = (value or "").strip() or None
    return value.upper() if (value and upper) else value


def intake_data(body):
    """IntakeData from a loaded ReportIn, as the web form's _intake_data() builds it."""
    subject, reporter, demand = body["subject"], body.get("reporter") or {}, body.get("demand") or {}
    real_name = not body["anonymous"]
    complaint = body["kind"] == "complaint"
    region = _by_code(Region, body["region"], "region", active=False)
    if region.level < 2:
        raise ApiProblem(
            422,
            "validation_failed",
            _("Some fields are missing or invalid; see errors."),
            errors={"region": [_("Choose a district or a street, not the whole city.")]},
        )
    return IntakeData(
        kind=body["kind"],
        category=_by_code(Category, body["category"], "category"),
        region=region,
        business_name=subject["name"].strip(),
        business_address=_clean(subject.get("address")),
        business_licence=_clean(subject.get("licence_no"), upper=True),
        description=body["description"].strip(),
        occurred_on=body.get("occurred_on"),
        anonymous=not real_name,
        reporter_name=_clean(reporter.get("name")) if real_name else None,
        reporter_phone=_clean(reporter.get("phone")) if real_name else None,
        reporter_id_number=_clean(reporter.get("id_number"), upper=True) if real_name else None,
        contact_email=_clean(reporter.get("email")),
        wants_reward=body["wants_reward"],
        language=current_language(),
        reporter_address=_clean(reporter.get("address")) if real_name else None,
        demand=demand.get("type") if complaint else None,
        demand_amount=demand.get("amount") if complaint else None,
        platform=_clean(body.get("platform")),
        order_number=_clean(body.get("order_number")),
        also_tip=bool(complaint and body["also_tip"]),
    )


@bp.post("/reports")
def create_report():
    body = json_body(ReportIn())
    _refuse_if_over("SUBMISSION_LIMIT")
    data = intake_data(body)
    try:
        receipt = submit_report(data, [], new_submission_token())
        db.session.commit()
    except ReportError as exc:
        db.session.rollback()
        raise domain_problem(exc.code) from None
    except IntegrityError:  # a fresh random token cannot repeat; a clash is a real fault
        db.session.rollback()
        raise
    report = receipt.report
    out = {
        "number": report.number,
        "access_key": format_key(receipt.access_key),
        "kind": report.kind,
        "state": report.state,
        "department": report.department.code,
        "received_at": report.received_at,
    }
    if report.linked_report is not None:
        out["linked_number"] = report.linked_report.number
    return ReportCreated().dump(out), 201, {"Cache-Control": "no-store"}


def _receipt_report(number):
    """The report the number and X-Access-Key open; one 404 for a wrong number or a wrong key."""
    key = request.headers.get("X-Access-Key", "")
    report = find_by_receipt(number[:30], key[:60]) if key else None
    if report is None:
        raise ApiProblem(
            404,
            "not_found",
            _("There is nothing at this address, or the report number and access key do not match."),
        )
    return report


@bp.get("/reports/<number>")
@receipt_lookup
def report_status(number):
    report = _receipt_report(number)
    linked = report.linked_report
    out = {
        "number": report.number,
        "kind": report.kind,
        "state": {"code": report.state, "text": str(public_state_text(report.kind, report.state))},
        "department": {"code": report.department.code, "name": report.department.name},
        "received_at": report.received_at,
        "timeline": [{"at": e.at, "text": str(e.text)} for e in public_timeline(report)],
        "messages": messages_out(report),
        "legal_dates": legal_dates_out(report),
        "linked_number": linked.number if shares_receipt(report, linked) else None,
    }
    return ReportStatus().dump(out), 200, {"Cache-Control": "no-store"}


def _one_upload():
    """The single file of a multipart upload, staged (content checked, metadata stripped)."""
    files = request.files.getlist("file")
    if len(files) != 1 or not isinstance(files[0], FileStorage):
        raise ApiProblem(
            422,
            "validation_failed",
            _("Some fields are missing or invalid; see errors."),
            errors={"file": [_('Send exactly one file in the multipart field "file".')]},
        )
    upload = files[0]
    data = upload.stream.read(max_file_bytes() + 1)
    if address_upload_refused(len(data)):
        raise ApiProblem(
            429,
            "upload_budget",
            _("Too much was uploaded from this client lately. Try again later."),
            headers={"Retry-After": "3600"},
        )
    try:
        return stage_upload(data, upload.filename or "file")
    except RejectedFile as exc:
        from portal.site.uploads import file_refusal_text

        raise ApiProblem(
            FILE_STATUS.get(exc.reason, 422), f"file_{exc.reason}", file_refusal_text(exc.reason, "file")
        ) from None


@bp.post("/reports/<number>/evidence")
@receipt_lookup
def add_evidence(number):
    report = _receipt_report(number)
    _refuse_if_over("SUPPLEMENT_LIMIT")
    staged = _one_upload()
    try:
        with discard_on_failure([staged]):
            add_supplement(report, "", [staged])
            db.session.commit()
    except ReportError as exc:
        db.session.rollback()
        discard_staged([staged])
        raise domain_problem(exc.code) from None
    except EvidenceNotStored:
        db.session.rollback()
        raise domain_problem("evidence_not_stored") from None
    return EvidenceCreated().dump(staged.__dict__), 201


@bp.post("/reports/<number>/messages")
@receipt_lookup
def reporter_message(number):
    report = _receipt_report(number)
    body = json_body(MessageIn())
    _refuse_if_over("SUPPLEMENT_LIMIT")
    try:
        message = reply_from_reporter(report, body["body"], [])
        db.session.commit()
    except ReportError as exc:
        db.session.rollback()
        raise domain_problem(exc.code) from None
    return MessageCreated().dump(
        {"id": message.id, "direction": message.direction, "at": message.created_at}
    ), 201
