"""The benchmark's warm-up refuses to let a redirect pass for a page: wrk counts only 4xx and 5xx
as errors, so a staff session sent to the sign-in page would otherwise be timed as a fast queue."""

import threading

import pytest
from flask import Flask, redirect
from werkzeug.serving import make_server

from bench.driver import warm_up
from bench.wrk import write_spec


@pytest.fixture
def server():
    app = Flask("warm_up_test")
    app.add_url_rule("/page", "page", lambda: "a page")
    app.add_url_rule("/signed-out", "signed_out", lambda: redirect("/login"))
    app.add_url_rule("/login", "login", lambda: "the sign-in page")
    app.add_url_rule("/form", "form", lambda: redirect("/page"), methods=["GET", "POST"])
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()


def test_a_page_that_answers_200_passes(server, tmp_path):
    assert warm_up(server, write_spec(tmp_path / "ok", "GET", ["/page"]), workers=1) == []


def test_a_redirected_page_is_a_problem_not_a_fast_page(server, tmp_path):
    spec = write_spec(tmp_path / "queue", "GET", ["/page", "/signed-out"])
    assert warm_up(server, spec, workers=2) == ["GET /signed-out answered 302, not 200"]


def test_a_post_scenario_may_redirect(server, tmp_path):
    """A POST scenario is warmed with a GET of its path; what that answers is not its timed answer."""
    assert warm_up(server, write_spec(tmp_path / "post", "POST", ["/form"]), workers=1) == []
