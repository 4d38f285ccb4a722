"""Following a report with its receipt: status, public timeline, adding information."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.directory.models import Region
from portal.evidence.storage import EvidenceNotStored, discard_on_failure
from portal.extensions import db, limiter
from portal.reports.linking import shares_receipt
from portal.reports.models import Report
from portal.reports.operations import ReportError, add_supplement, receipt_report_id
from portal.reports.receipts import normalise_number
from portal.reports.states import DECLINE_GROUND_TEXT, KIND_TEXT, MEDIATION_END_GROUND_TEXT, public_state_text
from portal.reports.timeline import public_timeline
from portal.sessions.models import SessionKind
from portal.sessions.operations import end_tracking as end_tracking_session
from portal.sessions.operations import open_tracking, resume_session, tracked_report_id, unsaved_changes
from portal.site import bp
from portal.site.conversation import conversation_page
from portal.site.forms import LookupForm, SupplementForm
from portal.site.http import no_store
from portal.site.messages import report_error_text
from portal.site.uploads import collect_evidence, evidence_limits, keep_evidence, keep_staged, post_limit_text

TRACK_SESSION = "tracking"  # the cookie holds a token; portal/sessions decides if it still works


def _lookup_limit():
    return current_app.config["RECEIPT_LOOKUP_LIMIT"]


# What the status page shows of a report: loaded with it, not by one lazy load per relationship.
STATUS_PAGE_ROWS = (
    joinedload(Report.department),
    joinedload(Report.category),
    joinedload(Report.region).joinedload(Region.parent),  # the page names the district too
    selectinload(Report.state_changes),
    selectinload(Report.supplements),
    selectinload(Report.evidence),
)


def _tracked_report():
    """The report this browser opened with a receipt, while its server-side session lives."""
    report_id = tracked_report_id(session.get(TRACK_SESSION))
    if unsaved_changes():
        # An ended or touched session is saved before the page does anything (only then).
        db.session.commit()
    if report_id is None:
        session.pop(TRACK_SESSION, None)
        return None
    # Load what the page reads in one go: the session row gave the id, so the report, its
    # department, category and region come in one statement and its lists in three more.
    return db.session.scalars(select(Report).where(Report.id == report_id).options(*STATUS_PAGE_ROWS)).one()


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def track():
    form = LookupForm()
    not_found = False
    if request.method == "GET" and request.args.get("number"):
        # Opened from the printed receipt's QR code: the number is filled in, the key never is.
        form.number.data = normalise_number(request.args["number"])[:30]
    if form.validate_on_submit():
        report_id = receipt_report_id(form.number.data, form.access_key.data)
        if report_id is not None:
            session[TRACK_SESSION] = open_tracking(report_id, session.get(TRACK_SESSION))
            db.session.commit()
            return redirect(url_for("site.status"))
        not_found = True
        form.access_key.data = ""  # never echo a key back into the page
    status = 404 if not_found else (422 if request.method == "POST" else 200)
    return no_store(render_template("site/track.html", form=form, not_found=not_found), status)


@bp.route("/track/status", methods=["GET", "POST"])
def status():
    report = _tracked_report()
    if report is None:
        flash(_("Enter your report number and access key to continue."), "info")
        return redirect(url_for("site.track"))
    form = SupplementForm()
    staged, file_errors, limited, refused = [], [], None, None
    if request.method == "POST":
        limited = post_limit_text("SUPPLEMENT_LIMIT")
        # Files are staged even when the text is refused, so the citizen need not choose them again.
        staged, file_errors = (keep_evidence(form), []) if limited else collect_evidence(form)
        if not limited and form.validate_on_submit() and not file_errors:
            try:
                # Refusals keep the files (the form is shown again, as on intake); a crash discards them.
                with discard_on_failure(staged, keep_on=(ReportError, EvidenceNotStored)):
                    add_supplement(report, (form.body.data or "").strip(), staged)
                    db.session.commit()
                flash(_("Thank you. Your information was added to the report."), "success")
                return redirect(url_for("site.status"))
            except ReportError as exc:
                refused = exc.code
            except EvidenceNotStored:  # the store failed: nothing was saved, send it again later
                refused = "evidence_not_stored"
            db.session.rollback()
            staged = keep_staged(form, staged)
            file_errors.append(report_error_text(refused))
    # As on intake: a failed store is the service's fault (503), not the citizen's.
    failed = 503 if refused == "evidence_not_stored" else None
    return render_status(report, form, staged, file_errors, limited, status=failed)


def render_status(report, form, staged=(), file_errors=(), limited=None, conversation=None, status=None):
    """The status page; `conversation` carries a refused answer back into its own form."""
    html = render_template(
        "site/status.html",
        report=report,
        form=form,
        staged=staged,
        file_errors=file_errors,
        state_text=public_state_text,
        kind_text=KIND_TEXT,
        ground_text=DECLINE_GROUND_TEXT,
        end_ground_text=MEDIATION_END_GROUND_TEXT,
        timeline=public_timeline(report),
        linked=_switchable(report),
        limited=limited,
        **evidence_limits(),
        **(conversation or conversation_page(report)),
    )
    return no_store(html, status or (429 if limited else (422 if request.method == "POST" else 200)))


def _switchable(report):
    """The other track of a linked pair, if the same receipt opens it; else None (reports that
    staff linked may belong to different people, who must not see each other's)."""
    other = report.linked_report
    return other if shares_receipt(report, other) else None


@bp.post("/track/switch")
def switch_track():
    """Show the other report of a linked pair in this same session (same key, same lifetime)."""
    record = resume_session(session.get(TRACK_SESSION), SessionKind.TRACKING)
    other = _switchable(record.report) if record is not None else None
    if other is not None:
        record.report = other
    db.session.commit()
    return redirect(url_for("site.status"))


@bp.post("/track/end")
def end_tracking():
    end_tracking_session(session.pop(TRACK_SESSION, None))
    db.session.commit()
    flash(_("You have left the report. Keep your receipt to come back."), "info")
    return redirect(url_for("site.index"))


@bp.get("/")
def index():
    return render_template("site/index.html")
