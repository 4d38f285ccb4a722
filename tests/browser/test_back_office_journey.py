"""A lead signs in with the second step (TOTP), accepts a complaint, runs the mediation to an
agreement through the action panel, and the citizen's status page shows it (Debian Chromium)."""

from sqlalchemy import select

from portal.extensions import db
from portal.reports.models import Report
from portal.reports.operations import submit_report
from portal.reports.receipts import format_key, new_submission_token
from portal.reports.states import Kind, State, public_state_text
from tests.conftest import current_totp, enrol_totp, make_intake, make_user

LAPTOP = {"width": 1280, "height": 900}
TERMS = "商家当场退款 128.50 元，并书面道歉。"


def _state(report_id):
    db.session.expire_all()
    return db.session.scalar(select(Report.state).where(Report.id == report_id))


def _confirm(page, target, fill=None):
    """Open the move's card on the panel, fill its fields, and send it."""
    page.click(f"#move-{target} summary")
    for selector, value in (fill or {}).items():
        page.fill(selector, value)
    with page.expect_navigation():
        page.click(f"#move-{target} button[type=submit]")


def test_a_lead_signs_in_with_totp_and_mediates_a_complaint_the_citizen_sees_it(
    app, live_server, browser_page, screenshot
):
    receipt = submit_report(make_intake(kind="complaint"), [], new_submission_token())
    db.session.commit()
    report = receipt.report
    assert report.department.code == "market"
    enrol_totp(make_user("zhou.lead", "lead", "market"))

    page = browser_page
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server}/admin/login")
    page.fill("input[name=username]", "zhou.lead")
    page.fill("input[name=password]", "correct horse battery")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/admin/login/code")  # the password alone opens nothing
    screenshot("b1-second-step")
    page.fill("input[name=code]", current_totp())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url == f"{live_server}/admin/"

    page.goto(f"{live_server}/admin/reports/{report.number}")
    assert report.business_name in page.inner_text("main")
    screenshot("b2-case-page")
    _confirm(page, State.ACCEPTED)
    assert _state(report.id) == State.ACCEPTED
    _confirm(page, State.MEDIATING)
    _confirm(page, State.MEDIATED, {f"#terms-{State.MEDIATED}": TERMS})
    assert _state(report.id) == State.MEDIATED
    screenshot("b3-mediated")

    page.goto(f"{live_server}/track")
    page.fill("input[name=number]", report.number)
    page.fill("input[name=access_key]", format_key(receipt.access_key))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    with app.test_request_context("/"):
        expected = str(public_state_text(Kind.COMPLAINT, State.MEDIATED))
    assert page.inner_text("#report-state").strip() == expected
    assert TERMS in page.inner_text("main")  # the agreement is the citizen's to read
    screenshot("b4-citizen-sees-the-agreement")
