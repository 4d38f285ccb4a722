"""The measured routes: the product's citizen path and the bare routes each one is compared with."""

import json
import random
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import func, select

from bench import load, prepare
from bench.wrk import write_spec
from portal.directory.models import Category, Region
from portal.extensions import db
from portal.reports.models import Report


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    server: str  # "product" or "bare"
    versus: str | None  # key of the bare scenario it is compared with
    spec: object  # the spec directory bench.lua reads
    # wrk connections for this scenario (None: the run's BENCH_CONNECTIONS). The staff queue's
    # target is a response time: it is measured with one connection per worker, since with 16
    # connections on 2 sync workers a request mostly waits for the 7 queued before it.
    connections: int | None = None


FORM = "Content-Type: application/x-www-form-urlencoded"
JSON = "Content-Type: application/json"
MULTIPART = f"Content-Type: multipart/form-data; boundary={prepare.BOUNDARY}"
# Upper bounds of requests per second, so that no submission token is used twice.
MAX_RATE = {"submit": 2000, "submit_photo": 400}
# The staff queue (issue 8): a filtered first page of 50 rows, signed in as a department's staff.
QUEUE = {
    "queue_state": (
        "staff queue: state filter",
        ["/admin/queue?state=verifying", "/admin/queue?state=submitted"],
    ),
    "queue_search": (
        "staff queue: Chinese word search",
        [f"/admin/queue?q={quote(q)}" for q in ("口罩", load.RARE_WORD, "过期 牛奶", "老街坊")],
    ),
    "queue_overdue": ("staff queue: overdue filter", ["/admin/queue?due=overdue"]),
}
# The queue's other filters and orders, rotated, with a category and a district of the run's
# data (queue_filters): each must meet the same target; the due-date order once sorted the whole
# department (490 ms at 1M) and the bulk data's tip-offs hide every complaint far back.
OTHER_FILTERS = [
    "/admin/queue?kind=complaint", "/admin/queue?state=closed", "/admin/queue?sort=due",
    "/admin/queue?sort=oldest", "/admin/queue?unassigned=1", "/admin/queue?due=within&due_days=10",
]  # fmt: skip
# Issue 12: the public statistics page, and the oversight dashboard as a department's lead (their
# department and the city) and as the intake office's lead (every department): a response time
# target, measured like the queue with one connection per worker. The three periods rotate.
DASHBOARD_PATHS = [f"/admin/oversight?period={p}" for p in ("month", "quarter", "year")]
DASHBOARD = {
    "dashboard": ("oversight dashboard: a department's lead", "department"),
    "dashboard_intake": ("oversight dashboard: the intake office's lead", "intake"),
}


def _intake_choices():
    category = db.session.scalars(select(Category).where(Category.active).order_by(Category.position)).first()
    district = db.session.scalars(select(Region).where(Region.level == 2).order_by(Region.id)).first()
    return category, district


def api_tip(category_code, region_code):
    """The JSON an app or a hotline system posts to POST /api/v1/reports: an anonymous tip-off."""
    body = {
        "kind": "tip",
        "category": category_code,
        "region": region_code,
        "subject": {"name": "老街坊餐馆", "address": "文三路 88 号"},
        "description": "后厨卫生很差，员工不戴口罩直接处理熟食。",
        "anonymous": True,
    }
    return json.dumps(body, ensure_ascii=False).encode()


def report_count():
    return db.session.scalar(select(func.count()).select_from(Report))


def build(app, settings, receipts, leads):
    """Write every scenario's spec under settings.workdir (outside any app context)."""
    out = settings.workdir / "specs"
    ids = [str(i) for i in random.Random(7).choices(range(1, settings.reports + 1), k=2000)]
    with app.app_context():
        category, district = _intake_choices()
        api_body = api_tip(category.code, district.code)
        category, district = category.id, district.id
    scenarios = [
        Scenario("hello", "bare: hello", "bare", None, write_spec(out / "hello", "GET", ["/hello"])),
        Scenario("pk", "bare: load one row by primary key", "bare", None,
                 write_spec(out / "pk", "GET", [f"/row/{i}" for i in ids])),
        Scenario("insert", "bare: insert one row + commit", "bare", None,
                 write_spec(out / "insert", "POST", ["/insert"])),
        Scenario("home", "home page (GET /)", "product", "hello", write_spec(out / "home", "GET", ["/"])),
    ]  # fmt: skip
    tokens = settings.seconds * MAX_RATE["submit"]
    cookie, fields, issued = prepare.submission(app, category, district, tokens)
    head, tail = prepare.urlencoded_parts(fields)
    spec = write_spec(
        out / "submit", "POST", ["/report/new"], [f"Cookie: session={cookie}", FORM], issued, head, tail
    )
    scenarios.append(Scenario("submit", "submission, no files (POST /report/new)", "product", "insert", spec))
    tokens = settings.seconds * MAX_RATE["submit_photo"]
    cookie, fields, issued = prepare.submission(app, category, district, tokens)
    head, tail = prepare.multipart_parts(fields, "photo.jpg", prepare.photo(2))
    headers = [f"Cookie: session={cookie}", MULTIPART]
    spec = write_spec(out / "submit_photo", "POST", ["/report/new"], headers, issued, head, tail)
    scenarios.append(Scenario("submit_photo", "submission, one 2 MB photo", "product", "insert", spec))
    # The JSON API (issue 11): no session, no form token; every post files a new report.
    spec = write_spec(out / "submit_api", "POST", ["/api/v1/reports"], [JSON], head=api_body)
    label = "API submission (POST /api/v1/reports)"
    scenarios.append(Scenario("submit_api", label, "product", "insert", spec))
    cookie, bodies = prepare.lookup(app, receipts)
    spec = write_spec(out / "lookup", "POST", ["/track"], [f"Cookie: session={cookie}", FORM], bodies)
    scenarios.append(Scenario("lookup", "receipt lookup (POST /track → 302)", "product", "pk", spec))
    cookies = prepare.tracking_cookies(app, receipts[:1])
    spec = write_spec(out / "status", "GET", ["/track/status"], [f"Cookie: session={cookies[0]}"])
    scenarios.append(Scenario("status", "status page (GET /track/status)", "product", "pk", spec))
    staff = prepare.staff_cookie(app, load.STAFF_USERNAME, load.STAFF_PASSWORD)
    headers = [f"Cookie: {staff}", f"User-Agent: {prepare.USER_AGENT}"]
    others = [f"/admin/queue?category={category}", f"/admin/queue?region={district}", *OTHER_FILTERS]
    queues = QUEUE | {"queue_filters": ("staff queue: other filters and orders", others)}
    for key, (label, paths) in queues.items():
        spec = write_spec(out / key, "GET", paths, headers)
        label = f"{label} ({settings.workers} connections)"
        scenarios.append(Scenario(key, label, "product", None, spec, connections=settings.workers))
    label = f"public statistics page (GET /statistics, {settings.workers} connections)"
    spec = write_spec(out / "statistics", "GET", ["/statistics"])
    scenarios.append(Scenario("statistics", label, "product", None, spec, connections=settings.workers))
    for key, (label, who) in DASHBOARD.items():
        lead = leads[who]
        cookie = prepare.staff_cookie(app, lead.username, lead.password, lead.totp_secret)
        spec = write_spec(
            out / key, "GET", DASHBOARD_PATHS, [f"Cookie: {cookie}", f"User-Agent: {prepare.USER_AGENT}"]
        )
        label = f"{label} ({settings.workers} connections)"
        scenarios.append(Scenario(key, label, "product", None, spec, connections=settings.workers))
    return scenarios
