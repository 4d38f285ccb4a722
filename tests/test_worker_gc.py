"""A gunicorn worker's full garbage collections do not walk the objects made at its start."""

import subprocess
import sys


def _run_app(tmp_path, server, report):
    """Make an app in a fresh process (as a worker would) and print `report` evaluated after."""
    probe = f"import gc\nfrom portal import create_app\ncreate_app(server={server})\nprint({report})\n"
    env = {"PORTAL_ENV": "development", "EVIDENCE_DIR": str(tmp_path / "evidence"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}", "PATH": "/usr/bin:/bin"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_server_worker_keeps_its_startup_objects_out_of_full_collections(tmp_path):
    frozen, still_walked = _run_app(tmp_path, True, "gc.get_freeze_count(), len(gc.get_objects())")
    # Nearly everything a worker holds at start is frozen; a full collection walks the rest
    # (gc.get_objects() lists what the collector walks, the frozen objects not).
    assert int(frozen) > 50_000
    assert int(still_walked) < int(frozen) / 20


def test_an_app_made_for_tests_or_the_cli_freezes_nothing(tmp_path):
    """Only the server entry freezes (a test run makes many apps; the CLI is short-lived)."""
    assert _run_app(tmp_path, False, "gc.get_freeze_count()") == ["0"]
