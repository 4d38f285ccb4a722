"""Filing a report and showing its receipt."""

from flask import current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from portal.directory.models import Category, Region
from portal.evidence.storage import discard_on_failure
from portal.extensions import db
from portal.i18n import current_language
from portal.reports.operations import (
    IntakeData,
    ReportError,
    repeated_receipt,
    submit_report,
)
from portal.reports.receipts import MIN_TOKEN_LENGTH, format_key, new_submission_token
from portal.site import bp
from portal.site.forms import IntakeForm
from portal.site.http import no_store
from portal.site.messages import report_error_text
from portal.site.uploads import collect_evidence, evidence_limits, keep_evidence, keep_staged, post_limit_text


def _category_choices():
    rows = db.session.scalars(select(Category).where(Category.active).order_by(Category.position))
    return [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(c.id), c.name, optgroup=_group_label(c.group)) for c in rows
    ]


def _group_label(group):
    labels = {"food": _("Food"), "drug": _("Drugs, devices and cosmetics"), "quality": _("Quality")}
    return labels.get(group, group)


def _region_choices():
    rows = db.session.scalars(select(Region).order_by(Region.code)).all()
    return [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(r.id), "\u3000" * (r.level - 1) + r.name) for r in rows
    ]


def _upper(value):
    return value.upper() if value else None


def _intake_data(form):
    real_name = form.identity.data == "real_name"
    text = lambda field: (field.data or "").strip() or None  # noqa: E731
    return IntakeData(
        kind=form.kind.data,
        category=db.session.get(Category, form.category.data),
        region=db.session.get(Region, form.region.data),
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
    )


def _render_receipt(receipt):
    html = render_template(
        "site/receipt.html",
        report=receipt.report,
        access_key=format_key(receipt.access_key),
        repeated=receipt.repeated,
    )
    return no_store(html)


def _submit(form, staged):
    token = form.submission_token.data
    receipt = repeated_receipt(token)
    if receipt:
        return receipt
    with discard_on_failure(staged):
        try:
            receipt = submit_report(_intake_data(form), staged, token)
            db.session.commit()
        except IntegrityError:
            # A concurrent double submit committed first: show its receipt instead.
            db.session.rollback()
            receipt = repeated_receipt(token)
            if receipt is None:
                raise
    return receipt


@bp.route("/report/new", methods=["GET", "POST"])
def new_report():
    form = IntakeForm()
    form.category.choices = _category_choices()
    form.region.choices = _region_choices()
    file_errors, limited = [], None
    token = form.submission_token.data or ""
    if not MIN_TOKEN_LENGTH <= len(token) <= 64:  # only tokens we could have issued
        form.submission_token.data = new_submission_token()
    if request.method == "POST":
        limited = post_limit_text("SUBMISSION_LIMIT")
        staged, file_errors = (keep_evidence(form), []) if limited else collect_evidence(form)
        if not limited and form.validate() and not file_errors:
            try:
                return _render_receipt(_submit(form, staged))
            except ReportError as exc:
                db.session.rollback()
                staged = keep_staged(form, staged)  # a failed submission may have discarded them
                if exc.code == "form_already_used":
                    form.submission_token.data = new_submission_token()
                file_errors.append(report_error_text(exc.code))
    else:
        staged = []
    status = 429 if limited else (422 if request.method == "POST" else 200)
    html = render_template(
        "site/new_report.html",
        form=form,
        staged=staged,
        file_errors=file_errors,
        limited=limited,
        **evidence_limits(),
        max_upload_mb=current_app.config["MAX_UPLOAD_MB"],
    )
    return no_store(html, status)
