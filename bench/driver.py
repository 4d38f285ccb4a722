"""`make bench`: fresh database, bulk data, gunicorn for the product and the bare app, wrk, one table."""

import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import make_url

from bench import database, report, scenarios, servers
from bench.bare import create_bare_app, create_bench_rows
from bench.locks import timing_locks
from bench.settings import Settings
from bench.wrk import Result, run
from portal.extensions import db
from portal.keys import new_environment


@dataclass(frozen=True)
class Row:
    scenario: scenarios.Scenario
    result: Result
    ratio: float | None


@dataclass(frozen=True)
class Outcome:
    rows: list
    worker_rss_mb: float
    checks: list  # problems found (failed requests, repeated tokens); empty when all is well
    locks: str  # how long a submission holds the numbering and chain-head locks
    started: datetime
    postgres: str


def _keys(settings, reuse):
    """Generated keys, kept beside the work folder for a database a later run may reuse (its
    encrypted columns and sessions need the same keys); a fresh database gets fresh keys."""
    name = make_url(settings.database_url).database
    path = settings.workdir.parent / f"bench-keys-{name}.env"
    if not (reuse and path.exists()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_environment())
        path.chmod(0o600)
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def reusable(settings):
    """BENCH_REUSE=1 and the database's last bulk load had as many reports as asked for."""
    return settings.reuse and database.bulk_loaded(settings.database_url) == settings.reports


def server_env(settings, reuse=False):
    """The servers' environment: generated keys; PORTAL_ENV=test only so limits may be off."""
    keys = _keys(settings, reuse)
    return (
        os.environ
        | keys
        | {
            "PORTAL_ENV": "test",
            "DATABASE_URL": settings.database_url,
            "RATELIMIT_ENABLED": "false",
            "EVIDENCE_DIR": str(settings.workdir / "evidence"),
            "FLASK_APP": "portal:create_app",
            "PYTHONPATH": str(servers.ROOT),
        }
    )


def _prepare(settings, env, reuse):
    """Migrate, seed, bulk load (or reuse a loaded database), fill the statistics aggregate,
    file the known reports, write the wrk specs."""
    from bench.load import bulk_load, file_known, make_leads, make_staff
    from portal import create_app
    from portal.oversight.snapshot import refresh_dashboard_figures
    from portal.statistics.refresh import refresh_statistics

    if not reuse:
        database.recreate(settings.database_url)
    database.migrate_and_seed(env)
    app = create_app()
    with app.app_context():
        if reuse:
            print(f"reusing the database's {settings.reports:,} bulk-loaded reports", flush=True)
        else:
            bulk_load(settings.reports)
        # The product's own refresh (the sweep's), so the statistics page shows the bulk rows:
        # a full recount after a fresh load, the days since the last refresh on a reused one.
        refresh_statistics(full=not reuse)
        refresh_dashboard_figures()  # and the dashboard's period figures, as the sweep does
        db.session.commit()
        with timing_locks(db.engine) as locks:
            receipts = file_known(settings.known)
        print(locks.summary(), flush=True)
        print(f"staff queue of department {make_staff()}", flush=True)
        leads = make_leads()
    # Outside the app context: each test-client request must get its own (Flask-WTF keeps the
    # CSRF token in g, so a shared context would leave later sessions without one).
    built = scenarios.build(app, settings, receipts, leads)
    create_bench_rows(create_bare_app(settings.database_url))
    return app, built, locks.summary()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is answered as an HTTPError with its 3xx code


_opener = urllib.request.build_opener(_NoRedirect)


def warm_up(url, spec, workers):
    """A few untimed requests first, so each worker has loaded what the route needs (templates,
    reference lists, a pooled connection) before wrk times it. A POST scenario is warmed with a
    GET of its form page: its one-time tokens are kept for the timed run.

    Returns the problems seen on a GET scenario's own paths: wrk counts only 4xx and 5xx as
    errors, so a page that answered a redirect (a signed-out staff session sent to the sign-in
    page) would otherwise be timed as a fast page."""
    headers = {}
    for line in (spec / "headers").read_text().splitlines():
        if ":" in line:
            name, value = line.split(":", 1)
            if name.lower() != "content-type":
                headers[name.strip()] = value.strip()
    timed_as_get = (spec / "method").read_text().strip() == "GET"
    paths = [p for p in (spec / "paths").read_text().splitlines() if p]
    problems = set()
    for path in paths * (2 * workers):
        try:
            with _opener.open(urllib.request.Request(url + path, headers=headers), timeout=60) as answer:
                answer.read()
                status = answer.status
        except urllib.error.HTTPError as answered:
            status = answered.code
        except OSError as failed:  # a failing route shows up in the timed run, with its errors
            status = failed
        if timed_as_get and status != 200:
            problems.add(f"GET {path} answered {status}, not 200")
    return sorted(problems)


def _measure(app, settings, built, urls):
    rows, checks, by_key = [], [], {}
    for scenario in built:
        if settings.scenarios and scenario.key not in settings.scenarios:
            continue
        problems = warm_up(urls[scenario.server], scenario.spec, settings.workers)
        checks.extend(f"{scenario.key}: {problem}" for problem in problems)
        with app.app_context():
            before = scenarios.report_count()
        connections = scenario.connections or settings.connections
        threads = min(settings.threads, connections)
        result = run(urls[scenario.server], scenario.spec, settings.seconds, connections, threads)
        with app.app_context():
            made = scenarios.report_count() - before
        if result.errors:
            checks.append(f"{scenario.key}: {result.errors} of {result.requests} requests failed")
        if scenario.key.startswith("submit") and made < result.requests:
            checks.append(f"{scenario.key}: {result.requests} requests but only {made} new reports")
        by_key[scenario.key] = result
        versus = by_key.get(scenario.versus)
        ratio = result.rate / versus.rate if versus and versus.rate else None
        rows.append(Row(scenario, result, ratio))
        print(report.line(rows[-1]), flush=True)
    return rows, checks


def run_bench(settings):
    """One whole benchmark run; returns the figures (and writes BENCHMARKS.md when asked)."""
    saved = os.environ.copy()  # the loader runs here on the servers' settings; a caller keeps its own
    try:
        return _run(settings)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _run(settings):
    started = datetime.now().astimezone()
    shutil.rmtree(settings.workdir, ignore_errors=True)
    settings.workdir.mkdir(parents=True)
    reuse = reusable(settings)
    env = server_env(settings, reuse)
    app, built, locks = _prepare(settings, env, reuse)
    ports = {"product": servers.free_port(), "bare": servers.free_port()}
    logs = settings.workdir
    product = servers.start("wsgi:app", ports["product"], settings.workers, env, logs / "product.log")
    try:
        bare = servers.start("bench.bare:app", ports["bare"], settings.workers,
                             env | {"BENCH_BARE_SERVE": "1"}, logs / "bare.log")  # fmt: skip
        try:
            urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
            rows, checks = _measure(app, settings, built, urls)
            rss = servers.max_worker_rss_mb(product.pid)
        finally:
            servers.stop(bare)
    finally:
        servers.stop(product)
    outcome = Outcome(rows, rss, checks, locks, started, database.server_version(settings.database_url))
    report.publish(outcome, settings)
    shutil.rmtree(settings.workdir / "evidence", ignore_errors=True)
    return outcome


def main():
    settings = Settings.from_environment()
    outcome = run_bench(settings)
    return 1 if outcome.checks else 0
