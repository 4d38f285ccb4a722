"""`gunicorn wsgi:app` serves the portal with production settings, and refuses to start without
them (real gunicorn processes on free local ports)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import redis_url
from tests.test_config import production_env

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clean_env(**values):
    env = {k: v for k, v in os.environ.items() if k not in production_env()}
    return env | values


def _start(env, port):
    return subprocess.Popen(
        [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_gunicorn_serves_healthz_with_production_settings(database_url, app, tmp_path):
    redis_url()  # production refuses memory:// rate limits: skip where no Redis runs
    port = free_port()
    env = _clean_env(**production_env(), DATABASE_URL=database_url, EVIDENCE_DIR=str(tmp_path / "ev"))
    proc = _start(env, port)
    try:
        body, deadline = None, time.monotonic() + 20
        while body is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
            except OSError:
                time.sleep(0.2)
        assert body is not None, proc.stdout.read1().decode() if proc.poll() is not None else "no answer"
        assert '"status":"ok"' in body.replace(" ", "")
    finally:
        proc.terminate()
        proc.wait(10)


def test_gunicorn_without_portal_env_refuses_to_start_and_says_why(tmp_path):
    """The README's production line without PORTAL_ENV used to run on the published secret."""
    env = _clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", EVIDENCE_DIR=str(tmp_path / "ev"))
    env.pop("PORTAL_ENV", None)
    proc = _start(env, free_port())
    try:
        output, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode != 0
    assert "PORTAL_ENV is ''; set it to one of development, test, production" in output.decode()
