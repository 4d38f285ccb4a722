"""A fresh benchmark database: dropped and created on its server, then migrated and seeded."""

import json
import os
import subprocess
import sys

from sqlalchemy import create_engine, make_url, text

from bench.settings import ROOT


def recreate(url):
    """DROP and CREATE the database named in `url` (connecting to the server's postgres db)."""
    target = make_url(url)
    if not target.drivername.startswith("postgresql"):
        raise SystemExit(f"BENCH_DATABASE_URL must be PostgreSQL, not {target.drivername}")
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def bulk_loaded(url):
    """How many reports the last bulk load put in the database at `url` (None: no such database,
    or never loaded): a run with BENCH_REUSE=1 keeps a database loaded with as many."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"))
    with server.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
        exists = found.scalar() is not None
    server.dispose()
    if not exists:
        return None
    engine = create_engine(target)
    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT to_regclass('audit_events')")).scalar() is None:
                return None
            data = conn.execute(
                text(
                    "SELECT data::text FROM audit_events WHERE action = 'bench.bulk_load'"
                    " ORDER BY seq DESC LIMIT 1"
                )
            ).scalar()
    finally:
        engine.dispose()
    return None if data is None else int(json.loads(data)["reports"])


def flask(env, *args):
    """A `flask …` command of the product against the benchmark database."""
    subprocess.run([sys.executable, "-m", "flask", *args], env=env, cwd=ROOT, check=True, capture_output=True)


def server_version(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    return version


def migrate_and_seed(env):
    flask(env, "db", "upgrade")
    flask(env, "seed", "reference")
    os.environ.update(env)  # the loader runs in this process, on the same settings as the servers
