"""A gunicorn worker's full garbage collections do not walk the objects made at its start."""

import subprocess
import sys


def test_a_server_worker_keeps_its_startup_objects_out_of_full_collections(tmp_path):
    probe = (
        "import gc\n"
        "from portal import create_app\n"
        "create_app(server=True)\n"
        "gc.collect()\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    env = {"PORTAL_ENV": "development", "EVIDENCE_DIR": str(tmp_path / "evidence"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}", "PATH": "/usr/bin:/bin"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    frozen, still_walked = done.stdout.split()
    # Nearly everything a worker holds at start is frozen; a full collection walks the rest only.
    assert int(frozen) > 50_000
    assert int(still_walked) < int(frozen) / 20


def test_an_app_made_for_tests_or_the_cli_freezes_nothing(tmp_path):
    """Only the server entry freezes (a test run makes many apps; the CLI is short-lived)."""
    probe = (
        "import gc\n"
        "from portal import create_app\n"
        "create_app()\n"
        "print(gc.get_freeze_count())\n"
    )
    env = {"PORTAL_ENV": "development", "EVIDENCE_DIR": str(tmp_path / "evidence"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}", "PATH": "/usr/bin:/bin"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
