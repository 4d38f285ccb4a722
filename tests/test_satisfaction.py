"""Satisfaction (issue 12 item 1): the reporter rates a decided report through the receipt, once,
within SATISFACTION_DAYS; a dissatisfied reporter with a reason asks for a review, which a lead of
the department closes with an outcome. Comments are encrypted at rest; audit data holds no text."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from portal.accounts.models import Role
from portal.audit.chain import SYSTEM
from portal.audit.models import AuditEvent
from portal.clock import frozen_at, utcnow
from portal.extensions import db
from portal.reports.errors import ReportError
from portal.reports.operations import transition_report
from portal.satisfaction.models import ReviewTask, SatisfactionRating
from portal.satisfaction.operations import close_review, rate_report
from tests.casework import OTHER, OWN, file_report
from tests.conftest import make_user

COMMENT = "处理很慢，没有回电话"


def decided(department=OWN):
    """A tip-off of `department` that was not opened as a case (decided), with its receipt key."""
    report, key = file_report(department)
    transition_report(report, "verifying", SYSTEM)
    transition_report(report, "not_opened", SYSTEM, reason="查无实据")
    db.session.commit()
    return report, key


def test_the_review_loop_through_the_receipt_and_the_case_page(app, client, login_as):
    report, key = decided()
    client.post("/track", data={"number": report.number, "access_key": key})
    page = client.get("/track/status?lang=en").get_data(as_text=True)
    assert 'id="satisfaction-form"' in page
    response = client.post(
        "/track/satisfaction?lang=en",
        data={"score": "1", "comment": COMMENT, "ask_review": "y", "reason": "没有核查现场"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "A lead of the department will review the handling" in page
    assert 'id="satisfaction-given"' in page and 'id="satisfaction-form"' not in page

    rating = db.session.scalars(select(SatisfactionRating)).one()
    assert (rating.report_id, rating.score, rating.comment) == (report.id, 1, COMMENT)
    stored = db.session.execute(text("SELECT comment FROM satisfaction_ratings")).scalar_one()
    assert COMMENT not in stored  # encrypted at rest
    review = db.session.scalars(select(ReviewTask)).one()
    assert (review.status, review.reason, review.department_id) == (
        "open",
        "没有核查现场",
        report.department_id,
    )
    stored_reason = db.session.execute(text("SELECT reason FROM review_tasks")).scalar_one()
    assert "没有核查现场" not in stored_reason

    # The department's lead sees it in the list and on the case page, and closes it.
    login_as(Role.LEAD, OWN)
    client.get("/admin/?lang=en")
    listing = client.get("/admin/reviews").get_data(as_text=True)
    assert report.number in listing
    case = client.get(f"/admin/reports/{report.number}").get_data(as_text=True)
    assert 'id="case-satisfaction"' in case and COMMENT in case and "没有核查现场" in case
    client.post(
        f"/admin/reports/{report.number}/review/close", data={"outcome": "explained", "note": "已电话说明"}
    )
    db.session.expire_all()
    review = db.session.get(ReviewTask, review.id)
    assert (review.status, review.outcome, review.outcome_note) == ("closed", "explained", "已电话说明")
    assert report.number not in client.get("/admin/reviews").get_data(as_text=True)

    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action.in_(("satisfaction.rated", "review.opened", "review.closed"))
        ).order_by(AuditEvent.seq)
    ).all()
    assert [e.action for e in events] == ["satisfaction.rated", "review.opened", "review.closed"]
    dumped = " ".join(str(e.data) for e in events)
    assert COMMENT not in dumped and "没有核查现场" not in dumped and "已电话说明" not in dumped
    assert events[2].data["outcome"] == "explained" and events[2].actor_label.startswith("lead:")


def test_refusals_open_twice_too_late_and_bad_review(app):
    report, _ = file_report(OWN)
    with pytest.raises(ReportError) as refused:
        rate_report(report, 4)
    assert refused.value.code == "rating_not_decided"
    db.session.rollback()

    report, _ = decided()
    with pytest.raises(ReportError) as refused:
        rate_report(report, 4, ask_review=True, reason="x")
    assert refused.value.code == "review_needs_low_score"
    with pytest.raises(ReportError) as refused:
        rate_report(report, 2, ask_review=True, reason="  ")
    assert refused.value.code == "review_needs_reason"
    with pytest.raises(ReportError) as refused:
        rate_report(report, 6)
    assert refused.value.code == "rating_score_invalid"
    db.session.rollback()

    rate_report(report, 5, "很好")
    db.session.commit()
    with pytest.raises(ReportError) as refused:
        rate_report(report, 1)
    assert refused.value.code == "rating_twice"
    db.session.rollback()
    assert db.session.scalar(select(SatisfactionRating.score)) == 5

    late, _ = decided()
    days = app.config["SATISFACTION_DAYS"]
    with frozen_at(utcnow() + timedelta(days=days, minutes=1)), pytest.raises(ReportError) as refused:
        rate_report(late, 3)
    assert refused.value.code == "rating_too_late"
    with frozen_at(utcnow() + timedelta(days=days) - timedelta(minutes=1)):
        rate_report(late, 3)  # the last day still counts
    db.session.commit()


def test_the_database_refuses_a_second_rating(app):
    report, _ = decided()
    rate_report(report, 4)
    db.session.commit()
    db.session.add(
        SatisfactionRating(report_id=report.id, score=2, created_at=utcnow(), local_date=utcnow().date())
    )
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.flush()
    db.session.rollback()


def test_only_a_lead_of_the_department_closes_a_review_and_only_once(app):
    report, _ = decided()
    rate_report(report, 2, ask_review=True, reason="态度差")
    db.session.commit()
    review = db.session.scalars(select(ReviewTask)).one()
    for user in (
        make_user("own.staff", Role.STAFF, OWN),
        make_user("other.lead", Role.LEAD, OTHER),
        make_user("auditor", Role.AUDITOR),
    ):
        with pytest.raises(ReportError) as refused:
            close_review(review, user, "explained")
        assert refused.value.code == "review_not_yours"
    lead = make_user("own.lead", Role.LEAD, OWN)
    with pytest.raises(ReportError) as refused:
        close_review(review, lead, "no_such_outcome")
    assert refused.value.code == "review_outcome_invalid"
    close_review(review, lead, "corrected")
    db.session.commit()
    with pytest.raises(ReportError) as refused:
        close_review(review, lead, "explained")
    assert refused.value.code == "review_closed"
    db.session.rollback()
    assert db.session.get(ReviewTask, review.id).outcome == "corrected"
