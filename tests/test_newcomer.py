"""What a newcomer meets on a fresh clone: the README, the install step's system check, the port."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_starts_with_its_title_then_the_two_commands_and_stands_alone():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# ")
    first_block = text.split("```")[1]
    commands = [line.split()[:2] for line in first_block.strip().splitlines()]
    assert commands == [["make", "run"], ["make", "test"]]
    assert "../shared" not in text  # a clone elsewhere has no such folder
    assert "libmagic" in text


def _fake_python(tmp_path, missing_library):
    """A python3 that answers like one whose system lacks libmagic (the check asks ctypes)."""
    fake = tmp_path / "python3"
    fake.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *find_library*) {"exit 1" if missing_library else "exit 0"};; esac\n'
        f'exec {sys.executable} "$@"\n'
    )
    fake.chmod(0o755)
    return fake


def test_install_step_names_a_missing_libmagic_and_how_to_get_it(tmp_path):
    result = subprocess.run(
        [str(ROOT / "scripts/check-system.sh"), str(_fake_python(tmp_path, missing_library=True))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "libmagic is missing" in result.stderr and "apt-get install libmagic1" in result.stderr


def test_install_step_passes_on_this_machine():
    result = subprocess.run([str(ROOT / "scripts/check-system.sh"), sys.executable], capture_output=True)
    assert result.returncode == 0, result.stderr


def test_make_run_honours_port():
    dry = subprocess.run(
        ["make", "-n", "-W", "requirements.txt", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True
    )
    assert "flask run --host 127.0.0.1 --port 8123" in dry.stdout
