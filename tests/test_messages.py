"""Two-way messages: staff ask on the case page, the reporter reads and answers on the status page
with evidence (cleaned like intake evidence); anonymity holds; a closed report ends the talk."""

import io

from PIL import Image
from sqlalchemy import select, text

from portal.accounts.models import Role
from portal.audit.chain import Actor
from portal.audit.models import AuditEvent
from portal.evidence.storage import stored_path
from portal.extensions import db
from portal.messages.models import Direction, Message
from portal.messages.operations import reply_from_reporter, send_to_reporter
from portal.notify.models import Outbox
from portal.reports.errors import ReportError
from portal.reports.models import Report
from portal.reports.operations import transition_report
from tests.conftest import intake_form, jpeg_with_gps, make_user, receipt_in

QUESTION = "请问您是哪一天在哪个窗口看到的？"
ANSWER = "11月1日中午，后厨靠近后门的窗口。我的电话是13912345678。"


def file_and_open(client, **form):
    """File a report through the form and open it with its receipt in this client."""
    page = client.post("/report/new", data=intake_form(**form)).get_data(as_text=True)
    number, key = receipt_in(page)
    assert client.post("/track", data={"number": number, "access_key": key}).status_code == 302
    return db.session.scalar(select(Report).where(Report.number == number))


def test_staff_ask_and_the_reporter_answers_with_a_cleaned_photo(client, login_as):
    report = file_and_open(client, contact_email="citizen@example.org")
    login_as(Role.STAFF, "market")
    sent = client.post(f"/admin/reports/{report.number}/messages", data={"body": QUESTION})
    assert sent.status_code == 302

    status = client.get("/track/status?lang=en").get_data(as_text=True)
    assert QUESTION in status and "The department" in status
    assert "staff-market" not in status  # the reporter never sees which staff member wrote

    answered = client.post(
        "/track/messages",
        data={"reply-body": ANSWER, "reply-evidence": [(io.BytesIO(jpeg_with_gps()), "窗口.jpg")]},
        content_type="multipart/form-data",
    )
    assert answered.status_code == 302
    messages = db.session.scalars(select(Message).order_by(Message.id)).all()
    assert [(m.direction, m.body) for m in messages] == [
        (Direction.TO_REPORTER, QUESTION),
        (Direction.FROM_REPORTER, ANSWER),
    ]
    [photo] = messages[1].attachments
    assert photo.report_id == report.id and photo.metadata_stripped
    with Image.open(stored_path(photo.storage_name)) as img:
        assert 0x8825 not in img.getexif() and 0x010F not in img.getexif()  # no GPS, no camera

    case = client.get(f"/admin/reports/{report.number}?lang=en").get_data(as_text=True)
    assert QUESTION in case and ANSWER in case and "The reporter answered (1 file attached)" in case
    status = client.get("/track/status").get_data(as_text=True)
    assert status.index(QUESTION) < status.index(ANSWER) and "窗口.jpg" in status

    # The body is encrypted at rest; the audit events carry ids and hashes, never the text.
    stored = db.session.execute(text("SELECT body FROM messages ORDER BY id")).scalars().all()
    assert QUESTION not in stored[0] and ANSWER not in stored[1]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("message.%"))).all()
    assert [e.action for e in events] == ["message.sent", "message.received"]
    assert events[1].data["evidence_sha256"] == [photo.sha256]
    assert all(QUESTION not in str(e.data) and "13912345678" not in str(e.data) for e in events)


def test_an_anonymous_reporter_stays_anonymous_to_staff(client, login_as):
    report = file_and_open(client, contact_email="hidden.person@example.org")
    login_as(Role.STAFF, "market")
    client.post(f"/admin/reports/{report.number}/messages", data={"body": QUESTION})
    client.post("/track/messages", data={"reply-body": "在后门。"}, content_type="multipart/form-data")

    case = client.get(f"/admin/reports/{report.number}?lang=en").get_data(as_text=True)
    assert "在后门。" in case
    assert "hidden.person" not in case and "example.org" not in case
    assert "email" not in case.lower()  # not even whether a notification went out
    answer = db.session.scalar(select(Message).where(Message.direction == Direction.FROM_REPORTER))
    assert answer.author_id is None
    # The reporter still hears of the question, by email, at the address only the outbox holds.
    [mail] = db.session.scalars(select(Outbox).where(Outbox.kind == "message")).all()
    assert mail.recipient == "hidden.person@example.org"


def test_internal_notes_never_reach_the_conversation(client, login_as):
    report = file_and_open(client)
    login_as(Role.STAFF, "market")
    client.post(f"/admin/reports/{report.number}/notes", data={"body": "内部：疑似竞争对手举报"})
    client.post(f"/admin/reports/{report.number}/messages", data={"body": QUESTION})
    status = client.get("/track/status").get_data(as_text=True)
    assert QUESTION in status and "竞争对手" not in status


def test_a_closed_report_refuses_messages_both_ways(client, login_as):
    report = file_and_open(client)
    lead = make_user("market.lead", Role.LEAD, "market")
    send_to_reporter(report, QUESTION, lead)
    actor = Actor.for_user(lead)
    transition_report(report, "verifying", actor)
    transition_report(report, "not_opened", actor, reason="经核查无违法事实")
    transition_report(report, "closed", actor)
    db.session.commit()

    login_as(Role.STAFF, "market")
    refused = client.post(f"/admin/reports/{report.number}/messages?lang=en", data={"body": "还有一个问题"})
    assert refused.status_code == 302
    case = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "This report is closed, so messages can no longer be sent" in case
    assert 'id="conversation-closed"' in case and 'id="message-body"' not in case

    answer = client.post(
        "/track/messages?lang=en", data={"reply-body": "补充回答"}, content_type="multipart/form-data"
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "the conversation has ended and answers can no longer be sent" in page
    assert db.session.scalar(select(Message).where(Message.direction == Direction.FROM_REPORTER)) is None
    status = client.get("/track/status?lang=en").get_data(as_text=True)
    assert "the conversation has ended" in status and 'id="reply-form"' not in status


def test_the_domain_refuses_what_the_pages_do_not_offer(app):
    from tests.casework import file_report

    report, _ = file_report("market")
    other = make_user("xihu.staff", Role.STAFF, "market-330106")
    auditor = make_user("auditor", Role.AUDITOR)
    for user in (other, auditor):
        try:
            send_to_reporter(report, QUESTION, user)
        except ReportError as exc:
            assert exc.code == "not_allowed"
        else:
            raise AssertionError(f"{user.username} could write to the reporter")
    staff = make_user("market.staff", Role.STAFF, "market")
    for body, code in (("  ", "empty_message"), ("字" * 5001, "message_too_long")):
        try:
            send_to_reporter(report, body, staff)
        except ReportError as exc:
            assert exc.code == code
        else:
            raise AssertionError(code)
    try:
        reply_from_reporter(report, "", [])
    except ReportError as exc:
        assert exc.code == "nothing_to_add"
    db.session.rollback()
    assert db.session.scalar(select(Message)) is None
