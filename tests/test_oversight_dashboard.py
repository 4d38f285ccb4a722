"""The department dashboard's numbers equal counts computed here from the rows (issue 12, item 5)."""

import re
import statistics
from datetime import timedelta

from sqlalchemy import select

from portal.audit.chain import SYSTEM
from portal.clock import frozen_at, local_today, to_local, utcnow
from portal.deadlines.models import RUNNING, ReportDeadline
from portal.deadlines.sweep import sweep_deadlines
from portal.extensions import db
from portal.oversight.dashboard import AGE_BUCKETS, HANDLING_CLOCKS, PERIODS, city_figures, period_bounds
from portal.oversight.models import DashboardPeriodFigures
from portal.reports.history import StateChange
from portal.reports.models import Report
from portal.reports.operations import transition_report
from tests.casework import INTAKE, OTHER, OWN, file_report


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


def _row(page, department):
    """The HTML of one department's row of the dashboard table."""
    return re.search(rf'<tr data-department="{department}">(.*?)</tr>', page, re.S).group(1)


def _on_time_cell(page, department):
    return re.search(r'data-figure="on-time">([^<]*)<', _row(page, department)).group(1)


def test_the_sweep_stores_the_period_figures_and_the_page_reads_them(app, client, login_as):
    """The on-time rate and the median days to close (a whole period of history) come from the
    rows the hourly sweep stores: equal to the live figures when stored, unchanged on the page
    until the next sweep, then updated."""
    _build()
    sweep_deadlines()
    db.session.commit()
    today = local_today()
    for period in PERIODS:
        start, end = period_bounds(period, today)
        _, stored, stored_city = city_figures(today, start, end, period)
        _, live, live_city = city_figures(today, start, end)
        assert stored_city.computed_at is not None and live_city.computed_at is None
        for key in (*live, "city"):
            a, b = (stored_city, live_city) if key == "city" else (stored[key], live[key])
            assert (a.clocks_ended, a.clocks_on_time, a.median_days) == (
                b.clocks_ended,
                b.clocks_on_time,
                b.median_days,
            ), (period, key)
    city_row = db.session.scalar(
        select(DashboardPeriodFigures).where(
            DashboardPeriodFigures.period == "year", DashboardPeriodFigures.department_id.is_(None)
        )
    )
    start, end = period_bounds("year", today)
    ended = [
        c for c in db.session.scalars(select(ReportDeadline))
        if c.met_at and c.policy_code in HANDLING_CLOCKS and start <= to_local(c.met_at).date() <= end
    ]  # fmt: skip
    assert city_row.clocks_ended == len(ended) > 0

    login_as("lead", OWN)
    page = client.get("/admin/oversight?period=year").get_data(as_text=True)
    assert 'id="computed-at"' in page
    before = _on_time_cell(page, "market")
    # A late decision after the sweep: the stored period figures do not move until the next one.
    with frozen_at(utcnow() - timedelta(days=60)):
        report = file_report(OWN)[0]
    transition_report(report, "verifying", SYSTEM)
    transition_report(report, "not_opened", SYSTEM, reason="查无实据")
    db.session.commit()
    assert (
        _on_time_cell(client.get("/admin/oversight?period=year").get_data(as_text=True), "market") == before
    )
    sweep_deadlines()
    db.session.commit()
    after = _on_time_cell(client.get("/admin/oversight?period=year").get_data(as_text=True), "market")
    _, live, _ = city_figures(today, start, end)
    assert after == f"{100 * live[report.department_id].on_time_rate:.1f}%" and after != before


def test_the_intake_offices_lead_drills_down_only_into_a_queue_it_may_read(app, client, login_as):
    """The supervising office sees every department's figures but may not open their reports
    (it lists them for supervision by number): only its own row links, into its own queue, and
    that queue holds its own reports (those returned to it), not the departments' reports."""
    _build()
    returned = file_report(OWN)[0]
    transition_report(returned, "returned", SYSTEM, reason="不属于本部门")
    db.session.commit()
    login_as("lead", INTAKE)
    page = client.get("/admin/oversight?period=year").get_data(as_text=True)
    for department in ("market", "market-330106"):
        assert "<a " not in _row(page, department), department  # figures without a dead-end link
    assert "<a " not in _row(page, "city")
    links = set(re.findall(r'<a href="([^"]+)"', _row(page, INTAKE)))
    assert links == {"/admin/queue?sort=oldest", "/admin/queue?due=overdue"}
    queue = client.get("/admin/queue?sort=oldest").get_data(as_text=True)
    market = db.session.scalars(select(Report).where(Report.department_id != returned.department_id)).all()
    assert returned.number in queue and market and not any(r.number in queue for r in market)
