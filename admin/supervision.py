"""Back-office screens of supervising the departments 督查督办 (issue 12, item 6).

The supervising office (leads of the intake office 食安办) works on /admin/supervision: it lists a
report under supervision by its number (it may not open other departments' case pages, see
portal.oversight.supervision.report_for_supervision), sees the supervised cases with late progress
flagged, records the steps with a lagging department (reminder → interview → accountability) and
reads or downloads the period assessment. The handling department reports progress from the case
page (admin/case_supervision.html, fed by the case_supervision() template global). The rules are
the domain's; these views only translate its refusal codes."""

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.access import report_or_404
from admin.oversight_messages import oversight_error_text
from portal.accounts.permissions import Action
from portal.clock import local_today
from portal.directory.models import Department
from portal.extensions import db
from portal.oversight.assessment import assess, export_csv
from portal.oversight.errors import OversightError
from portal.oversight.models import STEP_ORDER, DepartmentStep, SupervisedCase, SupervisionStatus
from portal.oversight.roles import is_supervisor
from portal.oversight.supervision import (
    may_supervise,
    put_under_supervision,
    record_step,
    report_for_supervision,
    reports_progress,
    submit_progress,
    supervised_cases_for,
)

QUARTERS = (1, 2, 3, 4)


def _supervisor_or_404():
    """The supervision screens narrow the guard's LEADS rule: other leads do not see them."""
    if not is_supervisor(current_user):
        abort(404)


def _attempt(operation, success):
    try:
        operation()
    except OversightError as refused:
        db.session.rollback()
        flash(oversight_error_text(refused.code), "danger")
        return False
    db.session.commit()
    flash(success, "success")
    return True


def _form_date(name):
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        return None


def _form_int(name):
    value = request.form.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _departments():
    """The departments the supervising office supervises: every active one but itself."""
    return db.session.scalars(
        select(Department)
        .where(Department.active, Department.is_intake_office.is_(False))
        .order_by(Department.id)
    ).all()


def _period():
    """(year, quarter or None, first day, last day) from ?year=&quarter= (default: this year)."""
    today = local_today()
    year = request.args.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= today.year + 1 else today.year
    quarter = request.args.get("quarter", "")
    quarter = int(quarter) if quarter.isdigit() and int(quarter) in QUARTERS else None
    if quarter is None:
        return year, None, date(year, 1, 1), date(year, 12, 31)
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return year, quarter, start, date.fromordinal(end.toordinal() - 1)


@bp.app_template_global("case_supervision")
def case_supervision(report):
    """The listed supervision of a report, for the case page: its listings with their progress
    reports, and which form this user gets (listing: a supervisor; progress: the handling
    department's staff and leads while the listing is active)."""
    cases = db.session.scalars(
        select(SupervisedCase).where(SupervisedCase.report_id == report.id).order_by(SupervisedCase.id)
    ).all()
    active = next((c for c in cases if c.status == SupervisionStatus.ACTIVE), None)
    return {
        "cases": cases,
        "active": active,
        "may_list": active is None and may_supervise(current_user, report),
        "may_report": active is not None and reports_progress(current_user, active),
        "today": local_today(),
    }


@bp.get("/supervision")
def supervision():
    _supervisor_or_404()
    year, quarter, start, end = _period()
    departments = _departments()
    steps = db.session.scalars(
        select(DepartmentStep).where(DepartmentStep.year == year).order_by(DepartmentStep.id)
    ).all()
    by_department = {d.id: [s for s in steps if s.department_id == d.id] for d in departments}
    policy, assessments = assess(departments, start, end)
    return render_template(
        "admin/oversight/supervision.html",
        cases=supervised_cases_for(current_user),
        departments=departments,
        steps=by_department,
        next_kind={d.id: _next_kind(by_department[d.id]) for d in departments},
        step_order=STEP_ORDER,
        policy=policy,
        assessments=assessments,
        year=year,
        quarter=quarter,
        quarters=QUARTERS,
        start=start,
        end=end,
        today=local_today(),
    )


def _next_kind(steps):
    """The step that comes next in the year (after the last recorded one; accountability repeats)."""
    if not steps:
        return STEP_ORDER[0]
    position = STEP_ORDER.index(steps[-1].kind)
    return STEP_ORDER[min(position + 1, len(STEP_ORDER) - 1)]


@bp.post("/supervision/cases")
def list_for_supervision():
    """Put the report named in the form under listed supervision (from this page or the case page)."""
    _supervisor_or_404()
    number = request.form.get("number", "")

    def operation():
        report = report_for_supervision(number, current_user)
        put_under_supervision(
            report,
            current_user,
            request.form.get("instructions"),
            _form_date("due_on"),
            _form_int("interval_days"),
        )

    _attempt(operation, _("The report is under listed supervision."))
    if request.form.get("back") == "case":
        return redirect(url_for("admin.case", number=number.strip()))
    return redirect(url_for("admin.supervision"))


@bp.post("/reports/<number>/supervision/progress")
def report_supervision_progress(number):
    """The handling department reports progress on its supervised case (the guard: ADD_NOTE on the
    report, so another department's staff get 404; the domain checks the department again)."""
    report = report_or_404(number, Action.ADD_NOTE)
    case = db.session.scalar(select(SupervisedCase).where(SupervisedCase.open_report_id == report.id))

    def operation():
        if case is None:
            raise OversightError("supervision_ended")
        submit_progress(case, current_user, request.form.get("body"))

    _attempt(operation, _("Progress report sent to the supervising office."))
    return redirect(url_for("admin.case", number=number))


@bp.post("/supervision/departments/<int:department_id>/steps")
def record_department_step(department_id):
    _supervisor_or_404()
    department = db.session.get(Department, department_id)
    if department is None or department.is_intake_office:
        abort(404)
    year = _form_int("year") or local_today().year
    kind = request.form.get("kind", "")

    def operation():
        if kind not in STEP_ORDER:
            raise OversightError("not_allowed")
        record_step(
            department,
            current_user,
            kind,
            request.form.get("note"),
            year,
            held_on=_form_date("held_on"),
            attendees=request.form.get("attendees"),
            agreed=request.form.get("agreed"),
        )

    _attempt(operation, _("Step recorded."))
    return redirect(url_for("admin.supervision", year=year) + f"#department-{department_id}")


@bp.get("/supervision/assessment.csv")
def assessment_export():
    """The period assessment as CSV for the year-end evaluation (audited by export_csv)."""
    _supervisor_or_404()
    year, quarter, start, end = _period()
    text = export_csv(_departments(), start, end, current_user)
    db.session.commit()
    name = f"assessment-{year}" + (f"-q{quarter}" if quarter else "") + ".csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"},
    )
