"""Run one scenario with wrk and read the JSON line bench.lua prints."""

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua" / "bench.lua"


class WrkMissing(RuntimeError):
    """wrk is not installed (scripts/ensure-wrk.sh installs it when it can)."""


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    errors: int  # socket errors, timeouts and responses other than 2xx/3xx
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rate(self):
        return self.requests / self.seconds if self.seconds else 0.0


def write_spec(directory, method, paths, headers=(), tokens=(), head=b"", tail=b""):
    """The files bench.lua reads for one scenario."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "method").write_text(method + "\n")
    (directory / "paths").write_text("\n".join(paths) + "\n")
    (directory / "headers").write_text("\n".join(headers) + "\n")
    (directory / "tokens").write_text("\n".join(tokens) + ("\n" if tokens else ""))
    (directory / "body_head").write_bytes(head)
    (directory / "body_tail").write_bytes(tail)
    return directory


def run(url, spec, seconds, connections, threads):
    """wrk against `url` with the spec; raises if wrk printed no result."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise WrkMissing("wrk is not installed; run scripts/ensure-wrk.sh (as root) or apt-get install wrk")
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        url,
    ]
    out = subprocess.run(
        [*command, "--", str(spec), str(threads)], capture_output=True, text=True, check=True
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    data = json.loads(line.removeprefix("BENCHJSON "))
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=errors,
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
    )
