"""The conversation on the status page: what the department wrote, and the reporter's answers
with evidence (the same checks as intake: typed by content, photos cleaned of EXIF/GPS)."""

from flask import flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from portal.evidence.storage import discard_on_failure
from portal.extensions import db
from portal.messages.models import MESSAGE_MAX_CHARS
from portal.messages.operations import conversation, reply_from_reporter
from portal.reports.errors import ReportError
from portal.site import bp
from portal.site.forms import EvidenceFields
from portal.site.messages import report_error_text
from portal.site.uploads import collect_evidence, keep_evidence, keep_staged, post_limit_text
from portal.validators import multi_line, strip


class ReplyForm(EvidenceFields, FlaskForm):
    body = TextAreaField(
        _l("Your answer"),
        filters=[strip],
        validators=[Optional(), multi_line, Length(max=MESSAGE_MAX_CHARS)],
    )

    def __init__(self, *args, **kwargs):
        # Its own prefix: the page also holds the "add information" form (ids and names differ).
        super().__init__(*args, prefix="reply", **kwargs)


def conversation_page(report, reply=None, staged=(), errors=(), limited=None):
    """What site/_conversation.html needs."""
    return {
        "messages": conversation(report),
        "reply_form": reply or ReplyForm(formdata=None),
        "reply_staged": list(staged),
        "reply_errors": list(errors),
        "reply_limited": limited,
    }


@bp.post("/track/messages")
def reply():
    from portal.site.forms import SupplementForm
    from portal.site.tracking import TRACK_SESSION, _tracked_report, render_status

    report = _tracked_report()
    if report is None:
        session.pop(TRACK_SESSION, None)
        flash(_("Enter your report number and access key to continue."), "info")
        return redirect(url_for("site.track"))
    form = ReplyForm()
    limited = post_limit_text("SUPPLEMENT_LIMIT")
    staged, errors = (keep_evidence(form), []) if limited else collect_evidence(form)
    if not limited and form.validate() and not errors:
        try:
            with discard_on_failure(staged):
                reply_from_reporter(report, form.body.data, staged)
                db.session.commit()
            flash(_("Your answer was sent to the department."), "success")
            return redirect(url_for("site.status") + "#conversation")
        except ReportError as exc:
            db.session.rollback()
            staged = keep_staged(form, staged)
            errors.append(report_error_text(exc.code))
    page = conversation_page(report, form, staged, errors, limited)
    return render_status(report, SupplementForm(formdata=None), limited=limited, conversation=page)
