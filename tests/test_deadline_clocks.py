"""Due dates per report, made and met by real transitions; policy by effective date; the sweep."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from portal.accounts.permissions import scoped_reports
from portal.audit.chain import SYSTEM
from portal.audit.models import AuditEvent
from portal.clock import frozen_at
from portal.deadlines.clocks import extend_deadline
from portal.deadlines.holidays import import_schedule
from portal.deadlines.models import ReportDeadline
from portal.deadlines.policies import add_policy_version, policy_in_force
from portal.deadlines.queries import due_filter
from portal.deadlines.sweep import sweep_deadlines
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.reports.models import Report
from portal.reports.operations import submit_report, transition_report
from portal.reports.receipts import new_submission_token
from tests.conftest import make_intake, make_user
from tests.test_deadline_calendar import SCHEDULE_2027

pytestmark = pytest.mark.usefixtures("app")

MONDAY_2_NOV = datetime(2026, 11, 2, 2, 0)  # 10:00 in Beijing


def submit(moment, **intake):
    with frozen_at(moment):
        report = submit_report(make_intake(**intake), [], new_submission_token()).report
        db.session.commit()
    return report


def clocks(report):
    rows = db.session.scalars(select(ReportDeadline).where(ReportDeadline.report_id == report.id))
    return {d.policy_code: (d.starts_on, d.due_on, d.status) for d in rows}


def audit_count():
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_a_complaint_gets_7_working_days_to_accept_and_then_45_to_mediate():
    report = submit(MONDAY_2_NOV, kind="complaint")
    assert clocks(report) == {"complaint.accept": (date(2026, 11, 2), date(2026, 11, 11), "open")}
    with frozen_at(datetime(2026, 11, 5, 2, 0)):
        transition_report(report, "accepted", SYSTEM)
        transition_report(report, "mediating", SYSTEM)
        db.session.commit()
    found = clocks(report)
    assert found["complaint.accept"] == (date(2026, 11, 2), date(2026, 11, 11), "met")
    assert found["complaint.mediation"] == (date(2026, 11, 5), date(2027, 1, 8), "open")
    with frozen_at(datetime(2026, 12, 1, 2, 0)):
        transition_report(report, "mediated", SYSTEM, terms="退款 128.50 元")
        db.session.commit()
    assert clocks(report)["complaint.mediation"][2] == "met"


def test_a_tip_off_clock_runs_through_verification_and_a_real_name_reporter_is_told():
    report = submit(MONDAY_2_NOV, anonymous=False, reporter_name="李四", reporter_phone="13912345678")
    with frozen_at(datetime(2026, 11, 3, 2, 0)):
        transition_report(report, "verifying", SYSTEM)
        db.session.commit()
    assert clocks(report)["tip.case_decision"] == (date(2026, 11, 2), date(2026, 11, 23), "open")
    with frozen_at(datetime(2026, 11, 10, 2, 0)):
        transition_report(report, "case_opened", SYSTEM, case_number="立字7号", opened_on=date(2026, 11, 10))
        db.session.commit()
    found = clocks(report)
    assert found["tip.case_decision"][2] == "met"
    assert found["tip.case_conclusion"] == (date(2026, 11, 10), date(2027, 2, 8), "open")  # 90 days
    assert found["tip.decision_notice"][2] == "met"  # the status page tells the reporter at once


def test_an_anonymous_tip_off_has_no_notice_clock():
    report = submit(MONDAY_2_NOV)
    with frozen_at(datetime(2026, 11, 3, 2, 0)):
        transition_report(report, "verifying", SYSTEM)
        transition_report(report, "not_opened", SYSTEM, reason="无违法事实")
        db.session.commit()
    assert set(clocks(report)) == {"tip.case_decision"}


def test_the_policy_in_force_on_the_day_the_clock_started_applies():
    with frozen_at(MONDAY_2_NOV):
        add_policy_version("complaint.accept", date(2026, 12, 1), SYSTEM, working_days=5, source="新规")
        db.session.commit()
    before = submit(datetime(2026, 11, 30, 2, 0), kind="complaint")
    after = submit(datetime(2026, 12, 1, 2, 0), kind="complaint")
    assert clocks(before)["complaint.accept"][1] == date(2026, 12, 9)  # 7 working days
    assert clocks(after)["complaint.accept"][1] == date(2026, 12, 8)  # 5 working days
    assert policy_in_force("complaint.accept", date(2026, 11, 30)).effective_to == date(2026, 11, 30)
    with pytest.raises(ReportError) as refused:
        add_policy_version("complaint.accept", date(2026, 12, 1), SYSTEM, working_days=3, source="x")
    assert refused.value.code == "policy_not_later"


def test_the_sweep_flags_due_soon_then_overdue_and_a_second_run_changes_nothing():
    report = submit(MONDAY_2_NOV, kind="complaint")  # due 11 November
    with frozen_at(datetime(2026, 11, 9, 2, 0)):
        assert sweep_deadlines().changed == {"due_soon": 1}
        db.session.commit()
        before = audit_count()
        assert sweep_deadlines().changed == {}
        db.session.commit()
        assert audit_count() == before
    with frozen_at(datetime(2026, 11, 12, 2, 0)):
        assert sweep_deadlines().changed == {"overdue": 1}
        db.session.commit()
    assert clocks(report)["complaint.accept"][2] == "overdue"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "deadline.overdue")).one()
    assert event.data["policy"] == "complaint.accept" and event.data["due_on"] == "2026-11-11"


def test_the_sweep_command_is_safe_to_repeat(runner):
    submit(MONDAY_2_NOV, kind="complaint")
    with frozen_at(datetime(2026, 11, 12, 2, 0)):
        first = runner.invoke(args=["deadlines", "sweep"])
        second = runner.invoke(args=["deadlines", "sweep"])
    assert first.output.startswith("deadlines changed: overdue=1;")
    assert second.output.startswith("deadlines changed: none;")


def test_a_provisional_due_date_is_recounted_once_the_year_is_imported():
    report = submit(datetime(2026, 12, 18, 2, 0))  # tip-off: 15 working days, into 2027
    deadline = db.session.scalars(select(ReportDeadline).where(ReportDeadline.report_id == report.id)).one()
    assert (deadline.due_on, deadline.provisional) == (date(2027, 1, 11), True)
    import_schedule(SCHEDULE_2027 | {"holidays": [["2027-01-01", "2027-01-04", "元旦"]]}, SYSTEM)
    with frozen_at(datetime(2026, 12, 20, 2, 0)):
        assert sweep_deadlines().changed == {"recounted": 1}
        db.session.commit()
    assert (deadline.due_on, deadline.provisional) == (date(2027, 1, 12), False)


def test_due_filters_find_the_overdue_and_the_due_soon_within_the_users_scope():
    report = submit(MONDAY_2_NOV, kind="complaint")
    submit(datetime(2026, 11, 9, 2, 0), kind="complaint")  # due 18 November
    lead = make_user("lead", "lead", report.department.code)
    with frozen_at(datetime(2026, 11, 10, 2, 0)):
        soon = db.session.scalars(due_filter(scoped_reports(lead), "due_within", 2)).all()
        overdue = db.session.scalars(due_filter(scoped_reports(lead), "overdue")).all()
    assert [r.id for r in soon] == [report.id] and overdue == []
    with frozen_at(datetime(2026, 11, 12, 2, 0)):
        overdue = db.session.scalars(due_filter(scoped_reports(lead), "overdue")).all()
    assert [r.id for r in overdue] == [report.id]
    assert db.session.scalars(due_filter(select(Report).where(Report.id < 0), "overdue")).all() == []


def test_a_tip_off_decision_can_be_extended_once_by_the_policy_s_15_days():
    report = submit(MONDAY_2_NOV)
    deadline = db.session.scalars(select(ReportDeadline).where(ReportDeadline.report_id == report.id)).one()
    with frozen_at(datetime(2026, 11, 20, 2, 0)):
        extend_deadline(deadline, SYSTEM)
        db.session.commit()
        assert deadline.due_on == date(2026, 12, 14)
        with pytest.raises(ReportError) as refused:
            extend_deadline(deadline, SYSTEM)
    assert refused.value.code == "extension_not_allowed"
