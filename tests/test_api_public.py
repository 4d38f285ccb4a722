"""The public API: reference data, both procedures filed through it (a linked complaint and
tip-off too), the receipt's view, evidence and answers, and every error as a problem document."""

import hashlib
import io
from decimal import Decimal

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.evidence.models import Evidence
from portal.evidence.storage import stored_path
from portal.extensions import db
from portal.messages.models import Message
from portal.reports.models import Report
from tests.api_helpers import assert_problem, complaint_body, file_report, tip_body
from tests.conftest import fake_exe, jpeg_with_gps, make_user, pdf_bytes


def _report(number):
    return db.session.scalar(select(Report).where(Report.number == number))


def test_reference_lists_carry_codes_and_both_names(client):
    categories = client.get("/api/v1/categories").get_json()["items"]
    catering = next(c for c in categories if c["code"] == "food.catering")
    assert catering["name_zh"] and catering["name_en"] and catering["group"] == "food"
    regions = {r["code"]: r for r in client.get("/api/v1/regions").get_json()["items"]}
    assert regions["330106"]["parent"] and regions["330106"]["level"] == 2
    departments = {d["code"]: d for d in client.get("/api/v1/departments").get_json()["items"]}
    assert departments["fso"]["intake_office"] is True
    assert departments["market-330106"]["name_en"] == "Xihu District Market Regulation Bureau"


def test_a_tip_filed_through_the_api_is_the_report_the_form_would_make(client):
    response = client.post("/api/v1/reports", json=tip_body(wants_reward=True))
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
    created = response.get_json()
    report = _report(created["number"])
    assert created["number"].startswith("JB-") and created["state"] == "submitted"
    assert created["department"] == report.department.code == "market"
    assert created["received_at"].endswith("+08:00")
    assert (report.business_name, report.business_address) == ("老街坊餐馆", "文三路 88 号")
    assert report.anonymous and report.wants_reward and report.reporter_links == []
    assert str(report.occurred_on) == "2026-11-01"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.submitted"))
    assert event.data["number"] == created["number"]

    status = client.get(
        f"/api/v1/reports/{created['number']}", headers={"X-Access-Key": created["access_key"]}
    )
    assert status.status_code == 200 and "Set-Cookie" not in status.headers
    body = status.get_json()
    assert body["state"]["code"] == "submitted"
    assert body["timeline"][0]["at"].endswith("+08:00")
    english = client.get(
        f"/api/v1/reports/{created['number']}",
        headers={"X-Access-Key": created["access_key"], "Accept-Language": "en-GB,en;q=0.8"},
    ).get_json()
    assert english["state"]["text"] == "Received, waiting for the department to review it"
    assert english["timeline"][0]["text"] == "Tip-off received"
    assert english["state"]["text"] != body["state"]["text"]  # zh-CN by default
    assert [d["code"] for d in english["legal_dates"]] == ["tip.case_decision"]


def test_a_complaint_that_also_reports_a_violation_makes_two_linked_reports(client):
    created = file_report(client, complaint_body(also_tip=True))
    complaint, tip = _report(created["number"]), _report(created["linked_number"])
    assert complaint.kind == "complaint" and tip.kind == "tip"
    assert complaint.linked_report is tip and tip.linked_report is complaint
    assert complaint.demand == "refund" and complaint.demand_amount == Decimal("128.50")
    assert tip.demand is None
    reporter = complaint.primary_reporter
    assert reporter.name == "王小明" and reporter.postal_address == "杭州市西湖区文三路 100 号"
    # One key opens both; each names the other.
    key = {"X-Access-Key": created["access_key"]}
    assert (
        client.get(f"/api/v1/reports/{tip.number}", headers=key).get_json()["linked_number"]
        == complaint.number
    )
    status = client.get(f"/api/v1/reports/{complaint.number}", headers=key).get_json()
    assert status["linked_number"] == tip.number and status["kind"] == "complaint"


def test_domain_refusals_are_worded_in_the_callers_language(client):
    body = complaint_body(reporter={"name": "王小明"})
    response = client.post("/api/v1/reports", json=body, headers={"Accept-Language": "en"})
    problem = assert_problem(response, 422, "complaint_needs_identity")
    assert problem["detail"] == "A complaint needs your real name, phone number and postal address."
    chinese = assert_problem(client.post("/api/v1/reports", json=body), 422, "complaint_needs_identity")
    assert chinese["detail"] != problem["detail"]
    anonymous = client.post(
        "/api/v1/reports", json=complaint_body(anonymous=True), headers={"Accept-Language": "en"}
    )
    assert_problem(anonymous, 422, "complaint_not_anonymous")
    assert db.session.scalar(select(Report.id)) is None


def test_malformed_requests_answer_the_documented_problems(client):
    bad_json = client.post("/api/v1/reports", data="{kind: tip", content_type="application/json")
    assert_problem(bad_json, 400, "bad_json")
    form = client.post("/api/v1/reports", data={"kind": "tip"})
    assert_problem(form, 415, "json_required")
    unknown = assert_problem(
        client.post("/api/v1/reports", json=tip_body(colour="red")), 422, "validation_failed"
    )
    assert unknown["errors"] == {"colour": ["未知字段，请删除。"]}  # zh-CN by default
    nested = assert_problem(
        client.post("/api/v1/reports", json=tip_body(subject={"name": "x", "owner": "y"})),
        422,
        "validation_failed",
    )
    assert list(nested["errors"]) == ["subject.owner"]
    wrong_type = client.post("/api/v1/reports", json=tip_body(kind=5, anonymous="perhaps"))
    errors = assert_problem(wrong_type, 422, "validation_failed")["errors"]
    assert set(errors) == {"kind", "anonymous"}
    float_money = client.post(
        "/api/v1/reports", json=complaint_body(demand={"type": "refund", "amount": 128.5})
    )
    assert list(assert_problem(float_money, 422)["errors"]) == ["demand.amount"]
    unknown_code = client.post("/api/v1/reports", json=tip_body(category="food.nothing"))
    assert list(assert_problem(unknown_code, 422)["errors"]) == ["category"]
    not_an_object = client.post("/api/v1/reports", json=["tip"])
    assert assert_problem(not_an_object, 422)["errors"]
    assert_problem(client.delete("/api/v1/reports"), 405)
    assert db.session.scalar(select(Report.id)) is None


def test_a_wrong_number_and_a_wrong_key_get_the_same_answer(client):
    created = file_report(client)
    wrong_key = client.get(
        f"/api/v1/reports/{created['number']}", headers={"X-Access-Key": "AAAA-BBBB-CCCC-DDDD-EEEE"}
    )
    wrong_number = client.get(
        "/api/v1/reports/JB-2026-999999", headers={"X-Access-Key": created["access_key"]}
    )
    no_key = client.get(f"/api/v1/reports/{created['number']}")
    assert_problem(wrong_key, 404, "not_found")
    assert wrong_key.get_data() == wrong_number.get_data() == no_key.get_data()
    upload = client.post(
        f"/api/v1/reports/{created['number']}/evidence",
        data={"file": (io.BytesIO(pdf_bytes()), "a.pdf")},
        headers={"X-Access-Key": "AAAA-BBBB-CCCC-DDDD-EEEE"},
    )
    assert upload.get_data() == wrong_key.get_data()
    assert db.session.scalar(select(Evidence.id)) is None


def _upload(client, created, data, name):
    return client.post(
        f"/api/v1/reports/{created['number']}/evidence",
        data={"file": (io.BytesIO(data), name)},
        headers={"X-Access-Key": created["access_key"]},
    )


def test_evidence_is_checked_and_cleaned_as_on_the_web_form(client, app):
    created = file_report(client)
    response = _upload(client, created, jpeg_with_gps(), "photo.jpg")
    assert response.status_code == 201 and "Set-Cookie" not in response.headers
    stored = response.get_json()
    evidence = db.session.scalar(select(Evidence))
    assert evidence.report.number == created["number"] and evidence.supplement is not None
    assert stored["sha256"] == evidence.sha256 and stored["metadata_stripped"] is True
    on_disk = stored_path(evidence.storage_name).read_bytes()
    assert hashlib.sha256(on_disk).hexdigest() == stored["sha256"]
    assert b"GPS" not in on_disk and b"PhoneMaker" not in on_disk

    disguised = assert_problem(_upload(client, created, fake_exe(), "holiday.jpg"), 415, "file_unsupported")
    assert disguised["detail"]
    app.config["MAX_FILE_MB"] = 1
    assert_problem(
        _upload(client, created, pdf_bytes() + b"0" * (1024 * 1024 + 10), "big.pdf"), 413, "file_too_large"
    )
    app.config["MAX_CONTENT_LENGTH"] = 1024
    assert_problem(_upload(client, created, pdf_bytes() + b"0" * 4096, "b.pdf"), 413)
    assert db.session.scalar(select(db.func.count(Evidence.id))) == 1


def test_the_reporter_reads_and_answers_the_departments_messages(client):
    from portal.messages.operations import send_to_reporter

    created = file_report(client)
    report = _report(created["number"])
    staff = make_user("clerk", "staff", report.department.code)
    send_to_reporter(report, "请提供消费凭证。", staff)
    db.session.commit()
    key = {"X-Access-Key": created["access_key"]}
    messages = client.get(f"/api/v1/reports/{created['number']}", headers=key).get_json()["messages"]
    assert [(m["direction"], m["body"]) for m in messages] == [("to_reporter", "请提供消费凭证。")]
    answer = client.post(
        f"/api/v1/reports/{created['number']}/messages", json={"body": "凭证已上传。"}, headers=key
    )
    assert answer.status_code == 201
    row = db.session.get(Message, answer.get_json()["id"])
    assert (row.direction, row.body, row.author_id) == ("from_reporter", "凭证已上传。", None)
    assert_problem(
        client.post(
            f"/api/v1/reports/{created['number']}/messages", json={"body": "x", "to": "boss"}, headers=key
        ),
        422,
    )
    assert_problem(
        client.post(f"/api/v1/reports/{created['number']}/messages", json={"body": "   "}, headers=key),
        422,
        "nothing_to_add",
    )


def test_schema_round_trip_keeps_money_dates_and_flags():
    from portal.api.schemas import ReportIn, StaffReport

    loaded = ReportIn().load(complaint_body(also_tip=True, occurred_on="2026-10-31"))
    assert loaded["demand"]["amount"] == Decimal("128.50") and str(loaded["occurred_on"]) == "2026-10-31"
    assert loaded["also_tip"] is True and loaded["wants_reward"] is False
    dumped = StaffReport(only=("demand_amount", "decision")).dump(
        {
            "demand_amount": Decimal("128.5"),
            "decision": {"fine_yuan": Decimal("5000"), "referred_for_prosecution": False},
        }
    )
    assert dumped["demand_amount"] == "128.50" and dumped["decision"]["fine_yuan"] == "5000.00"


def test_field_messages_of_a_bad_report_follow_the_callers_language(client):
    """Every message of a 422 in Chinese by default and in English on request: marshmallow's own
    (missing, unknown, wrong type, choices, length) and the schemas' (phone, ID card, future
    date, control characters, a demand on a tip-off)."""
    import re

    body = tip_body(occurred_on="2099-01-01", colour="red", kind="parcel", anonymous="maybe", demand="refund")
    del body["category"]
    body["description"] = "太短\x07"
    body["reporter"] = {"phone": "123", "id_number": "123"}
    chinese = client.post("/api/v1/reports", json=body).get_json()["errors"]
    in_english = client.post("/api/v1/reports", json=body, headers={"Accept-Language": "en"})
    english = in_english.get_json()["errors"]
    assert set(chinese) == set(english) >= {
        "anonymous", "category", "colour", "description", "kind", "occurred_on", "reporter.phone",
        "reporter.id_number",
    }  # fmt: skip
    untranslated = {f: m for f, ms in chinese.items() for m in ms if not re.search(r"[\u4e00-\u9fff]", m)}
    assert untranslated == {}
    assert "必须是以下之一：complaint, tip。" in chinese["kind"]
    assert english["kind"] == ["Must be one of: complaint, tip."]
    assert english["category"] == ["Missing data for required field."]
