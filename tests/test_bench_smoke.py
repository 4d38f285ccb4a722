"""`make bench` in miniature: the same driver, a small database, three seconds per route.

It checks that every figure is produced and that no request failed; it never asserts a speed.
Each scenario is warmed up (untimed requests) before wrk runs, so a loaded machine's slow first
requests do not leave a route with nothing measured.
"""

import os
import shutil

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from bench.driver import run_bench
from bench.settings import DEFAULT_URL, Settings


def _smoke_url():
    """A database of its own beside the test database (or beside the benchmark's default)."""
    base = make_url(os.environ.get("TEST_DATABASE_URL") or DEFAULT_URL)
    if not base.drivername.startswith("postgresql"):
        base = make_url(DEFAULT_URL)
    return base.set(database=f"{base.database or 'bench'}_smoke")


def _server_reachable(url):
    engine = create_engine(url.set(database="postgres"))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


@pytest.fixture
def smoke_settings(tmp_path):
    if os.environ.get("TEST_DATABASE_URL") and os.environ.get("TEST_DATABASE") != "postgresql":
        # The benchmark runs on PostgreSQL whatever the pass: the PostgreSQL pass runs it once.
        pytest.skip("the PostgreSQL pass of this run measures the benchmark")
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed and scripts/ensure-wrk.sh could not install it (not root?)")
    url = _smoke_url()
    if not _server_reachable(url):
        pytest.skip(f"no PostgreSQL server at {url.host}:{url.port} for the benchmark database")
    return Settings(
        database_url=url.render_as_string(hide_password=False),
        reports=300,
        workers=1,
        seconds=3,  # long enough for a submission to finish on a loaded machine (a 1 s run saw none)
        connections=2,
        threads=1,
        known=3,
        workdir=tmp_path / "work",
        markdown=tmp_path / "BENCHMARKS.md",
        runs=tmp_path / "runs.json",
    )


def test_bench_produces_every_figure_without_a_failed_request(smoke_settings):
    outcome = run_bench(smoke_settings)
    measured = {row.scenario.key: row for row in outcome.rows}
    expected = {"hello", "pk", "insert", "home", "submit", "submit_photo", "submit_api", "lookup", "status"}
    expected |= {"queue_state", "queue_search", "queue_overdue", "queue_filters"}
    expected |= {"statistics", "dashboard", "dashboard_intake"}  # issue 12 (leads sign in with TOTP)
    assert set(measured) == expected
    assert outcome.checks == []  # no failed request, and every submission made its report
    for row in outcome.rows:
        assert row.result.requests > 0 and row.result.errors == 0, row.scenario.key
        assert row.result.p99_ms >= row.result.p50_ms > 0, row.scenario.key
        assert (row.ratio is not None) == (row.scenario.versus is not None), row.scenario.key
    assert outcome.worker_rss_mb > 0
    written = smoke_settings.markdown.read_text()
    assert "| receipt lookup (POST /track → 302) |" in written and "worker RSS after the run" in written
    assert "- queue_overdue: p95 " in written  # the queue's target line (met or not: no timing here)
    assert "- statistics: p95 " in written and "- dashboard_intake: p95 " in written


@pytest.fixture
def profile_settings(tmp_path):
    if os.environ.get("TEST_DATABASE_URL") and os.environ.get("TEST_DATABASE") != "postgresql":
        pytest.skip("the PostgreSQL pass of this run profiles the benchmark's routes")
    url = _smoke_url().set(database=f"{_smoke_url().database}_profile")
    if not _server_reachable(url):
        pytest.skip(f"no PostgreSQL server at {url.host}:{url.port} for the profile's database")
    return Settings(
        database_url=url.render_as_string(hide_password=False),
        reports=200,
        known=3,
        workdir=tmp_path / "profile",
        markdown=None,
        runs=None,
    )


def test_bench_profile_accounts_for_every_route(profile_settings):
    """`make bench-profile` in miniature: every route replayed without an error (replay raises on
    a 4xx/5xx, and on a page that redirects), its statements counted and its time split; never a speed."""
    from bench.profile import ROUTES, measure, table

    saved = os.environ.copy()
    try:
        figures = {f.key: f for f in measure(profile_settings, batches=1, per_batch=3)}
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert set(figures) == {key for key, _versus in ROUTES}
    assert figures["hello"].statements == 0 and figures["pk"].statements == 1
    for key in ("submit", "submit_api", "lookup", "status"):
        assert figures[key].statements >= 2 and figures[key].db_ms > 0, key
    assert figures["status"].render_ms > 0 and figures["submit_api"].render_ms == 0
    for key in ("queue_state", "queue_search", "queue_overdue", "queue_filters"):  # signed in
        assert figures[key].statements >= 3 and figures[key].render_ms > 0, key
    assert all(f.ms >= f.db_ms + f.render_ms for f in figures.values())
    assert "| submit |" in table(list(figures.values()))
