"""The supervision screens (issue 12, item 6) over HTTP: the supervising office lists a case and
sees late progress flagged, the handling department reports progress from the case page, steps
out of order are refused with the reason, the assessment CSV equals assess(), and another
department's staff cannot reach the supervision actions."""

import csv
import io
import re
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.audit.chain import SYSTEM
from portal.audit.models import AuditEvent
from portal.clock import local_today
from portal.directory.models import Department
from portal.extensions import db
from portal.oversight.assessment import assess
from portal.oversight.models import DepartmentStep, ProgressReport, SupervisedCase
from portal.oversight.supervision import flag_overdue_progress, put_under_supervision
from portal.reports.operations import transition_report
from tests.casework import INTAKE, OTHER, OWN, file_report
from tests.conftest import lookup, make_user, sign_in_through_forms


def _supervised(report, supervisor=None):
    supervisor = supervisor or make_user("fso.supervisor", Role.LEAD, INTAKE)
    case = put_under_supervision(report, supervisor, "限期查处", local_today() + timedelta(days=20), 5)
    db.session.commit()
    return case


def test_the_supervising_office_lists_a_case_and_sees_late_progress_flagged(app, client, login_as):
    report, _key = file_report(OWN)
    login_as(Role.LEAD, INTAKE)
    due = local_today() + timedelta(days=15)
    response = client.post(
        "/admin/supervision/cases",
        data={
            "number": report.number,
            "instructions": "群众反映强烈，限期办结",
            "due_on": due.isoformat(),
            "interval_days": "3",
        },
    )
    assert response.status_code == 302
    case = db.session.scalars(select(SupervisedCase).where(SupervisedCase.report_id == report.id)).one()
    assert (case.department_id, case.due_on, case.interval_days, case.status) == (
        report.department_id,
        due,
        3,
        "active",
    )
    assert case.next_progress_due_on == local_today() + timedelta(days=3)
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "supervision.listed"))
    # Listing it twice is refused by the domain: still one row.
    client.post(
        "/admin/supervision/cases",
        data={
            "number": report.number,
            "instructions": "再次",
            "due_on": due.isoformat(),
            "interval_days": "3",
        },
    )
    assert db.session.scalar(select(db.func.count()).select_from(SupervisedCase)) == 1

    page = client.get("/admin/supervision").get_data(as_text=True)
    assert f'data-report="{report.number}" data-status="active" data-overdue="no"' in page
    case.next_progress_due_on = local_today() - timedelta(days=1)
    db.session.commit()
    assert flag_overdue_progress() == 1
    db.session.commit()
    page = client.get("/admin/supervision").get_data(as_text=True)
    assert f'data-report="{report.number}" data-status="active" data-overdue="yes"' in page


def test_the_handling_department_reports_progress_and_another_department_gets_404(app, client, login_as):
    report, _key = file_report(OWN)
    case = _supervised(report)
    login_as(Role.STAFF, OWN)
    page = client.get(f"/admin/reports/{report.number}").get_data(as_text=True)
    assert "限期查处" in page and f"/admin/reports/{report.number}/supervision/progress" in page
    response = client.post(
        f"/admin/reports/{report.number}/supervision/progress", data={"body": "已现场检查，责令整改"}
    )
    assert response.status_code == 302
    [progress] = db.session.scalars(select(ProgressReport)).all()
    assert (progress.supervised_case_id, progress.body) == (case.id, "已现场检查，责令整改")
    assert "已现场检查，责令整改" in client.get(f"/admin/reports/{report.number}").get_data(as_text=True)

    # Another department's staff and lead: the progress action and the supervision screens are 404
    # (a report they may not see, a screen that is the supervising office's), and nothing changes.
    stranger = sign_in_through_forms(app.test_client(), make_user("other.staff", Role.STAFF, OTHER))
    answer = stranger.post(f"/admin/reports/{report.number}/supervision/progress", data={"body": "冒充"})
    assert answer.status_code == 404
    other_lead = sign_in_through_forms(app.test_client(), make_user("other.lead", Role.LEAD, OTHER))
    assert (
        other_lead.post(
            f"/admin/reports/{report.number}/supervision/progress", data={"body": "冒充"}
        ).status_code
        == 404
    )
    assert other_lead.post("/admin/supervision/cases", data={"number": report.number}).status_code == 404
    market = lookup(Department, OWN)
    assert (
        other_lead.post(
            f"/admin/supervision/departments/{market.id}/steps", data={"kind": "reminder", "note": "x"}
        ).status_code
        == 404
    )
    assert other_lead.get("/admin/supervision/assessment.csv").status_code == 404
    assert [p.body for p in db.session.scalars(select(ProgressReport))] == ["已现场检查，责令整改"]
    assert db.session.scalar(select(db.func.count()).select_from(DepartmentStep)) == 0


def test_steps_out_of_order_are_refused_with_the_reason(app, client, login_as):
    login_as(Role.LEAD, INTAKE)
    client.get("/admin/?lang=en")
    market = lookup(Department, OWN)
    url = f"/admin/supervision/departments/{market.id}/steps"
    year = str(local_today().year)
    interview = {
        "kind": "interview",
        "note": "超期积压",
        "year": year,
        "held_on": local_today().isoformat(),
        "attendees": "分管局长",
        "agreed": "两周内清理",
    }
    page = client.post(url, data=interview, follow_redirects=True).get_data(as_text=True)
    with force_locale("en"):
        refusal = _(
            "Steps go in order within a year: a reminder first, then an interview record, then "
            "an accountability record."
        )
    assert refusal in page
    assert db.session.scalar(select(db.func.count()).select_from(DepartmentStep)) == 0
    client.post(url, data={"kind": "reminder", "note": "超期件多", "year": year})
    page = client.post(url, data=interview, follow_redirects=True).get_data(as_text=True)
    assert refusal not in page
    steps = db.session.scalars(select(DepartmentStep).order_by(DepartmentStep.id)).all()
    assert [(s.department_id, s.kind) for s in steps] == [(market.id, "reminder"), (market.id, "interview")]
    assert "分管局长" in page and 'data-kind="interview"' in page


def test_the_assessment_csv_rows_equal_assess_and_the_download_is_audited(app, client, login_as):
    supervisor = _supervised(file_report(OWN)[0]).listed_by_id
    _supervised(file_report(OTHER)[0], db.session.get(User, supervisor))
    login_as(Role.LEAD, INTAKE)
    year = local_today().year
    response = client.get(f"/admin/supervision/assessment.csv?year={year}")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    departments = db.session.scalars(
        select(Department)
        .where(Department.active, Department.is_intake_office.is_(False))
        .order_by(Department.id)
    ).all()
    start, end = local_today().replace(month=1, day=1), local_today().replace(month=12, day=31)
    policy, expected = assess(departments, start, end)
    assert [
        (
            r["department"],
            r["on_time_rate"],
            r["overdue"],
            r["supervised"],
            r["reversals"],
            r["satisfaction"],
            r["score"],
            r["policy"],
        )
        for r in rows
    ] == [
        (
            a.department.code,
            str(a.on_time_rate),
            str(a.overdue),
            str(a.supervised),
            str(a.reversals),
            str(a.satisfaction or ""),
            str(a.score),
            policy["version"],
        )
        for a in expected
    ]
    supervised = {r["department"]: r["supervised"] for r in rows}
    assert (supervised[OWN], supervised[OTHER]) == ("1", "1")
    assert db.session.scalar(select(db.func.count()).where(AuditEvent.action == "assessment.exported")) == 1
    # A quarter that ended before the listings counts none of them.
    if local_today().month > 3:
        rows = list(
            csv.DictReader(
                io.StringIO(
                    client.get(f"/admin/supervision/assessment.csv?year={year}&quarter=1").get_data(
                        as_text=True
                    )
                )
            )
        )
        assert {r["department"]: r["supervised"] for r in rows}[OWN] == "0"


def test_the_case_page_form_lists_the_report_under_supervision(app, client, login_as):
    """The form on the case page (a report returned to the intake office, whose case page its
    lead may open): posted as the page renders it, it lists the report, audited, and leads back
    to the case page, which then shows the listing instead of the form."""
    report, _key = file_report(OWN)
    transition_report(report, "returned", SYSTEM, reason="不属于本部门")
    db.session.commit()
    assert report.department.is_intake_office
    lead = db.session.scalars(select(User).where(User.username == login_as(Role.LEAD, INTAKE))).one()
    page = client.get(f"/admin/reports/{report.number}").get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="([^"]+)" id="supervision-list-form">(.*?)</form>', page, re.S
    )
    assert form is not None
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
    due = local_today() + timedelta(days=10)
    fields = hidden | {"instructions": "媒体关注，挂牌督办", "due_on": due.isoformat(), "interval_days": "5"}
    response = client.post(form.group(1), data=fields)
    assert response.status_code == 302 and response.location.endswith(f"/admin/reports/{report.number}")
    case = db.session.scalars(select(SupervisedCase).where(SupervisedCase.report_id == report.id)).one()
    assert (case.instructions, case.due_on, case.interval_days, case.status) == (
        "媒体关注，挂牌督办",
        due,
        5,
        "active",
    )
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "supervision.listed", AuditEvent.object_id == case.id)
    ).one()
    assert (event.actor_id, event.object_type) == (lead.id, "supervised_cases")
    page = client.get(f"/admin/reports/{report.number}").get_data(as_text=True)
    assert (
        'id="supervision-list-form"' not in page and 'class="border rounded p-2 mb-2 supervised-case"' in page
    )
