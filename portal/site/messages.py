"""What a citizen is told when a domain rule refuses their submission, by ReportError code."""

from flask_babel import gettext as _

from portal.evidence.storage import max_files_per_submission


def report_error_text(code):
    texts = {
        "form_already_used": _(
            "This form was already sent. Check the details and send again to file a new report."
        ),
        "form_not_issued": _(
            "This form was not opened in this browser session (or it expired). Everything you "
            "entered has been kept: check it and send again."
        ),
        "evidence_not_stored": _(
            "Your files could not be saved just now, so the report was not sent. Everything you "
            "entered has been kept: send it again in a few minutes."
        ),
        "report_closed": _("This report is closed; information can no longer be added."),
        "nothing_to_add": _("Write something or attach a file before sending."),
        "too_many_files": _("Too many files: at most %(n)d per report.", n=max_files_per_submission()),
        "reward_only_for_tips": _("Rewards are only for tip-offs. Untick the box or choose tip-off."),
        "real_name_needs_name": _("Enter your name, or choose to report anonymously."),
        "invalid_decline_ground": _(
            "This is not one of the legal grounds for declining. Choose a ground from the list."
        ),
        "reroute_required": _(
            "A returned report goes to a department only by re-routing: choose the department."
        ),
    }
    return texts.get(code, _("The report could not be saved. Check your answers and try again."))
