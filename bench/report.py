"""The table: printed, written to BENCHMARKS.md (hand-written notes below the marker are kept),
and appended to bench/runs.json so the next run can say how much the figures moved."""

import json
import os
import platform
from pathlib import Path

NOTES = "<!-- notes: everything below this line is kept when `make bench` rewrites the file -->"
KEEP_RUNS = 6
HEAD = "| scenario | req/s | p50 ms | p95 ms | p99 ms | ratio | vs bare | errors |"
# The targets: ratio against the bare route, and the worker's memory.
TARGETS = {"submit": 0.6, "lookup": 0.8, "status": 0.5}
RSS_TARGET_MB = 120
# The staff queue (issue 8): p95 of a filtered page of 50 rows.
P95_TARGETS_MS = {"queue_state": 50, "queue_search": 50, "queue_overdue": 50, "queue_filters": 50}
# Issue 12: the public statistics page and the oversight dashboard at 1,000,000 reports.
P95_TARGETS_MS |= {"statistics": 150, "dashboard": 150, "dashboard_intake": 150}


def line(row):
    r = row.result
    ratio = f"{row.ratio:.2f}×" if row.ratio is not None else ""
    versus = row.scenario.versus or ""
    return (
        f"| {row.scenario.label} | {r.rate:,.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} "
        f"| {ratio} | {versus} | {r.errors} |"
    )


def machine(outcome, settings):
    cpu = next(
        (
            x.split(":", 1)[1].strip()
            for x in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in x
        ),
        platform.processor(),
    )
    mem = next(
        x.split()[1] for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")
    )
    return [
        f"- date: {outcome.started:%Y-%m-%d %H:%M %Z}",
        f"- machine: {os.cpu_count()} × {cpu}, {int(mem) // 1024} MB RAM, {platform.platform()}",
        f"- PostgreSQL {outcome.postgres} on loopback; Python {platform.python_version()}",
        f"- gunicorn {settings.workers} sync workers; wrk -t{settings.threads} -c{settings.connections} "
        f"-d{settings.seconds}s per route; {settings.reports:,} bulk-loaded reports",
    ]


def _targets(outcome):
    ratios = {row.scenario.key: row.ratio for row in outcome.rows}
    lines = []
    for key, target in TARGETS.items():
        got = ratios.get(key)
        if got is not None:
            lines.append(f"- {key}: {got:.2f}× (target ≥ {target}×) {'met' if got >= target else 'MISSED'}")
    for row in outcome.rows:
        target = P95_TARGETS_MS.get(row.scenario.key)
        if target is not None:
            p95 = row.result.p95_ms
            lines.append(f"- {row.scenario.key}: p95 {p95:.1f} ms (target ≤ {target} ms) "
                         f"{'met' if p95 <= target else 'MISSED'}")  # fmt: skip
    met = "met" if outcome.worker_rss_mb <= RSS_TARGET_MB else "MISSED"
    lines.append(f"- {outcome.locks}")
    lines.append(
        f"- worker RSS after the run: {outcome.worker_rss_mb:.0f} MB (target ≤ {RSS_TARGET_MB} MB) {met}"
    )
    return lines


def _movement(current, previous):
    """Per route, how far requests per second moved since the previous run."""
    if not previous:
        return ["- first recorded run"]
    lines = []
    for key, rate in current["rates"].items():
        before = previous["rates"].get(key)
        if before:
            lines.append(f"- {key}: {before:,.0f} → {rate:,.0f} req/s ({(rate - before) / before:+.0%})")
    return lines


def _record(outcome, settings):
    runs = json.loads(settings.runs.read_text()) if settings.runs.exists() else []
    current = {
        "date": outcome.started.isoformat(timespec="seconds"),
        "reports": settings.reports,
        "rates": {row.scenario.key: round(row.result.rate, 1) for row in outcome.rows},
        "ratios": {row.scenario.key: round(row.ratio, 3) for row in outcome.rows if row.ratio is not None},
        "worker_rss_mb": round(outcome.worker_rss_mb, 1),
    }
    previous = runs[-1] if runs else None
    settings.runs.write_text(json.dumps((runs + [current])[-KEEP_RUNS:], indent=1) + "\n")
    return current, previous


def publish(outcome, settings):
    table = [HEAD, "|" + "---|" * 8] + [line(row) for row in outcome.rows]
    print("\n".join(["", *table, "", *_targets(outcome), *[f"! {c}" for c in outcome.checks]]))
    if settings.markdown is None:
        return
    current, previous = _record(outcome, settings) if settings.runs else ({}, None)
    kept = ""
    if settings.markdown.exists() and NOTES in settings.markdown.read_text():
        kept = settings.markdown.read_text().split(NOTES, 1)[1]
    text = [
        "# Benchmarks",
        "",
        "Written by `make bench` (see the README's benchmark section for what it relaxes). Ratios are",
        "against the bare route of the same run, on the same gunicorn settings.",
        "",
        *machine(outcome, settings),
        "",
        *table,
        "",
        "## Targets",
        "",
        *_targets(outcome),
        *[f"- problem: {c}" for c in outcome.checks],
        "",
        "## Since the previous run",
        "",
        *(_movement(current, previous) if current else []),
        "",
        NOTES,
    ]
    settings.markdown.write_text("\n".join(text) + (kept or "\n"))
