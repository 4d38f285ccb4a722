"""Reviews a dissatisfied reporter asked for: the leads' list (/admin/reviews), the panel on the
case page (admin/case_review.html, fed by the case_satisfaction() template global) and closing a
review with an outcome (audited in portal.satisfaction.operations)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin import bp
from admin.access import report_or_404
from portal.accounts.permissions import Action, can
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.satisfaction.messages import satisfaction_error_text
from portal.satisfaction.models import ReviewOutcome, ReviewStatus
from portal.satisfaction.operations import close_review, open_reviews, rating_of, reviews_of

OUTCOME_TEXT = {
    ReviewOutcome.HANDLING_CONFIRMED: _l("Handling confirmed: lawful and adequate"),
    ReviewOutcome.EXPLAINED: _l("Explained to the reporter"),
    ReviewOutcome.CORRECTED: _l("Shortcomings found and corrected"),
    ReviewOutcome.FURTHER_ACTION: _l("Further action taken"),
}


@bp.app_template_global("case_satisfaction")
def case_satisfaction(report):
    """The rating and reviews of a report, for those who may see the case; None if not rated."""
    rating = rating_of(report)
    if rating is None:
        return None
    return {
        "rating": rating,
        "reviews": reviews_of(report),
        "may_close": can(current_user, Action.REVIEW_SATISFACTION, report),
        "outcomes": OUTCOME_TEXT,
    }


@bp.get("/reviews")
def reviews():
    return render_template("admin/reviews.html", rows=open_reviews(current_user))


@bp.post("/reports/<number>/review/close")
def close_case_review(number):
    report = report_or_404(number, Action.REVIEW_SATISFACTION)
    review = next((r for r in reviews_of(report) if r.status == ReviewStatus.OPEN), None)
    if review is None:
        flash(satisfaction_error_text("review_closed"), "info")
        return redirect(url_for("admin.case", number=number))
    try:
        close_review(review, current_user, request.form.get("outcome", ""), request.form.get("note", ""))
    except ReportError as exc:
        db.session.rollback()
        flash(satisfaction_error_text(exc.code), "warning")
        return redirect(url_for("admin.case", number=number))
    db.session.commit()
    flash(_("The review is closed."), "success")
    return redirect(url_for("admin.case", number=number))
