"""The period assessment 考核 of each department, computed from rows by the formula of the policy
version in force (portal/data/assessment_policies.json, effective dates like the deadline
policies), and its CSV export (audited)."""

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from portal.audit.chain import Actor, record_event
from portal.clock import local_today
from portal.extensions import db
from portal.oversight.dashboard import on_time_by_department, overdue_by_department, utc_start
from portal.oversight.models import NoticeStatus, PublicNotice, SupervisedCase

POLICY_FILE = Path(__file__).resolve().parent.parent / "data" / "assessment_policies.json"
WEIGHTS = (
    "base",
    "on_time_weight",
    "overdue_penalty",
    "supervised_penalty",
    "reversal_penalty",
    "satisfaction_weight",
)


def policy_in_force(day):
    """The assessment policy version in force on `day` (the latest that started by then)."""
    items = json.loads(POLICY_FILE.read_text(encoding="utf-8"))["items"]
    started = [i for i in items if date.fromisoformat(i["effective_from"]) <= day]
    chosen = max(started, key=lambda i: i["effective_from"])
    return {"version": chosen["version"], **{w: Decimal(chosen[w]) for w in WEIGHTS}}


def satisfaction(department_id, start, end):
    """Mean rating (1–5) given in the period [start, end] to the department's reports, or None
    when nobody rated one."""
    from portal.reports.models import Report
    from portal.satisfaction.models import SatisfactionRating

    mean = db.session.scalar(
        select(func.avg(SatisfactionRating.score))
        .join(Report, Report.id == SatisfactionRating.report_id)
        .where(
            Report.department_id == department_id,
            SatisfactionRating.local_date >= start,
            SatisfactionRating.local_date <= end,
        )
    )
    return None if mean is None else Decimal(mean).quantize(Decimal("0.01"))


@dataclass
class Assessment:
    department: object
    on_time_rate: Decimal
    overdue: int
    supervised: int
    reversals: int
    satisfaction: Decimal | None
    score: Decimal


def score(policy, rate, overdue, supervised, reversals, rating):
    mood = (rating - 3) if rating is not None else Decimal(0)
    value = (
        policy["base"]
        - policy["on_time_weight"] * (1 - rate) * 100
        - policy["overdue_penalty"] * overdue
        - policy["supervised_penalty"] * supervised
        - policy["reversal_penalty"] * reversals
        + policy["satisfaction_weight"] * mood
    )
    return value.quantize(Decimal("0.01"))


def assess(departments, start, end, today=None):
    """One Assessment per department for the period [start, end]."""
    policy = policy_in_force(end)
    on_time, overdue = on_time_by_department(start, end), overdue_by_department(today or local_today())
    begin, stop = utc_start(start), utc_start(end + timedelta(days=1))
    supervised = dict(
        db.session.execute(
            select(SupervisedCase.department_id, func.count())
            .where(SupervisedCase.listed_at >= begin, SupervisedCase.listed_at < stop)
            .group_by(SupervisedCase.department_id)
        ).all()
    )
    reversals = dict(
        db.session.execute(
            select(PublicNotice.department_id, func.count())
            .where(
                PublicNotice.status == NoticeStatus.WITHDRAWN,
                PublicNotice.withdrawn_at >= begin,
                PublicNotice.withdrawn_at < stop,
            )
            .group_by(PublicNotice.department_id)
        ).all()
    )
    result = []
    for department in departments:
        ended, ok = on_time.get(department.id, (0, 0))
        rate = (Decimal(ok) / Decimal(ended)) if ended else Decimal(1)
        rating = satisfaction(department.id, start, end)
        values = (
            overdue.get(department.id, 0),
            supervised.get(department.id, 0),
            reversals.get(department.id, 0),
        )
        result.append(
            Assessment(
                department,
                rate.quantize(Decimal("0.0001")),
                *values,
                rating,
                score(policy, rate, *values, rating),
            )
        )
    return policy, result


def export_csv(departments, start, end, user):
    """The assessment as CSV for the year-end evaluation; the export is audited."""
    policy, rows = assess(departments, start, end)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "department",
            "on_time_rate",
            "overdue",
            "supervised",
            "reversals",
            "satisfaction",
            "score",
            "policy",
        ]
    )
    for a in rows:
        writer.writerow(
            [
                a.department.code,
                a.on_time_rate,
                a.overdue,
                a.supervised,
                a.reversals,
                a.satisfaction or "",
                a.score,
                policy["version"],
            ]
        )
    record_event(
        "assessment.exported",
        None,
        Actor.for_user(user),
        {"from": start, "to": end, "policy": policy["version"]},
    )
    return out.getvalue()
