"""What a benchmark run uses, read from BENCH_* environment variables (see README, `make bench`)."""

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


@dataclass
class Settings:
    database_url: str = DEFAULT_URL
    reports: int = 100_000
    workers: int = 2
    seconds: int = 10
    connections: int = 16
    threads: int = 2
    known: int = 20  # reports filed through the real operation, whose receipts are looked up
    workdir: Path = ROOT / "instance" / "bench"
    markdown: Path | None = ROOT / "BENCHMARKS.md"
    runs: Path | None = ROOT / "bench" / "runs.json"
    scenarios: tuple = field(default=())  # empty: all
    # Keep the database if its last bulk load had `reports` rows (a 1M load takes many minutes).
    reuse: bool = False

    @classmethod
    def from_environment(cls):
        env = os.environ
        return cls(
            database_url=env.get("BENCH_DATABASE_URL") or DEFAULT_URL,
            reports=int(env.get("BENCH_REPORTS") or 100_000),
            workers=int(env.get("BENCH_WORKERS") or 2),
            seconds=int(env.get("BENCH_SECONDS") or 10),
            connections=int(env.get("BENCH_CONNECTIONS") or 16),
            threads=int(env.get("BENCH_THREADS") or 2),
            scenarios=tuple(k.strip() for k in (env.get("BENCH_SCENARIOS") or "").split(",") if k.strip()),
            reuse=env.get("BENCH_REUSE") == "1",
            markdown=_output(env.get("BENCH_MARKDOWN"), cls.markdown),
            runs=_output(env.get("BENCH_RUNS"), cls.runs),
        )


def _output(value, default):
    """A file to write (BENCH_MARKDOWN, BENCH_RUNS): unset for the default, "none" for no file."""
    if not value:
        return default
    return None if value == "none" else Path(value)
