"""`make bench-profile`: where each route's time goes (the citizen's, the staff queue's), in one process.

wrk (bench/driver.py) says how fast a route is; this says why. The same prepared database and the
same requests as the benchmark (the scenario specs bench.lua reads) are replayed through Flask's
test client, in this process, with no HTTP server and no other load of ours: per request, the
wall time, the SQL statements sent, the time spent waiting for them (from before to after each
cursor execute: the round trip and PostgreSQL's work), the time rendering templates (Flask's
before_render_template to template_rendered) and the rest (Python: forms, ORM, hashing,
routing). The bare routes of bench/bare.py are replayed the same way, so each product route can
be compared with the floor of this stack on the same footing.

Each scenario runs in batches; the table shows the median batch (the machine is shared).
"""

import os
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import before_render_template, template_rendered
from sqlalchemy import event

from bench import driver
from bench.bare import create_bare_app
from bench.bare import db as bare_db
from bench.settings import Settings
from portal.extensions import db

# (scenario, bare scenario it is compared with); the bare routes first.
ROUTES = (
    ("hello", None), ("pk", None), ("insert", None),
    ("home", "hello"), ("submit", "insert"), ("submit_api", "insert"), ("lookup", "pk"), ("status", "pk"),
    ("queue_state", "pk"), ("queue_search", "pk"), ("queue_overdue", "pk"), ("queue_filters", "pk"),
)  # fmt: skip


BARE = ("hello", "pk", "insert")


@dataclass
class Figures:
    key: str
    requests: int
    ms: float  # wall time per request
    statements: float
    db_ms: float
    render_ms: float

    @property
    def python_ms(self):
        return max(self.ms - self.db_ms - self.render_ms, 0.0)


class Meter:
    """Counts statements and sums database and rendering time while installed."""

    def __init__(self):
        self.statements, self.db, self.render = 0, 0.0, 0.0
        self._sql_start, self._render_start = [], None

    def before_sql(self, *args):
        self.statements += 1
        self._sql_start.append(time.perf_counter())

    def after_sql(self, *args):
        self.db += time.perf_counter() - self._sql_start.pop()

    def before_render(self, *args, **kwargs):
        self._render_start = time.perf_counter()

    def rendered(self, *args, **kwargs):
        if self._render_start is not None:
            self.render += time.perf_counter() - self._render_start
            self._render_start = None


@contextmanager
def metering(engine, app):
    meter = Meter()
    event.listen(engine, "before_cursor_execute", meter.before_sql)
    event.listen(engine, "after_cursor_execute", meter.after_sql)
    before_render_template.connect(meter.before_render, app)
    template_rendered.connect(meter.rendered, app)
    try:
        yield meter
    finally:
        event.remove(engine, "before_cursor_execute", meter.before_sql)
        event.remove(engine, "after_cursor_execute", meter.after_sql)
        before_render_template.disconnect(meter.before_render, app)
        template_rendered.disconnect(meter.rendered, app)


@dataclass
class Spec:
    """A scenario's requests, as bench.lua would send them (bench/wrk.py writes the files)."""

    method: str
    paths: list
    headers: dict
    tokens: list
    head: bytes
    tail: bytes

    @classmethod
    def read(cls, directory):
        lines = lambda name: [x for x in (directory / name).read_text().splitlines() if x]  # noqa: E731
        headers = dict(line.split(":", 1) for line in lines("headers"))
        return cls(
            (directory / "method").read_text().strip(),
            lines("paths"),
            {k.strip(): v.strip() for k, v in headers.items()},
            lines("tokens"),
            (directory / "body_head").read_bytes(),
            (directory / "body_tail").read_bytes(),
        )

    def request(self, n):
        body = None
        if self.tokens:
            body = self.head + self.tokens[n % len(self.tokens)].encode() + self.tail
        elif self.head:
            body = self.head
        return self.paths[n % len(self.paths)], body


def replay(app, engine, spec, requests, start=0):
    """Send `requests` requests of the spec; (figures of the run, next request number)."""
    client = app.test_client(use_cookies=False)  # the spec's Cookie header is the session
    headers = dict(spec.headers)
    environ = {"HTTP_USER_AGENT": headers.pop("User-Agent", "portal-bench")}
    with metering(engine, app) as meter:
        began = time.perf_counter()
        for n in range(start, start + requests):
            path, body = spec.request(n)
            response = client.open(path, method=spec.method, headers=headers, data=body, environ_base=environ)
            # A page must be the page: a redirect (a signed-out staff session) would time the
            # sign-in redirect instead; a POST may answer one (the receipt lookup does).
            if response.status_code >= 400 or (spec.method == "GET" and response.status_code != 200):
                raise RuntimeError(f"{spec.method} {path} answered {response.status_code}")
        elapsed = time.perf_counter() - began
    per = lambda value: value * 1000 / requests  # noqa: E731
    return Figures("", requests, per(elapsed), meter.statements / requests, per(meter.db), per(meter.render))


def profile(key, app, engine, spec, batches, per_batch):
    replay(app, engine, spec, 10, start=0)  # warm: templates, pooled connection, reference copies
    runs = [replay(app, engine, spec, per_batch, start=10 + i * per_batch) for i in range(batches)]
    middle = sorted(runs, key=lambda f: f.ms)[len(runs) // 2]
    middle.key = key
    middle.statements = statistics.mean(r.statements for r in runs)
    return middle


def measure(settings, batches=5, per_batch=40):
    """Prepare the benchmark's database and specs, then profile every route; [Figures]."""
    reuse = driver.reusable(settings)
    env = driver.server_env(settings, reuse)
    app, built, _locks = driver._prepare(settings, env, reuse)
    bare = create_bare_app(settings.database_url)
    specs = {scenario.key: scenario.spec for scenario in built}
    figures = []
    for key, _versus in ROUTES:
        target, database = (bare, bare_db) if key in BARE else (app, db)
        with target.app_context():
            engine = database.engine
        figures.append(profile(key, target, engine, Spec.read(Path(specs[key])), batches, per_batch))
    return figures


def table(figures):
    by_key = {f.key: f for f in figures}
    lines = [
        "| route | ms/request | × bare | statements | database ms | templates ms | other Python ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, versus in ROUTES:
        f = by_key[key]
        times = f"{f.ms / by_key[versus].ms:.1f}× {versus}" if versus else ""
        cells = (key, f"{f.ms:.2f}", times, f"{f.statements:.1f}", f"{f.db_ms:.2f}", f"{f.render_ms:.2f}")
        lines.append("| " + " | ".join(cells) + f" | {f.python_ms:.2f} |")
    return "\n".join(lines)


def main():
    base = Settings.from_environment()
    beside = base.database_url.rsplit("/", 1)[0] + "/bench_profile"  # next to the benchmark's database
    url = os.environ.get("BENCH_PROFILE_DATABASE_URL") or beside
    settings = Settings(
        database_url=url,
        reports=int(os.environ.get("BENCH_PROFILE_REPORTS") or 10_000),
        known=20,
        workdir=base.workdir.parent / "bench-profile",
        markdown=None,
        runs=None,
        reuse=base.reuse,
    )
    settings.workdir.mkdir(parents=True, exist_ok=True)
    saved = os.environ.copy()
    try:
        figures = measure(settings)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    print(table(figures))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
