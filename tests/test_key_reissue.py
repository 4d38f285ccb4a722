"""A new access key for a real-name reporter who lost theirs (issue 9, item 4): issued on the case
page by staff of the handling department after checking identity; the old key stops working at
once (and so does a session opened with it); audited without the key; never for anonymous
reports; for both reports of a linked pair that share the receipt."""

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.casework.key_reissue import reissue_access_key
from portal.casework.models import Note
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.reports.operations import find_by_receipt
from portal.reports.receipts import normalise_key
from tests.casework import OTHER, OWN, file_report
from tests.conftest import make_user

pytestmark = pytest.mark.usefixtures("app")
CHECK = "身份证现场核验，姓名与举报一致"


def real_name_report(department=OWN, **overrides):
    return file_report(
        department, anonymous=False, reporter_name="李四", reporter_phone="13912345678", **overrides
    )


def reissue_events(report=None):
    query = select(AuditEvent).where(AuditEvent.action == "receipt.key_reissued")
    if report is not None:
        query = query.where(AuditEvent.object_id == report.id)
    return db.session.scalars(query).all()


def open_status(app, number, key):
    """A citizen's browser that opened the report with a receipt."""
    citizen = app.test_client()
    response = citizen.post("/track", data={"number": number, "access_key": key})
    assert response.headers["Location"].endswith("/track/status")
    return citizen


def test_staff_issue_a_new_key_the_old_one_stops_working_and_it_is_audited(app, client, login_as):
    report, old_key = real_name_report()
    citizen = open_status(app, report.number, old_key)  # e.g. on the lost phone
    login_as(Role.STAFF, OWN)
    case = client.get(f"/admin/reports/{report.number}?lang=en").get_data(as_text=True)
    assert 'id="case-access-key"' in case and 'name="identity_check"' in case
    response = client.post(f"/admin/reports/{report.number}/access-key", data={"identity_check": CHECK})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    new_key = re.search(r'id="reissued-key">([0-9A-Z-]+)<', page).group(1)
    assert normalise_key(new_key) != normalise_key(old_key)
    # The old key opens nothing, the new one opens the report.
    assert find_by_receipt(report.number, old_key) is None
    assert find_by_receipt(report.number, new_key).id == report.id
    refused = app.test_client().post("/track", data={"number": report.number, "access_key": old_key})
    assert refused.status_code == 404
    # The browser that opened the report with the old key is out at once.
    assert citizen.get("/track/status").headers["Location"].endswith("/track")
    # Audited: who and how identity was checked (an internal note), never the key.
    (event,) = reissue_events(report)
    assert event.actor_label == f"staff:{Role.STAFF}-{OWN}"
    note = db.session.get(Note, event.data["note_id"])
    assert note.body == CHECK and note.report_id == report.id
    stored = str(event.data)
    assert normalise_key(new_key) not in stored.replace("-", "") and old_key not in stored
    # The case timeline says a key was issued and how identity was checked; the citizen's
    # status page (opened with the new key) does not show the note.
    timeline = client.get(f"/admin/reports/{report.number}?lang=en").get_data(as_text=True)
    assert "New access key issued" in timeline and CHECK in timeline
    status = open_status(app, report.number, new_key).get("/track/status").get_data(as_text=True)
    assert CHECK not in status


def test_another_department_gets_404_and_the_key_is_unchanged(app, client, login_as):
    report, key = real_name_report()
    login_as(Role.LEAD, OTHER)
    response = client.post(f"/admin/reports/{report.number}/access-key", data={"identity_check": CHECK})
    assert response.status_code == 404
    assert find_by_receipt(report.number, key).id == report.id and reissue_events() == []


def test_anonymous_reports_are_refused_with_the_reason(app, client, login_as):
    report, key = file_report(OWN)  # anonymous tip-off
    login_as(Role.STAFF, OWN)
    case = client.get(f"/admin/reports/{report.number}?lang=en").get_data(as_text=True)
    assert 'id="reissue-refused"' in case and 'name="identity_check"' not in case
    response = client.post(
        f"/admin/reports/{report.number}/access-key?lang=en",
        data={"identity_check": CHECK},
        follow_redirects=True,
    )
    assert "filed anonymously" in response.get_data(as_text=True)
    assert find_by_receipt(report.number, key).id == report.id and reissue_events() == []


def test_the_identity_check_must_be_written_down():
    report, key = real_name_report()
    staff = make_user("clerk", Role.STAFF, OWN)
    for blank in ("", "   ", None):
        with pytest.raises(ReportError) as refused:
            reissue_access_key(report, blank, staff)
        assert refused.value.code == "identity_check_required"
    db.session.rollback()
    assert find_by_receipt(report.number, key) is not None and reissue_events() == []


def test_auditors_and_other_departments_cannot_reissue_through_the_domain_either():
    report, key = real_name_report()
    for user in (make_user("auditor", Role.AUDITOR), make_user("other", Role.STAFF, OTHER)):
        with pytest.raises(ReportError) as refused:
            reissue_access_key(report, CHECK, user)
        assert refused.value.code == "not_allowed"
    assert find_by_receipt(report.number, key) is not None


def test_a_linked_pair_gets_the_new_key_on_both_reports(app):
    from portal.reports.operations import submit_report
    from portal.reports.receipts import new_submission_token
    from tests.conftest import make_intake

    receipt = submit_report(make_intake(kind="complaint", also_tip=True), [], new_submission_token())
    db.session.commit()
    complaint, tip, old_key = receipt.report, receipt.report.linked_report, receipt.access_key
    staff = make_user("clerk", Role.STAFF, complaint.department.code)
    new_key = reissue_access_key(complaint, CHECK, staff)
    db.session.commit()
    for report in (complaint, tip):
        assert find_by_receipt(report.number, old_key) is None
        assert find_by_receipt(report.number, new_key).id == report.id
        (event,) = reissue_events(report)
        assert event.data["also"] == [(tip if report is complaint else complaint).number]
    # The status page's switch between the two still works with the one new key.
    citizen = open_status(app, complaint.number, new_key)
    citizen.post("/track/switch")
    assert tip.number in citizen.get("/track/status").get_data(as_text=True)
