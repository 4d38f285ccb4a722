"""Staff endpoints with personal tokens: the back office's scoping and permissions (two
departments, two roles and an auditor), both procedures moved through the API, proposals, the
queue's pages, token expiry, revocation and deactivation, and the audit of every use."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.api.tokens import ApiToken
from portal.audit.models import AuditEvent
from portal.clock import frozen_at, utcnow
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.proposals import Proposal
from tests.api_helpers import assert_problem, bearer, complaint_body, file_report, staff_token, tip_body


def _report(number):
    db.session.expire_all()
    return db.session.scalar(select(Report).where(Report.number == number))


@pytest.fixture
def reports(client):
    """A tip-off for the city bureau (market) and one for the Xihu branch (market-330106)."""
    city = file_report(client, tip_body())
    xihu = file_report(client, tip_body(region="330106"))
    assert (_report(city["number"]).department.code, _report(xihu["number"]).department.code) == (
        "market",
        "market-330106",
    )
    return city["number"], xihu["number"]


def test_a_token_sees_only_its_departments_reports(client, reports):
    city, xihu = reports
    token = staff_token("city-clerk", "staff", "market")
    queue = client.get("/api/v1/staff/reports", headers=bearer(token))
    assert queue.status_code == 200 and "Set-Cookie" not in queue.headers
    assert [r["number"] for r in queue.get_json()["items"]] == [city]
    detail = client.get(f"/api/v1/staff/reports/{city}", headers=bearer(token)).get_json()
    assert detail["department"] == "market" and detail["description"].startswith("后厨")
    assert {m["action"]: m["mode"] for m in detail["moves"]} == {"verifying": "move", "returned": "propose"}
    other = client.get(f"/api/v1/staff/reports/{xihu}", headers=bearer(token))
    missing = client.get("/api/v1/staff/reports/JB-2026-999999", headers=bearer(token))
    assert_problem(other, 404, "not_found")
    assert other.get_data() == missing.get_data()
    moved = client.post(
        f"/api/v1/staff/reports/{xihu}/transitions", json={"action": "verifying"}, headers=bearer(token)
    )
    assert moved.get_data() == missing.get_data()
    assert _report(xihu).state == "submitted"
    # The Xihu branch's token sees the other one.
    xihu_token = staff_token("xihu-clerk", "staff", "market-330106")
    listed = client.get("/api/v1/staff/reports", headers=bearer(xihu_token)).get_json()["items"]
    assert [r["number"] for r in listed] == [xihu]


def test_every_use_is_audited_and_stamped(client, reports):
    token = staff_token("city-clerk", "staff", "market")
    client.get("/api/v1/staff/reports", headers=bearer(token))
    client.get(f"/api/v1/staff/reports/{reports[0]}", headers=bearer(token))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api.token_used")).all()
    row = db.session.scalar(select(ApiToken))
    assert [e.data["endpoint"] for e in events] == ["api.staff_queue", "api.staff_report"]
    assert {e.object_id for e in events} == {row.id} and events[0].actor_label == "staff:city-clerk"
    assert row.last_used_at is not None
    assert token not in str([e.data for e in events]) and token != row.token_hash


def test_the_tip_off_procedure_through_the_api_with_staff_proposing_and_a_lead_deciding(client, reports):
    city = reports[0]
    staff, lead = staff_token("city-clerk", "staff", "market"), staff_token("city-lead", "lead", "market")
    url = f"/api/v1/staff/reports/{city}/transitions"
    verifying = client.post(url, json={"action": "verifying", "reason": None}, headers=bearer(staff))
    assert verifying.status_code == 200 and verifying.get_json()["state"] == "verifying"
    details = {"action": "case_opened", "case_number": "杭市监立〔2026〕12号", "opened_on": "2026-11-20"}
    proposed = client.post(url, json=details, headers=bearer(staff))
    assert proposed.status_code == 202 and proposed.get_json()["outcome"] == "proposed"
    proposal = db.session.get(Proposal, proposed.get_json()["proposal"])
    assert (proposal.status, proposal.target, proposal.details["case_number"]) == (
        "pending",
        "case_opened",
        "杭市监立〔2026〕12号",
    )
    assert _report(city).state == "verifying"
    again = client.post(url, json=details, headers=bearer(staff))
    assert_problem(again, 409, "proposal_pending")
    missing = client.post(
        url,
        json={"action": "case_opened"},
        headers=bearer(
            lead,
        ),
    )
    assert_problem(missing, 422, "case_number_required")
    stray = client.post(url, json={"action": "case_opened", "terms": "x"} | details, headers=bearer(lead))
    assert list(assert_problem(stray, 422, "validation_failed")["errors"]) == ["terms"]
    opened = client.post(url, json=details, headers=bearer(lead))
    assert opened.status_code == 200 and opened.get_json()["outcome"] == "moved"
    report = _report(city)
    assert (report.state, report.case_number, str(report.case_opened_on)) == (
        "case_opened",
        "杭市监立〔2026〕12号",
        "2026-11-20",
    )
    penalty = {
        "action": "penalty_decided",
        "decision_number": "杭市监罚〔2026〕3号",
        "decided_on": "2026-11-21",
        "confiscation_yuan": "0.00",
        "fine_yuan": "5000.00",
        "referred_for_prosecution": False,
    }
    assert client.post(url, json=penalty | {"fine_yuan": 5000}, headers=bearer(lead)).status_code == 422
    assert client.post(url, json=penalty, headers=bearer(lead)).status_code == 200
    decision = client.get(f"/api/v1/staff/reports/{city}", headers=bearer(lead)).get_json()["decision"]
    assert decision["fine_yuan"] == "5000.00" and decision["decided_on"] == "2026-11-21"
    not_from_here = client.post(url, json={"action": "mediating"}, headers=bearer(lead))
    assert_problem(not_from_here, 422, "invalid_transition")


def test_the_complaint_procedure_and_a_message_to_the_reporter(client):
    created = file_report(client, complaint_body())
    number, key = created["number"], {"X-Access-Key": created["access_key"]}
    staff = staff_token("city-clerk", "staff", "market")
    url = f"/api/v1/staff/reports/{number}/transitions"
    for step in ({"action": "accepted"}, {"action": "mediating"}):
        response = client.post(url, json=step, headers=bearer(staff))
        assert response.status_code == 200, response.get_json()
    written = client.post(
        f"/api/v1/staff/reports/{number}/messages", json={"body": "请提供购物小票。"}, headers=bearer(staff)
    )
    assert written.status_code == 201
    seen = client.get(f"/api/v1/reports/{number}", headers=key | {"Accept-Language": "en"}).get_json()
    assert seen["state"] == {"code": "mediating", "text": "Mediation in progress"}
    assert [m["body"] for m in seen["messages"]] == ["请提供购物小票。"]
    agreed = client.post(
        url, json={"action": "mediated", "terms": "商家退款 128.50 元。"}, headers=bearer(staff)
    )
    assert agreed.status_code == 200
    assert _report(number).mediation_terms == "商家退款 128.50 元。"
    assert client.post(url, json={"action": "closed"}, headers=bearer(staff)).status_code == 200
    assert _report(number).state == "closed"
    closed = client.post(f"/api/v1/reports/{number}/messages", json={"body": "谢谢"}, headers=key)
    assert_problem(closed, 422, "messaging_closed")


def test_a_role_that_may_not_take_the_step_gets_403(client, reports):
    city = reports[0]
    auditor = staff_token("auditor", "auditor")
    # The auditor reads across departments but changes nothing.
    assert client.get(f"/api/v1/staff/reports/{reports[1]}", headers=bearer(auditor)).status_code == 200
    refused = client.post(
        f"/api/v1/staff/reports/{city}/transitions", json={"action": "verifying"}, headers=bearer(auditor)
    )
    assert_problem(refused, 403, "not_allowed")
    message = client.post(
        f"/api/v1/staff/reports/{city}/messages", json={"body": "hi"}, headers=bearer(auditor)
    )
    assert_problem(message, 403, "not_allowed")
    assert _report(city).state == "submitted"
    assert db.session.scalar(select(func.count(Proposal.id))) == 0


def test_the_queue_pages_with_a_cursor_and_filters(client, monkeypatch):
    monkeypatch.setattr("portal.casework.queue.PAGE_SIZE", 2)
    numbers = [file_report(client)["number"] for _ in range(3)]
    complaint = file_report(client, complaint_body())["number"]
    token = staff_token("city-clerk", "staff", "market")
    first = client.get("/api/v1/staff/reports?kind=tip", headers=bearer(token)).get_json()
    second = client.get(
        f"/api/v1/staff/reports?kind=tip&cursor={first['next']}", headers=bearer(token)
    ).get_json()
    assert [r["number"] for r in first["items"] + second["items"]] == numbers[::-1]
    assert second["next"] is None
    complaints = client.get("/api/v1/staff/reports?kind=complaint", headers=bearer(token)).get_json()["items"]
    assert [r["number"] for r in complaints] == [complaint]
    bad = client.get("/api/v1/staff/reports?kind=parcel&colour=red&due_days=99", headers=bearer(token))
    errors = assert_problem(bad, 422, "validation_failed")["errors"]
    assert set(errors) == {"kind", "colour", "due_days"}
    assert errors["due_days"] == ["必须在 1 到 60 之间。"]  # in the caller's language, as the detail


def test_the_queue_in_due_date_order_pages_with_its_own_cursor(client, monkeypatch):
    """sort=due: the same due date for all three, so received time and id order them, oldest
    first (the default order is newest first); the cursor carries the due date."""
    monkeypatch.setattr("portal.casework.queue.PAGE_SIZE", 2)
    numbers = [file_report(client)["number"] for _ in range(3)]
    token = staff_token("due-clerk", "staff", "market")
    first = client.get("/api/v1/staff/reports?sort=due", headers=bearer(token)).get_json()
    assert "~" in first["next"]
    second = client.get(f"/api/v1/staff/reports?sort=due&cursor={first['next']}", headers=bearer(token))
    assert [r["number"] for r in first["items"] + second.get_json()["items"]] == numbers
    # A cursor of the due-date order is not one of the received order: that starts again.
    other = client.get(f"/api/v1/staff/reports?cursor={first['next']}", headers=bearer(token)).get_json()
    assert [r["number"] for r in other["items"]] == numbers[::-1][:2]


def test_a_deadline_filter_lists_the_most_overdue_first_unless_asked_otherwise(client):
    """The same default as the back office's queue (portal/casework/queue.py default_order)."""
    from datetime import datetime

    with frozen_at(datetime(2026, 10, 1, 2, 0)):
        oldest = file_report(client, tip_body(occurred_on="2026-09-20"))["number"]
    with frozen_at(datetime(2026, 10, 20, 2, 0)):
        newer = file_report(client, tip_body(occurred_on="2026-09-20"))["number"]
    with frozen_at(datetime(2026, 12, 7, 2, 0)):
        token = staff_token("overdue-clerk", "staff", "market")
        listed = lambda url: [r["number"] for r in client.get(url, headers=bearer(token)).get_json()["items"]]  # noqa: E731
        assert listed("/api/v1/staff/reports?due=overdue") == [oldest, newer]
        assert listed("/api/v1/staff/reports?due=overdue&sort=newest") == [newer, oldest]
        assert listed("/api/v1/staff/reports") == [newer, oldest]  # no deadline filter: newest first


def test_expired_revoked_and_deactivated_tokens_are_refused(client, runner, reports):
    from tests.conftest import make_user

    make_user("clerk", "staff", "market")
    made = runner.invoke(args=["users", "token", "clerk", "--expires-days", "2"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    row = db.session.scalar(select(ApiToken))
    assert token.startswith("pat_") and row.token_hash != token and len(row.token_hash) == 64
    assert client.get("/api/v1/staff/reports", headers=bearer(token)).status_code == 200
    with frozen_at(utcnow() + timedelta(days=2, minutes=1)):
        assert_problem(client.get("/api/v1/staff/reports", headers=bearer(token)), 401, "token_invalid")
    revoked = runner.invoke(args=["users", "revoke-token", "clerk"])
    assert revoked.exit_code == 0 and f"revoked token {row.id}" in revoked.output
    refused = client.get("/api/v1/staff/reports", headers=bearer(token))
    assert_problem(refused, 401, "token_invalid")
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(client.get("/api/v1/staff/reports", headers={"Authorization": "Bearer pat_made-up"}), 401)
    assert_problem(client.get("/api/v1/staff/reports"), 401)

    from portal.accounts.operations import deactivate_user
    from portal.audit.chain import SYSTEM

    live = staff_token("lead", "lead", "market")
    assert client.get("/api/v1/staff/reports", headers=bearer(live)).status_code == 200
    deactivate_user(db.session.scalar(select(ApiToken).order_by(ApiToken.id.desc())).user, SYSTEM)
    db.session.commit()
    assert_problem(client.get("/api/v1/staff/reports", headers=bearer(live)), 401, "token_invalid")
    used = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "api.token_used"))
    assert used == 2  # refused attempts are not uses
