#!/bin/sh
# `make bench`: measure the citizen path against bare Flask-SQLAlchemy routes on this machine.
# Settings (environment): BENCH_DATABASE_URL (default: a `bench` database on the local
# PostgreSQL, dropped and re-created), BENCH_REPORTS (100000), BENCH_WORKERS (2),
# BENCH_SECONDS (10 per route), BENCH_CONNECTIONS (16), BENCH_THREADS (2).
set -e
cd "$(dirname "$0")/.."
scripts/ensure-wrk.sh
PYTHON="${PYTHON:-.venv/bin/python}"
exec "$PYTHON" -m bench
