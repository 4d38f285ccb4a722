"""`gunicorn wsgi:app` serves the portal (a real gunicorn process on a free local port)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_healthz(database_url, app, tmp_path):
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, EVIDENCE_DIR=str(tmp_path / "ev"))
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body, deadline = None, time.monotonic() + 20
        while body is None and time.monotonic() < deadline:
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
