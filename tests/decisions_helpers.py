"""Helpers for the action panel tests: people at their desks, reports, posting a move."""

import html

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.operations import submit_report
from portal.reports.receipts import new_submission_token
from portal.site.messages import decision_error_texts
from tests.conftest import make_intake, make_user, sign_in_through_forms


def desk(app, username, role, department_code=None):
    """A fresh browser signed in as a new user through the real form (one per person, so a test
    can switch between staff and lead without signing out)."""
    return sign_in_through_forms(app.test_client(), make_user(username, role, department_code))


def new_report(**overrides):
    report = submit_report(make_intake(**overrides), [], new_submission_token()).report
    db.session.commit()
    return report


def post_move(browser, report, target, **form):
    return browser.post(f"/admin/reports/{report.number}/move/{target}", data=form)


def state_of(report):
    db.session.expire_all()
    return db.session.scalar(select(Report.state).where(Report.id == report.id))


def actions_of(report):
    query = (
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "reports", AuditEvent.object_id == report.id)
        .order_by(AuditEvent.seq)
    )
    return db.session.scalars(query).all()


def advice(app, code):
    """The advice staff read for a ReportError code in the default language (compare with page())."""
    with app.test_request_context():
        return str(decision_error_texts()[code])


def page(response):
    return html.unescape(response.get_data(as_text=True))
