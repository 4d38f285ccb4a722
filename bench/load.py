"""Seed the benchmark database: reports in bulk, and a handful filed through the real operation.

The bulk rows are plain INSERTs (executemany) built from the product's own table; each is routed
as the product would route it. Their hashes are random: nobody looks them up. The receipts the
benchmark looks up come from `submit_report` itself, so they carry real keyed hashes.

So that the queue's filters meet a realistic table, the rows look like a bureau's history: one
report a minute going back in time; the last 30 days still open (submitted or verifying) with a
running case-decision clock (due 15 working days after receipt: the oldest of them overdue), and
of the older ones 1 in 50 left open (overdue) and the rest closed with their clock met and their
move into `closed` in the state history (what the statistics and the dashboard count). The
description comes from a few dozen texts, one in RARE_EVERY of them with the rare word RARE_WORD,
and search_text is made by the product's own search_text_for.
"""

import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, insert, select, text, update

from portal.audit.chain import SYSTEM, record_event
from portal.casework.search import search_text_for
from portal.clock import local_today, to_local, utcnow
from portal.deadlines.calendar import Calendar
from portal.deadlines.models import ReportDeadline
from portal.deadlines.policies import policy_in_force
from portal.directory.models import Category, Region
from portal.directory.routing import route
from portal.extensions import db
from portal.reports.history import StateChange
from portal.reports.models import Report, ReportSequence
from portal.reports.operations import IntakeData, local_year, submit_report
from portal.reports.receipts import format_key, issue_submission_token, new_form_binding
from portal.reports.states import NUMBER_PREFIX, Kind, State
from portal.security import receipt_keys

BATCH = 10_000
OPEN_DAYS = 30  # reports younger than this are still being handled
STUCK_EVERY = 50  # of the older ones, one in this many is still open (overdue)
CLOSED_AFTER = timedelta(days=20, hours=3)  # a closed report's move into `closed`, after receipt
CLOCK = "tip.case_decision"
NAMES = ("老街坊餐馆", "便民超市", "阳光面馆", "湖畔茶楼", "新鲜水果店", "学府小吃", "德胜药房", "平安烘焙")
DESCRIPTIONS = (
    "后厨卫生很差，员工不戴口罩直接处理熟食。",
    "货架上的牛奶已经过期三天还在销售。",
    "收银台多收了钱，价格标签与结算不符。",
    "菜里吃出头发，店家拒绝退款。",
    "营业执照过期仍在经营，价格不公示。",
    "外卖包装没有封签，送到时汤洒了一半。",
    "冷柜温度过高，冻品已经化冻又再冻上。",
    "药店无处方销售处方药。",
    "店内有老鼠出没，餐具没有消毒。",
    "称重时缺斤短两，投诉后态度恶劣。",
    "售卖的蔬菜农药残留检测不合格。",
    "蛋糕标注的生产日期是明天。",
)
RARE_WORD = "霉变"
RARE_EVERY = 997
RARE_DESCRIPTION = "仓库里的大米已经霉变结块，仍然分装出售。"


STAFF_USERNAME = "bench.staff"
STAFF_PASSWORD = "bench-staff-password-2026"
LEAD_USERNAMES = {"department": "bench.lead", "intake": "bench.fso.lead"}
LEAD_PASSWORD = "bench-lead-password-2026"


@dataclass(frozen=True)
class KnownReceipt:
    number: str
    access_key: str


def _combos():
    """(category, region, department) for every active category × a few regions, routed for real."""
    categories = db.session.scalars(select(Category).where(Category.active).order_by(Category.id)).all()
    regions = db.session.scalars(select(Region).order_by(Region.id).limit(12)).all()
    return [(c, r, route(c, r).department) for c in categories for r in regions]


class _Clocks:
    """Each receipt day's due date (15 working days on the product's calendar), counted once."""

    def __init__(self, policy, today):
        self.policy, self.today, self.calendar, self._due = policy, today, Calendar(), {}
        self.soon = self.calendar.add_working_days(today, 2).day

    def due(self, starts_on):
        if starts_on not in self._due:
            self._due[starts_on] = self.calendar.add_working_days(starts_on, self.policy.working_days).day
        return self._due[starts_on]

    def status(self, due_on):
        if due_on < self.today:
            return "overdue"
        return "due_soon" if due_on <= self.soon else "open"


def _rows(start, count, combos, key_id, now, clocks):
    """(report rows, clock rows, closing rows) for reports start..start+count-1 (id = n, n minutes
    old). A closed report gets its move into `closed` (CLOSED_AFTER later), as the history the
    statistics page and the dashboard's handling time read."""
    year = local_year(now)
    reports, deadlines, closings = [], [], []
    for n in range(start, start + count):
        category, region, department = combos[n % len(combos)]
        moment = now - timedelta(minutes=n)
        name = f"{NAMES[n % len(NAMES)]} {n}"
        description = RARE_DESCRIPTION if n % RARE_EVERY == 0 else DESCRIPTIONS[n % len(DESCRIPTIONS)]
        young = moment > now - timedelta(days=OPEN_DAYS)
        running = young or n % STUCK_EVERY == 0
        state = (State.VERIFYING if n % 10 < 3 else State.SUBMITTED) if running else State.CLOSED
        starts_on = to_local(moment).date()
        due_on = clocks.due(starts_on)
        reports.append({
            "id": n,
            "number": f"{NUMBER_PREFIX[Kind.TIP]}-{year}-{n:06d}",
            "kind": Kind.TIP.value,
            "state": state.value,
            "category_id": category.id,
            "region_id": region.id,
            "department_id": department.id,
            "business_name": name,
            "description": description,
            "anonymous": True,
            "wants_reward": False,
            "language": "zh_CN",
            "receipt_key_id": key_id,
            "access_key_hash": secrets.token_hex(32),
            "submission_token_hash": secrets.token_hex(32),
            "received_at": moment,
            "updated_at": moment,
            "search_text": search_text_for(name, None, description),
            "next_due_on": due_on if running else None,  # what the clocks' trigger would write
        })  # fmt: skip
        deadlines.append({
            "report_id": n,
            "policy_id": clocks.policy.id,
            "policy_code": CLOCK,
            "starts_on": starts_on,
            "due_on": due_on,
            "provisional": False,
            "extended": False,
            "status": clocks.status(due_on) if running else "met",
            "met_at": None if running else moment + timedelta(days=10),
        })  # fmt: skip
        if not running:
            closed_at = moment + CLOSED_AFTER
            closings.append({
                "report_id": n,
                "from_state": State.VERIFYING.value,
                "to_state": State.CLOSED.value,
                "at": closed_at,
                "local_date": to_local(closed_at).date(),
                "actor_kind": "system",
                "actor_id": None,
                "actor_label": "bench",
            })  # fmt: skip
    return reports, deadlines, closings


@contextmanager
def _indexes_built_afterwards(tables):
    """On PostgreSQL, drop the tables' plain indexes (not those behind a constraint) for the
    load and build them again from their own definitions after it, as bulk loaders do: keeping
    a trigram index up to date row by row made a million rows take half an hour."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    definitions = db.session.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = ANY(:tables) AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint c WHERE c.conindid = quote_ident(i.indexname)::regclass)"
        ),
        {"tables": list(tables)},
    ).all()
    for name, _definition in definitions:
        db.session.execute(text(f'DROP INDEX "{name}"'))
    # The rows carry reports.next_due_on already: no trigger update per clock row.
    db.session.execute(text("ALTER TABLE report_deadlines DISABLE TRIGGER report_deadlines_next_due_on"))
    yield
    db.session.execute(text("ALTER TABLE report_deadlines ENABLE TRIGGER report_deadlines_next_due_on"))
    db.session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _name, definition in definitions:
        db.session.execute(text(definition))


def bulk_load(count):
    """Insert `count` tip-offs numbered 1..count this year with their clocks, and move the
    counters (report ids, numbers) past them."""
    now, combos, key_id = utcnow(), _combos(), receipt_keys().current_id
    clocks = _Clocks(policy_in_force(CLOCK, local_today()), local_today())
    with _indexes_built_afterwards(("reports", "report_deadlines", "state_changes")):
        for start in range(1, count + 1, BATCH):
            size = min(BATCH, count + 1 - start)
            reports, deadlines, closings = _rows(start, size, combos, key_id, now, clocks)
            db.session.execute(insert(Report.__table__), reports)
            db.session.execute(insert(ReportDeadline.__table__), deadlines)
            if closings:
                db.session.execute(insert(StateChange.__table__), closings)
    if count and db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('reports', 'id'), :n)"), {"n": count})
    year = local_year(now)
    db.session.execute(insert(ReportSequence).values(kind=Kind.TIP.value, year=year, last_value=0))
    db.session.execute(
        update(ReportSequence)
        .where(ReportSequence.kind == Kind.TIP.value, ReportSequence.year == year)
        .values(last_value=count)
    )
    record_event("bench.bulk_load", None, SYSTEM, {"reports": count})
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE reports"))
            conn.execute(text("VACUUM ANALYZE report_deadlines"))
            conn.execute(text("VACUUM ANALYZE state_changes"))


def file_known(count):
    """File `count` reports through submit_report; their receipts are what the benchmark looks up."""
    category, region, _department = _combos()[0]
    receipts = []
    for n in range(count):
        data = IntakeData(
            kind=Kind.TIP.value,
            category=category,
            region=region,
            business_name=f"查询用商户 {n}",
            description="后厨卫生很差，员工不戴口罩直接处理熟食。",
        )
        # Inside a request, as the form files it: reference data is checked once per request
        # (portal/directory/cache.py), so the lock times printed are a request's.
        with current_app.test_request_context():
            receipt = submit_report(data, [], issue_submission_token(new_form_binding()))
            db.session.commit()
        receipts.append(KnownReceipt(receipt.report.number, format_key(receipt.access_key)))
    return receipts


def _busiest_department():
    from portal.directory.models import Department

    busiest = db.session.scalar(
        select(Report.department_id).group_by(Report.department_id).order_by(func.count().desc()).limit(1)
    )
    return db.session.get(Department, busiest)


def make_staff():
    """A staff member (password only: staff need no second factor) of the department with the
    most reports, whose queue the benchmark reads; returns the department's code. A reused
    database keeps the account made by an earlier run."""
    from portal.accounts.models import Role, User
    from portal.accounts.operations import create_user

    department = _busiest_department()
    if db.session.scalar(select(User.id).where(User.username == STAFF_USERNAME)) is None:
        create_user(STAFF_USERNAME, "Bench Staff", Role.STAFF, department, STAFF_PASSWORD, SYSTEM)
        db.session.commit()
    return department.code


@dataclass(frozen=True)
class BenchLead:
    username: str
    password: str
    totp_secret: str  # the authenticator app's secret: prepare.staff_cookie makes codes from it


def make_leads():
    """Two leads who read the oversight dashboard: one of the busiest department (their own
    department and the city) and one of the intake office 食安办 (every department). Leads must
    pass a second factor: each is enrolled with a fresh TOTP secret by the product's own
    enrol_with_secret, and signs in through the password and code forms (prepare.staff_cookie).
    A reused database keeps the accounts; they get a new secret (which also forgets the last
    used time step, so this run's first code is accepted)."""
    from portal.accounts import totp
    from portal.accounts.models import Role, User
    from portal.accounts.operations import create_user
    from portal.accounts.two_factor import enrol_with_secret
    from portal.directory.models import Department

    intake = db.session.scalar(select(Department).where(Department.is_intake_office).limit(1))
    leads = {}
    for key, department in (("department", _busiest_department()), ("intake", intake)):
        username = LEAD_USERNAMES[key]
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = create_user(username, f"Bench Lead {key}", Role.LEAD, department, LEAD_PASSWORD, SYSTEM)
        secret = totp.new_secret()
        enrol_with_secret(user, secret, SYSTEM)
        leads[key] = BenchLead(username, LEAD_PASSWORD, secret)
    db.session.commit()
    return leads
