"""Filing a report and showing its receipt."""

from flask import current_app, render_template, request, session
from flask_babel import gettext as _
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from portal.directory.cache import built_from_lists
from portal.directory.models import Category, Region
from portal.evidence.storage import EvidenceNotStored, discard_on_failure, discard_staged
from portal.extensions import db
from portal.i18n import current_language
from portal.reports.models import Report
from portal.reports.operations import (
    IntakeData,
    ReportError,
    repeated_receipt,
    submit_report,
)
from portal.reports.receipts import (
    format_key,
    issue_submission_token,
    new_form_binding,
    submission_token_valid,
)
from portal.site import bp
from portal.site.forms import IntakeForm
from portal.site.http import no_store
from portal.site.messages import report_error_text
from portal.site.places import district_choices, street_choices
from portal.site.receipt_mail import remember_receipt
from portal.site.receipt_qr import qr_data_uri, track_url
from portal.site.uploads import collect_evidence, evidence_limits, keep_evidence, keep_staged, post_limit_text

# Session key of the random value this browser's intake tokens are bound to.
FORM_SESSION = "intake_form"


def _category_choices():
    return built_from_lists("category_choices", _build_category_choices)


def _build_category_choices(lists):
    return [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(c.id), c.name, optgroup=_group_label(c.group)) for c in lists.categories
    ]


def _group_label(group):
    labels = {"food": _("Food"), "drug": _("Drugs, devices and cosmetics"), "quality": _("Quality")}
    return labels.get(group, group)


def _upper(value):
    return value.upper() if value else None


def _intake_data(form):
    real_name = form.identity.data == "real_name"
    complaint = form.kind.data == "complaint"
    text = lambda field: (field.data or "").strip() or None  # noqa: E731
    # Fields the other kind shows are ignored, not refused (app.js hides them; without JS they show).
    only_complaint = lambda value: value if complaint else None  # noqa: E731
    return IntakeData(
        kind=form.kind.data,
        category=db.session.get(Category, form.category.data),
        region=db.session.get(Region, form.region_id()),
        business_name=form.business_name.data.strip(),
        business_address=text(form.business_address),
        business_licence=_upper(text(form.business_licence)),
        description=form.description.data.strip(),
        occurred_on=form.occurred_on.data,
        anonymous=not real_name,
        reporter_name=text(form.reporter_name) if real_name else None,
        reporter_phone=text(form.reporter_phone) if real_name else None,
        reporter_id_number=_upper(text(form.reporter_id_number)) if real_name else None,
        contact_email=text(form.contact_email),
        wants_reward=bool(form.wants_reward.data),
        language=current_language(),
        reporter_address=text(form.reporter_address) if real_name else None,
        demand=only_complaint(form.demand.data or None),
        demand_amount=only_complaint(form.demand_amount.data),
        platform=text(form.platform),
        order_number=text(form.order_number),
        also_tip=bool(complaint and form.also_tip.data),
    )


def _render_receipt(receipt):
    if receipt.key_withheld:
        # A late re-post (or a key staff re-issued since): nothing of the report, no key.
        return no_store(render_template("site/receipt_withheld.html"), 409)
    # After the commit the report is expired: reload it with what the receipt shows in one
    # statement (its id from the identity key; reading report.id would refresh the row first).
    report_id = inspect(receipt.report).identity[0]
    shown = (joinedload(Report.department), joinedload(Report.linked_report).joinedload(Report.department))
    report = db.session.scalars(select(Report).where(Report.id == report_id).options(*shown)).unique().one()
    remember_receipt(report)  # "email me my receipt" works for this report, for a while
    html = render_template(
        "site/receipt.html",
        report=report,
        linked=report.linked_report,
        access_key=format_key(receipt.access_key),
        repeated=receipt.repeated,
        qr_code=qr_data_uri(report.number),
        track_url=track_url(report.number),
    )
    return no_store(html)


def _form_binding():
    """This browser session's binding for intake tokens (made on its first visit to the form)."""
    if not session.get(FORM_SESSION):
        session[FORM_SESSION] = new_form_binding()
    return session[FORM_SESSION]


def _submit(form, staged):
    """File the report, or find the one this very form already filed (a double click)."""
    token, data = form.submission_token.data, _intake_data(form)
    # Refusals keep the files (the form is shown again); a crash discards them.
    # No lookup of the token first: a form filed before (a double click, a re-post) makes the
    # insert fail on the token hash's unique index, and only then is its receipt looked up. That
    # saves a first submission a round trip, and a concurrent double submit takes the same path.
    with discard_on_failure(staged, keep_on=(ReportError, EvidenceNotStored)):
        try:
            receipt = submit_report(data, staged, token)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            receipt = repeated_receipt(token, data, staged)
            if receipt is None:
                raise
    if receipt.repeated:
        # The first request stored its own copies before it committed; these are spare.
        discard_staged(staged)
    return receipt


def _refusal(code, form, staged):
    """Roll back, keep every file still staged, and say why (a used form gets a new token)."""
    db.session.rollback()
    if code == "form_already_used":
        form.submission_token.data = issue_submission_token(_form_binding())
    return keep_staged(form, staged), report_error_text(code)


@bp.route("/report/new", methods=["GET", "POST"])
def new_report():
    form = IntakeForm()
    form.category.choices = _category_choices()
    form.district.choices, form.street.choices = district_choices(), street_choices()
    staged, file_errors, status, limited, notice = [], [], 200, None, None
    token_ok = submission_token_valid(form.submission_token.data, _form_binding())
    if request.method == "POST" and form.file_as_tip.data:
        # The citizen chose to stay anonymous: the same answers come back as a tip-off to check
        # and send (nothing is filed yet, nothing typed or uploaded is lost).
        staged, file_errors = collect_evidence(form)
        form.kind.data, form.also_tip.data = "tip", False
        notice = _("Your answers are now a tip-off. Check them and send the report.")
    elif request.method == "POST":
        limited = post_limit_text("SUBMISSION_LIMIT")
        if limited:  # refused before any upload is read: keep what was staged, stage nothing new
            staged, status = keep_evidence(form), 429
        else:
            staged, file_errors = collect_evidence(form)
            status = 422
        code = None if (token_ok or limited) else "form_not_issued"
        if not limited and form.validate() and not file_errors and token_ok:
            try:
                return _render_receipt(_submit(form, staged))
            except ReportError as exc:
                code = exc.code
            except EvidenceNotStored:
                code, status = "evidence_not_stored", 503
        if code:
            staged, message = _refusal(code, form, staged)
            file_errors.append(message)
    if not token_ok:  # made up, from another session, or a first visit: a token for this session
        form.submission_token.data = issue_submission_token(_form_binding())
    html = render_template(
        "site/new_report.html",
        form=form,
        staged=staged,
        file_errors=file_errors,
        limited=limited,
        notice=notice,
        **evidence_limits(),
        max_upload_mb=current_app.config["MAX_UPLOAD_MB"],
    )
    return no_store(html, status)
