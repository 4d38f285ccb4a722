"""The reporter rates the handling through the receipt (site/_satisfaction.html on the status
page, fed by the satisfaction_for() template global so the status view needs no change)."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.extensions import db
from portal.reports.errors import ReportError
from portal.satisfaction.messages import satisfaction_error_text
from portal.satisfaction.models import NOT_SATISFIED_MAX
from portal.satisfaction.operations import COMMENT_MAX, may_rate, rate_report, rating_due, rating_of
from portal.site import bp

SCORE_TEXT = {
    5: _l("5 – very satisfied"),
    4: _l("4 – satisfied"),
    3: _l("3 – neither"),
    2: _l("2 – not satisfied"),
    1: _l("1 – very dissatisfied"),
}


class RatingForm(FlaskForm):
    score = RadioField(
        _l("How satisfied are you with the handling?"),
        choices=[SelectChoice(str(n), text) for n, text in SCORE_TEXT.items()],
        validators=[DataRequired(message=_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=COMMENT_MAX)])
    ask_review = BooleanField(_l("I am not satisfied: ask a lead of the department to review the handling"))
    reason = TextAreaField(
        _l("Why are you not satisfied? (needed for a review)"),
        validators=[Optional(), Length(max=COMMENT_MAX)],
    )


@bp.app_template_global("satisfaction_for")
def satisfaction_for(report):
    """What the status page shows: the rating given, the form, or nothing (open, or too late)."""
    rating = rating_of(report)
    if rating is not None:
        return {"rating": rating, "score_text": SCORE_TEXT}
    refused = may_rate(report)
    if refused is None:
        return {"form": RatingForm(), "due": rating_due(report), "low": NOT_SATISFIED_MAX}
    return {"refused": refused} if refused == "rating_too_late" else None


@bp.post("/track/satisfaction")
def rate():
    from portal.site.tracking import _tracked_report

    report = _tracked_report()
    if report is None:
        return redirect(url_for("site.track"))
    form = RatingForm()
    if not form.validate_on_submit():
        errors = [e for field in form for e in field.errors]
        flash(" ".join(str(e) for e in errors) or _("Choose a rating from 1 to 5."), "danger")
        return redirect(url_for("site.status"))
    try:
        rate_report(
            report,
            int(form.score.data),
            form.comment.data,
            ask_review=form.ask_review.data,
            reason=form.reason.data,
        )
    except ReportError as exc:
        db.session.rollback()
        flash(satisfaction_error_text(exc.code), "danger")
        return redirect(url_for("site.status"))
    db.session.commit()
    if form.ask_review.data:
        flash(_("Thank you for your rating. A lead of the department will review the handling."), "success")
    else:
        flash(_("Thank you for your rating."), "success")
    return redirect(url_for("site.status"))
