"""Staff ask the reporter a question on the case page; the reporter, on a phone, opens the report
with the receipt, reads it and answers with a photo; staff see the answer (Debian Chromium)."""

from sqlalchemy import select

from portal.extensions import db
from portal.messages.models import Direction, Message
from portal.reports.receipts import format_key
from tests.casework import file_report
from tests.conftest import jpeg_with_gps, make_user

LAPTOP = {"width": 1280, "height": 900}
QUESTION = "请问您看到过期食材是在哪一天？"
ANSWER = "11月15日晚上，照片在附件里。"


def test_staff_ask_and_the_reporter_answers_on_a_phone(app, live_server, browser_page, screenshot, tmp_path):
    report, key = file_report("market", contact_email="citizen@example.org")
    make_user("sun.staff", "staff", "market")
    page = browser_page

    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server}/admin/login")
    page.fill("input[name=username]", "sun.staff")
    page.fill("input[name=password]", "correct horse battery")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(f"{live_server}/admin/reports/{report.number}")
    page.fill("#message-body", QUESTION)
    screenshot("m1-staff-writes")
    with page.expect_navigation():
        page.click("#case-conversation button[type=submit]")
    assert QUESTION in page.inner_text("#case-timeline")

    page.set_viewport_size({"width": 390, "height": 844})  # the reporter's phone
    page.goto(f"{live_server}/track")
    page.fill("input[name=number]", report.number)
    page.fill("input[name=access_key]", format_key(key))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert QUESTION in page.inner_text("#conversation-messages")
    photo = tmp_path / "冰柜.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.fill("#reply-body", ANSWER)
    page.set_input_files("#reply-evidence", str(photo))
    page.locator("#reply-form").scroll_into_view_if_needed()
    screenshot("m2-reporter-answers-on-a-phone")
    with page.expect_navigation():
        page.click("#reply-form button[type=submit]")
    conversation = page.inner_text("#conversation-messages")
    assert conversation.index(QUESTION) < conversation.index(ANSWER) and "冰柜.jpg" in conversation
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    screenshot("m3-conversation")

    db.session.expire_all()
    answer = db.session.scalar(select(Message).where(Message.direction == Direction.FROM_REPORTER))
    assert answer.body == ANSWER and [e.original_name for e in answer.attachments] == ["冰柜.jpg"]
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server}/admin/reports/{report.number}")
    assert ANSWER in page.inner_text("#case-timeline")
    screenshot("m4-staff-read-the-answer")
