"""Supervising the departments (issue 12, item 6): listed supervision with progress reports and the
sweep's flag; steps in order (reminder, interview, accountability); the assessment by the formula."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.clock import local_today
from portal.deadlines.sweep import sweep_deadlines
from portal.directory.models import Department, Region
from portal.extensions import db
from portal.oversight.assessment import assess, export_csv, policy_in_force
from portal.oversight.errors import OversightError
from portal.oversight.notices import draft_notice, publish_notice, withdraw_notice
from portal.oversight.supervision import put_under_supervision, record_step, submit_progress
from tests.casework import OWN, file_report
from tests.conftest import lookup, make_user
from tests.rewards_helpers import decided_tip


def test_listed_supervision_progress_and_the_sweeps_flag(app):
    report, _ = file_report(OWN)
    supervisor, staff = make_user("fso.lead", Role.LEAD, "fso"), make_user("w.staff", Role.STAFF, OWN)
    with pytest.raises(OversightError):  # a lead of the handling department does not list it
        put_under_supervision(
            report, make_user("m.lead", Role.LEAD, OWN), "尽快查处", local_today() + timedelta(30), 7
        )
    case = put_under_supervision(report, supervisor, "尽快查处", local_today() + timedelta(days=30), 7)
    db.session.commit()
    with pytest.raises(OversightError):  # the supervising office does not report its own progress
        submit_progress(case, make_user("fso.staff", Role.STAFF, "fso"), "已核查")
    case.next_progress_due_on = local_today() - timedelta(days=1)
    db.session.commit()
    assert sweep_deadlines().changed["supervision_progress_overdue"] == 1
    db.session.commit()
    assert case.progress_overdue and "supervision_progress_overdue" not in sweep_deadlines().changed
    submit_progress(case, staff, "已现场检查")
    db.session.commit()
    assert not case.progress_overdue and case.next_progress_due_on == local_today() + timedelta(days=7)


def test_steps_with_a_lagging_department_are_refused_out_of_order(app):
    supervisor, market = make_user("fso.lead", Role.LEAD, "fso"), lookup(Department, OWN)
    year = local_today().year
    with pytest.raises(OversightError) as refused:
        record_step(market, supervisor, "interview", "约谈", year, local_today(), "局长", "整改")
    assert refused.value.code == "step_out_of_order"
    with pytest.raises(OversightError):
        record_step(market, supervisor, "accountability", "问责", year)
    record_step(market, supervisor, "reminder", "超期件多", year)
    with pytest.raises(OversightError):
        record_step(market, supervisor, "accountability", "问责", year)
    with pytest.raises(OversightError) as incomplete:
        record_step(market, supervisor, "interview", "约谈", year)
    assert incomplete.value.code == "interview_incomplete"
    record_step(
        market, supervisor, "interview", "约谈", year, local_today(), "分管局长、科长", "两周内清理超期件"
    )
    step = record_step(market, supervisor, "accountability", "通报批评", year)
    db.session.commit()
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "department_steps")
    ).all()
    assert actions == ["department.reminder", "department.interview", "department.accountability"]
    assert step.id is not None


def test_assessment_is_computed_from_rows_by_the_policy_formula(app):
    report, _ = decided_tip()  # the city bureau's: case_decision clock met on time today
    late, _ = file_report(OWN)
    supervisor = make_user("fso.lead", Role.LEAD, "fso")
    lead1, lead2 = make_user("m.lead1", Role.LEAD, OWN), make_user("m.lead2", Role.LEAD, OWN)
    put_under_supervision(late, supervisor, "尽快查处", local_today() + timedelta(days=30), 7)
    notice = publish_notice(draft_notice(report, "销售过期食品", lead1), lead2)
    withdraw_notice(notice, lead2, "复议撤销")
    from portal.deadlines.models import ReportDeadline

    clock = db.session.scalars(select(ReportDeadline).where(ReportDeadline.report_id == late.id)).first()
    clock.due_on = local_today() - timedelta(days=1)
    db.session.commit()
    market = lookup(Department, OWN)
    today = local_today()
    start, end = today.replace(month=1, day=1), today.replace(month=12, day=31)
    policy, [row] = assess([market], start, end)
    clocks = db.session.scalars(
        select(ReportDeadline).where(
            ReportDeadline.met_at.is_not(None),
            ReportDeadline.policy_code.in_(
                ("complaint.accept", "complaint.mediation", "tip.case_decision", "tip.case_conclusion")
            ),
        )
    ).all()
    rate = Decimal(sum(1 for c in clocks if c.met_at.date() <= c.due_on)) / Decimal(len(clocks))
    weights = policy_in_force(end)
    expected = weights["base"] - weights["on_time_weight"] * (1 - rate) * 100 - weights["overdue_penalty"] * 1
    expected -= weights["supervised_penalty"] * 1 + weights["reversal_penalty"] * 1
    assert (row.overdue, row.supervised, row.reversals, row.satisfaction) == (1, 1, 1, None)
    assert row.score == expected.quantize(Decimal("0.01"))
    text = export_csv([market], start, end, supervisor)
    db.session.commit()
    assert f"market,{row.on_time_rate},1,1,1,,{row.score},{policy['version']}" in text
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "assessment.exported"))


def test_assessment_counts_the_departments_own_satisfaction_ratings(app):
    from portal.oversight.assessment import score
    from portal.satisfaction.operations import rate_report

    own, _ = decided_tip()
    other, _ = decided_tip(region=lookup(Region, "330106"))  # lands in the Xihu branch
    assert other.department.code != OWN
    rate_report(own, 1, "太慢")
    rate_report(other, 5)
    db.session.commit()
    today = local_today()
    start, end = today.replace(month=1, day=1), today.replace(month=12, day=31)
    policy, [row] = assess([lookup(Department, OWN)], start, end)
    assert row.satisfaction == Decimal("1.00")  # the other department's 5 is not in it
    values = (row.on_time_rate, row.overdue, row.supervised, row.reversals)
    assert row.score == score(policy, *values, Decimal(1)) != score(policy, *values, None)
    _, [before] = assess([lookup(Department, OWN)], start.replace(year=start.year - 1), start - timedelta(1))
    assert before.satisfaction is None  # ratings of another period do not count
