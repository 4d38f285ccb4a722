"""Supervising the departments 督查督办: listed supervision of a case with its own deadline and
progress reports, and the ordered steps with a lagging department (提醒 → 约谈 → 问责)."""

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import DEPARTMENT_ROLES
from portal.audit.chain import SYSTEM, Actor, record_event
from portal.clock import local_today, utcnow
from portal.extensions import db
from portal.oversight.errors import OversightError
from portal.oversight.models import (
    STEP_ORDER,
    DepartmentStep,
    ProgressReport,
    StepKind,
    SupervisedCase,
    SupervisionStatus,
)
from portal.oversight.notices import _text
from portal.oversight.roles import is_supervisor
from portal.reports.models import Report
from portal.reports.states import State


def report_for_supervision(number, user):
    """The supervising office names any department's report by number. It reads only what the
    supervision screens show (number, department, state), never the case content; every other
    staff query still goes through scoped_reports()."""
    if not is_supervisor(user):
        raise OversightError("not_supervisor")
    report = db.session.scalar(select(Report).where(Report.number == (number or "").strip()))
    if report is None:
        raise OversightError("not_allowed")
    return report


def may_supervise(user, report):
    """A lead of the supervising office may list a report that is not closed."""
    return is_supervisor(user) and report.state != State.CLOSED


def put_under_supervision(report, user, instructions, due_on, interval_days):
    if not is_supervisor(user):
        raise OversightError("not_supervisor")
    if not may_supervise(user, report):
        raise OversightError("report_closed")
    today = local_today()
    if due_on is None or due_on <= today or not interval_days or interval_days < 1:
        raise OversightError("deadline_invalid")
    if db.session.scalar(select(SupervisedCase.id).where(SupervisedCase.open_report_id == report.id)):
        raise OversightError("already_supervised")
    case = SupervisedCase(
        report_id=report.id,
        open_report_id=report.id,
        department_id=report.department_id,
        instructions=_text(instructions, "reason_required"),
        due_on=due_on,
        interval_days=interval_days,
        next_progress_due_on=today + timedelta(days=interval_days),
        listed_by_id=user.id,
        listed_at=utcnow(),
    )
    db.session.add(case)
    db.session.flush()
    data = {"report": report.number, "due_on": due_on, "interval_days": interval_days}
    record_event("supervision.listed", case, Actor.for_user(user), data)
    return case


def reports_progress(user, case):
    """Who reports progress on a supervised case: its handling department's staff and leads."""
    return user.role in DEPARTMENT_ROLES and user.department_id == case.department_id


def submit_progress(case, user, body):
    """The handling department's staff or lead report progress; the next report is due an interval later."""
    if not reports_progress(user, case):
        raise OversightError("not_handling_department")
    if case.status != SupervisionStatus.ACTIVE:
        raise OversightError("supervision_ended")
    progress = ProgressReport(
        supervised_case_id=case.id,
        author_id=user.id,
        body=_text(body, "body_required"),
        submitted_at=utcnow(),
    )
    db.session.add(progress)
    case.next_progress_due_on = local_today() + timedelta(days=case.interval_days)
    case.progress_overdue = False
    db.session.flush()
    record_event("supervision.progress", case, Actor.for_user(user), {"progress_id": progress.id})
    return progress


def flag_overdue_progress(today=None, actor=SYSTEM):
    """The sweep: flag active supervised cases whose progress report is late (once each)."""
    today = today or local_today()
    late = db.session.scalars(
        select(SupervisedCase).where(
            SupervisedCase.status == SupervisionStatus.ACTIVE,
            SupervisedCase.next_progress_due_on < today,
            SupervisedCase.progress_overdue.is_(False),
        )
    ).all()
    for case in late:
        case.progress_overdue = True
        record_event("supervision.progress_overdue", case, actor, {"due_on": case.next_progress_due_on})
    return len(late)


def record_step(department, user, kind, note, year, held_on=None, attendees=None, agreed=None):
    """A reminder, an interview record or an accountability record for a lagging department, in
    that order within the year: each needs the one before it (the domain's rule)."""
    if not is_supervisor(user):
        raise OversightError("not_supervisor")
    kind = StepKind(kind)
    position = STEP_ORDER.index(kind)
    if position:
        before = STEP_ORDER[position - 1]
        found = select(DepartmentStep.id).where(
            DepartmentStep.department_id == department.id,
            DepartmentStep.year == year,
            DepartmentStep.kind == before,
        )
        if db.session.scalar(found.limit(1)) is None:
            raise OversightError("step_out_of_order")
    if kind == StepKind.INTERVIEW and not (held_on and (attendees or "").strip() and (agreed or "").strip()):
        raise OversightError("interview_incomplete")
    step = DepartmentStep(
        department_id=department.id,
        year=year,
        kind=kind,
        note=_text(note, "reason_required"),
        held_on=held_on,
        attendees=(attendees or "").strip() or None,
        agreed=(agreed or "").strip() or None,
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    db.session.add(step)
    db.session.flush()
    record_event(
        f"department.{kind}", step, Actor.for_user(user), {"department": department.code, "year": year}
    )
    return step


def supervised_cases_for(user):
    query = select(SupervisedCase).order_by(SupervisedCase.id.desc()).limit(200)
    if not is_supervisor(user):
        query = query.where(SupervisedCase.department_id == user.department_id)
    return db.session.scalars(query).all()
