"""The department dashboard's numbers equal counts computed here from the rows (issue 12, item 5)."""

import statistics
from datetime import timedelta

from sqlalchemy import select

from portal.audit.chain import SYSTEM
from portal.clock import frozen_at, local_today, to_local, utcnow
from portal.deadlines.models import RUNNING, ReportDeadline
from portal.extensions import db
from portal.oversight.dashboard import AGE_BUCKETS, HANDLING_CLOCKS, city_figures, period_bounds
from portal.reports.history import StateChange
from portal.reports.models import Report
from portal.reports.operations import transition_report
from tests.casework import OTHER, OWN, file_report


def _build():
    """Reports of two departments received 3, 20 and 70 days ago; some closed, one overdue."""
    now = utcnow().replace(microsecond=0)
    made = []
    for days, department in [(3, OWN), (20, OWN), (70, OWN), (20, OTHER), (3, OTHER)]:
        with frozen_at(now - timedelta(days=days)):
            made.append(file_report(department)[0])
    for report in (made[1], made[3]):
        transition_report(report, "verifying", SYSTEM)
        transition_report(report, "case_opened", SYSTEM, case_number="案1", opened_on=local_today())
        transition_report(report, "no_penalty", SYSTEM, reason="情节轻微")
        transition_report(report, "closed", SYSTEM)
    clock = db.session.scalars(select(ReportDeadline).where(ReportDeadline.report_id == made[2].id)).first()
    clock.due_on = local_today() - timedelta(days=2)
    db.session.commit()


def _bucket(received_at, today):
    age = (today - to_local(received_at).date()).days
    return next(n for n, (low, high) in enumerate(AGE_BUCKETS) if high is None or age <= high)


def test_dashboard_numbers_equal_independent_counts(app):
    _build()
    today = local_today()
    start, end = period_bounds("year", today)
    departments, rows, city = city_figures(today, start, end)
    reports = db.session.scalars(select(Report)).all()
    clocks = db.session.scalars(select(ReportDeadline)).all()
    for department in departments:
        mine = [r for r in reports if r.department_id == department.id]
        backlog = [0] * len(AGE_BUCKETS)
        for r in mine:
            if r.state != "closed":
                backlog[_bucket(r.received_at, today)] += 1
        assert rows[department.id].backlog == backlog, department.code
        overdue = {c.report_id for c in clocks if c.status in RUNNING and c.due_on < today}
        assert rows[department.id].overdue == len([r for r in mine if r.id in overdue])
        ended = [
            c for c in clocks
            if c.report.department_id == department.id and c.met_at and c.policy_code in HANDLING_CLOCKS
            and start <= to_local(c.met_at).date() <= end
        ]  # fmt: skip
        assert rows[department.id].clocks_ended == len(ended)
        assert rows[department.id].clocks_on_time == len(
            [c for c in ended if to_local(c.met_at).date() <= c.due_on]
        )
    closings = db.session.scalars(select(StateChange).where(StateChange.to_state == "closed")).all()
    days = [(c.at - c.report.received_at).total_seconds() / 86400 for c in closings]
    assert city.median_days is not None and abs(city.median_days - statistics.median(days)) < 0.01
    assert city.backlog == [sum(rows[d.id].backlog[n] for d in departments) for n in range(len(AGE_BUCKETS))]
    assert sum(city.backlog) == 3 and city.overdue == 1 and city.clocks_ended >= 2


def test_a_lead_sees_own_department_and_the_city_the_supervising_office_all(app, client, login_as):
    _build()
    login_as("lead", OWN)
    page = client.get("/admin/oversight?period=year").get_data(as_text=True)
    assert 'data-department="market"' in page and 'data-department="city"' in page
    assert 'data-department="market-330106"' not in page
    assert "/admin/queue?due=overdue" in page  # the drill-down into the lead's own queue
