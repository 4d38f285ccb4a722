"""What reporters and leads are told when a satisfaction rule refuses, by ReportError code."""

from flask_babel import gettext as _

from portal.satisfaction.operations import COMMENT_MAX


def satisfaction_error_text(code):
    texts = {
        "rating_not_decided": _("The handling can be rated once the report has been decided."),
        "rating_twice": _("This report has already been rated. Each report can be rated once."),
        "rating_too_late": _("The period for rating this report has ended."),
        "rating_score_invalid": _("Choose a rating from 1 (very dissatisfied) to 5 (very satisfied)."),
        "rating_text_too_long": _("Write at most %(n)d characters.", n=COMMENT_MAX),
        "review_needs_low_score": _(
            "A review by a lead can be asked for with a rating of 1 or 2 (not satisfied)."
        ),
        "review_needs_reason": _("Say why you are not satisfied, so the lead knows what to review."),
        "review_not_yours": _("Only a lead of the department that handled the report can close its review."),
        "review_closed": _("This review is already closed. Nothing was changed."),
        "review_outcome_invalid": _("Choose the outcome of the review."),
    }
    return texts.get(code, _("This could not be done. Reload the page and try again."))
