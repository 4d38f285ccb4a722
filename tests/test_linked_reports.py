"""Linked submissions: one complaint form makes a complaint and a tip-off, one key opens both;
staff can link two reports or open a tip-off from a complaint."""

import pytest
from sqlalchemy import func, select

from portal.audit.chain import Actor
from portal.audit.models import AuditEvent
from portal.directory.models import Region
from portal.extensions import db
from portal.reports.linking import link_reports, open_linked_tip
from portal.reports.models import Assignment, Report
from portal.reports.operations import ReportError, find_by_receipt, submit_report
from portal.reports.receipts import new_submission_token
from tests.conftest import complaint_form, intake_form, lookup, make_intake, receipt_in

STAFF = Actor("system", "test-staff")


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def linked_form(**overrides):
    # Xihu: the catering rule for the district sends both reports to its branch.
    return complaint_form(also_tip="y", district=str(lookup(Region, "330106").id), **overrides)


def test_a_linked_submission_makes_two_routed_reports_opened_by_one_key(client):
    response = client.post("/report/new", data=linked_form())
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    number, key = receipt_in(page)
    tip_number = page.split('id="receipt-linked-number">')[1].split("<")[0]
    assert number.startswith("TS-") and tip_number.startswith("JB-")

    complaint = find_by_receipt(number, key)
    tip = find_by_receipt(tip_number, key)
    assert (complaint.kind, tip.kind) == ("complaint", "tip")
    assert complaint.linked_report == tip and tip.linked_report == complaint
    assert [a.rule.code for a in complaint.assignments] == ["food-catering-xihu"]
    assert [a.rule.code for a in tip.assignments] == ["food-catering-xihu"]
    assert complaint.primary_reporter is tip.primary_reporter  # one person behind both
    assert tip.demand is None and tip.wants_reward is False
    submitted = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.submitted")).all()
    assert sorted(e.data["linked"] for e in submitted) == sorted([number, tip_number])


def test_each_report_of_a_linked_pair_is_routed_by_its_own_rules():
    """route() goes by category and region; the tip-off gets the complaint's, so today both land
    in the same department unless a rule is added per kind (documented in submit_report)."""
    receipt = submit_report(make_intake(kind="complaint", also_tip=True), [], new_submission_token())
    complaint, tip = receipt.report, receipt.report.linked_report
    assert complaint.department == tip.department
    assert len(complaint.assignments) == len(tip.assignments) == 1


def test_a_double_submitted_linked_form_shows_both_numbers_again_and_creates_nothing(client):
    form = linked_form()
    first = client.post("/report/new", data=form).get_data(as_text=True)
    second = client.post("/report/new", data=form).get_data(as_text=True)
    assert receipt_in(first) == receipt_in(second)
    assert 'id="receipt-linked-number"' in second
    assert (
        first.split('id="receipt-linked-number">')[1][:14]
        == second.split('id="receipt-linked-number">')[1][:14]
    )
    assert count(Report) == 2 and count(Assignment) == 2


def test_the_status_page_shows_the_other_track_and_switches_to_it(client):
    page = client.post("/report/new?lang=en", data=linked_form()).get_data(as_text=True)
    number, key = receipt_in(page)
    tip_number = page.split('id="receipt-linked-number">')[1].split("<")[0]
    client.post("/track", data={"number": number, "access_key": key})
    status = client.get("/track/status").get_data(as_text=True)
    assert f'<span id="linked-number">{tip_number}</span>' in status
    assert 'id="linked-state">Received, waiting for the department to review it<' in status

    switched = client.post("/track/switch", follow_redirects=True).get_data(as_text=True)
    assert f"{tip_number}</h1>" in switched or f" {tip_number}" in switched.split("</h1>")[0]
    assert f'<span id="linked-number">{number}</span>' in switched


def test_a_report_linked_by_staff_to_another_persons_report_shows_no_switch(client):
    page = client.post("/report/new", data=complaint_form()).get_data(as_text=True)
    number, key = receipt_in(page)
    complaint = find_by_receipt(number, key)
    other_persons_tip = submit_report(make_intake(), [], new_submission_token()).report
    link_reports(complaint, other_persons_tip, STAFF, "同一家店，同一批过期食材。")
    db.session.commit()
    client.post("/track", data={"number": number, "access_key": key})
    assert 'id="linked-report"' not in client.get("/track/status").get_data(as_text=True)
    client.post("/track/switch")
    assert f"{number}</h1>" in client.get("/track/status").get_data(as_text=True)  # still the complaint


def test_the_switch_opens_nothing_without_a_tracking_session(client):
    response = client.post("/track/switch")
    assert response.status_code == 302 and response.headers["Location"].endswith("/track/status")
    assert client.get("/track/status").status_code == 302  # back to the lookup


def test_staff_link_a_complaint_and_a_tip_off_with_a_reason_and_it_is_audited():
    complaint = submit_report(make_intake(kind="complaint"), [], new_submission_token()).report
    tip = submit_report(make_intake(), [], new_submission_token()).report
    with pytest.raises(ReportError) as no_reason:
        link_reports(complaint, tip, STAFF, "")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(ReportError) as wrong_way:
        link_reports(tip, complaint, STAFF, "理由")
    assert wrong_way.value.code == "link_needs_complaint_and_tip"
    link_reports(complaint, tip, STAFF, "同一事实")
    assert complaint.linked_report == tip and tip.linked_report == complaint
    third = submit_report(make_intake(), [], new_submission_token()).report
    with pytest.raises(ReportError) as twice:
        link_reports(complaint, third, STAFF, "理由")
    assert twice.value.code == "already_linked"
    db.session.commit()  # events join the chain at commit
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.linked")).all()
    assert {(e.object_id, e.data["linked"]) for e in events} == {
        (complaint.id, tip.number),
        (tip.id, complaint.number),
    }


def test_staff_open_a_tip_off_from_a_complaint_that_the_complainants_key_opens_too(client):
    page = client.post("/report/new", data=complaint_form()).get_data(as_text=True)
    number, key = receipt_in(page)
    complaint = find_by_receipt(number, key)
    tip = open_linked_tip(complaint, STAFF, "调解中发现该店使用过期食材。")
    db.session.commit()
    assert tip.number.startswith("JB-") and tip.kind == "tip" and tip.state == "submitted"
    assert tip.linked_report == complaint and tip.primary_reporter is complaint.primary_reporter
    assert find_by_receipt(tip.number, key) == tip
    assert [a.department.code for a in tip.assignments] == ["market"]  # routed by its own rules
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == tip.id)).all()
    assert actions == ["report.submitted", "report.linked"]
    with pytest.raises(ReportError) as again:
        open_linked_tip(complaint, STAFF, "再开一个")
    assert again.value.code == "already_linked"


def test_intake_from_report_reads_back_what_the_submission_stored_without_identity():
    from dataclasses import fields
    from datetime import date

    from portal.reports.operations import IntakeData, intake_from_report

    sent = make_intake(
        kind="complaint", occurred_on=date(2026, 11, 1), platform="美团外卖", order_number="2026110112345"
    )
    report = submit_report(sent, [], new_submission_token()).report
    db.session.commit()
    back = intake_from_report(report)
    identity = {"reporter_name", "reporter_phone", "reporter_id_number", "contact_email", "reporter_address"}
    for field in fields(IntakeData):
        if field.name in identity | {"also_tip"}:
            assert getattr(back, field.name) in (None, False), field.name
        else:
            assert getattr(back, field.name) == getattr(sent, field.name), field.name


def test_also_tip_on_a_tip_off_is_refused_next_to_the_box(client):
    from tests.test_intake import errors_next_to

    response = client.post("/report/new?lang=en", data=intake_form(also_tip="y"))
    assert response.status_code == 422 and count(Report) == 0
    assert errors_next_to(response.get_data(as_text=True), "also_tip") == [
        "Only a complaint can also report a violation. Untick the box or choose complaint."
    ]


pytestmark = pytest.mark.usefixtures("app")
