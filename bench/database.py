"""A fresh benchmark database: dropped and created on its server, then migrated and seeded."""

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
