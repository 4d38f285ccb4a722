"""The outbox under failure, against a real SMTP server (aiosmtpd on loopback): down, then up,
then refusing one recipient for good; a crash between sending and marking; concurrent deliverers.
Every notification is delivered exactly once (by Message-ID) or dead-lettered, none lost."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.chain import Actor
from portal.audit.models import AuditEvent
from portal.clock import frozen_at, utcnow
from portal.extensions import db
from portal.messages.operations import send_to_reporter
from portal.notify import delivery
from portal.notify.delivery import LEASE, deliver_due, message_id_header
from portal.notify.models import Outbox
from portal.reports.operations import transition_report
from tests.casework import file_report
from tests.conftest import make_user
from tests.smtp import SmtpServer

NAME, PHONE = "王小明", "13912345678"


@pytest.fixture
def smtp(app):
    server = SmtpServer()
    server.use_in(app)
    yield server
    server.stop()


def real_name_tip(email="reporter@example.org", **extra):
    """A real-name tip-off with an email, moved to verifying: one state-change mail queued."""
    report, key = file_report(
        "market", anonymous=False, reporter_name=NAME, reporter_phone=PHONE, contact_email=email, **extra
    )
    staff = make_user(f"staff-{report.id}", Role.STAFF, "market")
    transition_report(report, "verifying", Actor.for_user(staff))
    db.session.commit()
    return report, key, staff


def rows():
    db.session.expire_all()
    return db.session.scalars(select(Outbox).order_by(Outbox.id)).all()


def test_down_then_up_retries_with_backoff_and_delivers_exactly_once(app, smtp):
    report, _, _ = real_name_tip()
    [row] = rows()
    assert (row.state, row.kind, row.report_id) == ("pending", "state_change", report.id)

    now = utcnow()
    with frozen_at(now):
        result = deliver_due()  # nothing listens on the port yet
    [row] = rows()
    assert (result.sent, result.retried) == (0, 1)
    assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 1, now + timedelta(minutes=2))
    assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
    with frozen_at(now + timedelta(minutes=1)):
        assert deliver_due().handled == 0  # not due yet: the backoff is kept

    smtp.start()
    with frozen_at(now + timedelta(minutes=3)):
        assert deliver_due().sent == 1
        assert deliver_due().handled == 0  # sent rows are never sent again
    [row] = rows()
    assert (row.state, row.attempts) == ("sent", 2) and row.sent_at is not None
    [mail] = smtp.handler.mails()
    assert mail["Message-ID"] == message_id_header(row) == f"<{row.message_id}@portal.invalid>"
    assert mail["To"] == "reporter@example.org"


def test_a_permanent_refusal_dead_letters_that_row_only(app, smtp):
    real_name_tip("good@example.org")
    real_name_tip("gone@example.org")
    smtp.handler.refuse.add("gone@example.org")
    smtp.start()
    result = deliver_due()
    assert (result.sent, result.dead) == (1, 1)
    good, gone = rows()
    assert good.state == "sent"
    assert (gone.state, gone.attempts) == ("dead", 1)  # 550: dead at once, not retried
    assert "gone@example.org" not in gone.last_error and "550" in gone.last_error
    assert [m["To"] for m in smtp.handler.mails()] == ["good@example.org"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.dead"))
    assert event.object_id == gone.id and "gone@" not in str(event.data)


def test_transient_failures_dead_letter_after_the_configured_attempts(app, smtp):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    real_name_tip()
    moment = utcnow()
    for _ in range(3):
        with frozen_at(moment):
            deliver_due()
        moment += timedelta(hours=1)
    [row] = rows()
    assert (row.state, row.attempts) == ("dead", 3)
    with frozen_at(moment):
        assert deliver_due().handled == 0


def test_a_crash_between_send_and_mark_resends_the_same_message_id(app, smtp, monkeypatch):
    real_name_tip()
    smtp.start()

    def crash(row):
        raise RuntimeError("simulated crash after the SMTP server accepted the mail")

    # Fault injection: the mark step raises, as if the process died right after sending.
    monkeypatch.setattr(delivery, "mark_sent", crash)
    now = utcnow()
    with frozen_at(now), pytest.raises(RuntimeError):
        deliver_due()
    db.session.rollback()
    [row] = rows()
    assert (row.state, row.attempts) == ("sending", 1)  # claimed and counted before sending
    monkeypatch.undo()
    with frozen_at(now + LEASE - timedelta(seconds=1)):
        assert deliver_due().handled == 0  # still leased to the crashed deliverer
    with frozen_at(now + LEASE + timedelta(seconds=1)):
        assert deliver_due().sent == 1
    [row] = rows()
    first, second = smtp.handler.mails()
    assert first["Message-ID"] == second["Message-ID"] == message_id_header(row)
    assert first["Date"] == second["Date"] and first.get_content() == second.get_content()
    assert (row.state, row.attempts) == ("sent", 2)


def test_emails_carry_no_identity_no_key_and_no_message_text(app, smtp):
    report, key, staff = real_name_tip()
    send_to_reporter(report, f"请确认您的电话 {PHONE} 和姓名 {NAME}", staff)
    lead = make_user("market.lead", Role.LEAD, "market")
    transition_report(report, "not_opened", Actor.for_user(lead), reason="经核查无违法事实，商户名老街坊")
    db.session.commit()
    smtp.start()
    assert deliver_due().sent == 3  # verifying, the message, the not-opened decision
    plain_key = key.replace("-", "")
    for raw, mail in zip(smtp.handler.received, smtp.handler.mails(), strict=True):
        text = mail.get_content() + mail["Subject"]
        for secret in (NAME, PHONE, key, plain_key, "老街坊", "经核查", "请确认"):
            assert secret not in text and secret.encode() not in raw
        assert report.number in text and "http://127.0.0.1:5000/track" in text
    kinds = [r.kind for r in rows()]
    assert kinds == ["state_change", "message", "legal_notice"]


def test_the_mail_is_in_the_reports_language(app, smtp):
    report, _, _ = real_name_tip(language="en")
    smtp.start()
    deliver_due()
    [mail] = smtp.handler.mails()
    assert "Status now: Being verified." in mail.get_content() and report.number in mail["Subject"]


def test_no_email_no_row_and_a_rolled_back_change_leaves_no_row(app):
    report, _ = file_report("market", anonymous=True)  # no contact address
    staff = make_user("market.staff", Role.STAFF, "market")
    transition_report(report, "verifying", Actor.for_user(staff))
    db.session.commit()
    assert rows() == []
    emailed, _ = file_report("market", contact_email="a@example.org")
    transition_report(emailed, "verifying", Actor.for_user(staff))
    db.session.rollback()  # the change is undone: so is its notification
    assert rows() == []


def test_concurrent_deliverers_never_send_one_row_twice(app, smtp):
    """Two deliverers at once (FOR UPDATE SKIP LOCKED on PostgreSQL, compare-and-set on both)."""
    for i in range(8):
        real_name_tip(f"r{i}@example.org")
    smtp.start()
    errors = []

    def deliver():
        try:
            with app.app_context():
                deliver_due()
                db.session.remove()
        except Exception as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    ids = [m["Message-ID"] for m in smtp.handler.mails()]
    assert len(ids) == 8 and len(set(ids)) == 8
    assert {r.state for r in rows()} == {"sent"} and {r.attempts for r in rows()} == {1}


def test_console_mailer_prints_the_mail_without_a_server(app, runner):
    real_name_tip()
    app.config["MAIL_SERVER"] = ""
    result = runner.invoke(args=["outbox", "deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert "console mailer" in result.output and "Message-ID: <" in result.output
    assert "outbox: 1 sent" in result.output
    assert [r.state for r in rows()] == ["sent"]


def test_administrators_see_dead_letters_and_requeue_one(app, client, login_as, smtp):
    real_name_tip("gone@example.org")
    smtp.handler.refuse.add("gone@example.org")
    smtp.start()
    deliver_due()
    [row] = rows()
    login_as(Role.ADMIN)
    page = client.get("/admin/outbox?lang=en").get_data(as_text=True)
    assert f'data-outbox="{row.id}"' in page and "550" in page
    assert "gone@example.org" not in page  # never the recipient
    response = client.post(f"/admin/outbox/{row.id}/requeue")
    assert response.status_code == 302
    [row] = rows()
    assert (row.state, row.attempts) == ("pending", 0)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.requeued"))
    assert event.actor_label == "admin:admin-all" and event.data["attempts_before"] == 1
    smtp.handler.refuse.clear()
    assert deliver_due().sent == 1 and len(smtp.handler.received) == 1


def test_email_me_my_receipt_sends_the_number_only(app, client, smtp):
    from tests.conftest import intake_form, receipt_in

    page = client.post("/report/new", data=intake_form()).get_data(as_text=True)
    number, key = receipt_in(page)
    assert 'id="receipt-email"' in page
    sent = client.post("/receipt/email?lang=en", data={"email": "me@example.org"})
    assert sent.status_code == 200 and "me@example.org" in sent.get_data(as_text=True)
    [row] = rows()
    assert (row.kind, row.recipient, row.report.number) == ("receipt", "me@example.org", number)
    smtp.start()
    assert deliver_due().sent == 1
    [raw], [mail] = smtp.handler.received, smtp.handler.mails()
    assert number in mail.get_content() and number in mail["Subject"]
    for secret in (key, key.replace("-", "")):
        assert secret not in mail.get_content() and secret.encode() not in raw
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "receipt.emailed"))
    assert event.data["numbers"] == [number] and "me@example.org" not in str(event.data)

    bad = client.post("/receipt/email?lang=en", data={"email": "not-an-address"})
    assert bad.status_code == 422 and "Enter a valid email address." in bad.get_data(as_text=True)
    for _ in range(2):
        client.post("/receipt/email", data={"email": "me@example.org"})
    refused = client.post("/receipt/email", data={"email": "me@example.org"})
    assert refused.status_code == 429 and len(rows()) == 3  # three per receipt, then refused


def test_email_me_my_receipt_only_for_the_report_this_browser_filed(app, client):
    stranger = app.test_client()
    response = stranger.post("/receipt/email?lang=en", data={"email": "x@example.org"})
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert rows() == []
