"""'Email me my receipt': after the receipt is shown, the citizen may have the report number sent
to an address (never the access key). Only for the report this browser just filed, for a short
while, and rate-limited per address and per session."""

import time

from flask import render_template, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Email, Length

from portal.extensions import db
from portal.notify.outbox import email_receipt
from portal.reports.models import Report
from portal.site import bp
from portal.site.http import no_store
from portal.site.uploads import post_limit_text
from portal.validators import single_line, strip

SESSION_KEY = "receipt_mail"
WINDOW_SECONDS = 30 * 60  # the receipt page's offer lasts this long after it was shown
PER_RECEIPT = 3  # mails per receipt and browser session


class ReceiptEmailForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the email address to send the number to.")),
            single_line,
            Email(_l("Enter a valid email address.")),
            Length(max=200),
        ],
    )


def remember_receipt(report):
    """The receipt page was shown for this report: offer the email for a while."""
    session[SESSION_KEY] = {"report": report.id, "at": int(time.time()), "sent": 0}


def _offered_report():
    offer = session.get(SESSION_KEY)
    if not isinstance(offer, dict) or time.time() - offer.get("at", 0) > WINDOW_SECONDS:
        return None, offer
    return db.session.get(Report, offer.get("report")), offer


def _page(form, status, sent_to=None, problem=None):
    html = render_template("site/receipt_emailed.html", form=form, sent_to=sent_to, problem=problem)
    return no_store(html, status)


@bp.post("/receipt/email")
def email_my_receipt():
    form = ReceiptEmailForm()
    report, offer = _offered_report()
    if report is None:
        problem = _(
            "This receipt page has expired. Your report is safe: open it at 'Check a report' with "
            "the number and the access key."
        )
        return _page(None, 410, problem=problem)
    limited = post_limit_text("RECEIPT_EMAIL_LIMIT")
    if limited or offer.get("sent", 0) >= PER_RECEIPT:
        return _page(form, 429, problem=limited or _("The number was already sent several times."))
    if not form.validate():
        return _page(form, 422)
    email_receipt(report, form.email.data)
    db.session.commit()
    session[SESSION_KEY] = offer | {"sent": offer.get("sent", 0) + 1}
    return _page(None, 200, sent_to=form.email.data)
