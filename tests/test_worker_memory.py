"""A gunicorn worker's memory (issue 7: ≤ 120 MB after a benchmark run). Libraries that only a
rare request needs are imported by that request, not by every worker at start."""

import subprocess
import sys

# Measured: openpyxl 7.5 MB (the auditors' Excel export), pillow_heif 6.9 MB (iPhone photos),
# alembic and flask_migrate 11 MB (the `flask db` command).
LAZY = ("openpyxl", "pillow_heif", "alembic", "flask_migrate")


def test_a_server_worker_starts_without_the_libraries_of_rare_requests(tmp_path):
    probe = (
        "import sys\n"
        "from portal import create_app\n"
        "create_app(server=True)\n"
        f"print(','.join(m for m in {LAZY!r} if m in sys.modules))\n"
    )
    env = {"PORTAL_ENV": "development", "EVIDENCE_DIR": str(tmp_path / "evidence"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}", "PATH": "/usr/bin:/bin"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"imported at start: {done.stdout.strip()}"


def test_a_heic_photo_is_still_converted_by_a_worker_that_never_saw_one(tmp_path):
    """A fresh process (nothing registered pillow_heif's opener) cleans an iPhone photo."""
    from tests.test_evidence import heic_bytes

    photo = tmp_path / "photo.heic"
    photo.write_bytes(heic_bytes())
    probe = (
        "import sys\n"
        "from PIL import Image\n"
        "from portal.evidence.sanitise import clean\n"
        "assert 'HEIF' not in Image.OPEN\n"
        f"print(clean(open({str(photo)!r}, 'rb').read()).mime_type)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "image/jpeg"

