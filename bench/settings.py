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
        )
