"""The department dashboard for leads: the supervising office sees every department, a lead their
own and the city; each figure links into the queue (scoped to what the reader may open)."""

from flask import render_template, request
from flask_login import current_user

from admin import bp
from portal.clock import local_today
from portal.oversight.dashboard import AGE_BUCKETS, PERIODS, city_figures, period_bounds
from portal.oversight.roles import is_supervisor


@bp.get("/oversight")
def oversight():
    period = request.args.get("period") if request.args.get("period") in PERIODS else "month"
    today = local_today()
    start, end = period_bounds(period, today)
    departments, rows, city = city_figures(today, start, end, period)
    if not is_supervisor(current_user):
        departments = [d for d in departments if d.id == current_user.department_id]
    return render_template(
        "admin/oversight/dashboard.html",
        period=period,
        periods=PERIODS,
        start=start,
        end=end,
        departments=departments,
        rows=rows,
        city=city,
        per_department=max(len(rows), 1),
        buckets=AGE_BUCKETS,
        own_id=current_user.department_id,
    )
