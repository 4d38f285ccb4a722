"""Gunicorn on loopback for the product and the bare app, and a worker's resident memory."""

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


def start(target, port, workers, env, log_path):
    """gunicorn <target> with `workers` sync workers; returns once it answers on `port`."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(log_path, "ab")  # noqa: SIM115 (kept open for the server's life)
    process = subprocess.Popen(
        [
            str(gunicorn),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--no-control-socket",  # gunicorn 27's shared default path clashes between servers
            target,
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    _wait(process, port, log_path)
    return process


def _wait(process, port, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log_path}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz-bench-probe", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answered (404 is an answer)
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"gunicorn did not answer on port {port} in {timeout}s; see {log_path}")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_pids(master_pid):
    """The gunicorn workers: processes whose parent is the master."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            pids.append(int(stat.parent.name))
    return pids


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def max_worker_rss_mb(master_pid):
    return max((rss_mb(pid) for pid in worker_pids(master_pid)), default=0.0)
