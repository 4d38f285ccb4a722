"""verify_chain on a live system, and the migration that keyed an existing chain."""

import os
import threading
import time
from datetime import datetime
from types import SimpleNamespace

import pytest
from alembic.command import upgrade as alembic_upgrade
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from portal import create_app
from portal.audit.chain import SYSTEM, record_event, verify_chain
from portal.extensions import db
from tests.conftest import ON_POSTGRES, _config
from tests.tamper import chain, plain_digest


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="SQLite lets no writer commit while a reader holds its snapshot: nothing to race with",
)
def test_verify_is_not_fooled_by_events_committed_while_it_reads(app):
    stop, committed = threading.Event(), []

    def writer():
        with app.app_context():
            while not stop.is_set():
                record_event("test.tick", None, SYSTEM)
                db.session.commit()
                committed.append(1)
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    reports, deadline = [], time.monotonic() + 60
    try:
        # Verify again and again until at least 40 events were committed meanwhile: a loaded
        # machine slows the writer, so count its commits rather than our verifications.
        while (len(reports) < 40 or len(committed) < 40) and time.monotonic() < deadline:
            reports.append(verify_chain(batch=1))
    finally:
        stop.set()
        thread.join()
    assert len(committed) >= 40  # the writer really ran alongside
    assert [r.problem for r in reports if not r.ok] == []
    final = verify_chain()
    assert final.ok and final.checked == 1 + len(committed)


# ---- migration 0004 re-seals the chain that existed before it -----------------------------


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of our own: a private schema on PostgreSQL, a new file on SQLite."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    url = os.environ["TEST_DATABASE_URL"]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE; CREATE SCHEMA migration_check"))
    yield url + "?options=-csearch_path%3Dmigration_check"
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA migration_check CASCADE"))
    admin.dispose()


def _plain_chain(actions):
    """Events as revision 0003 wrote them: plain SHA-256 links, head at the last one."""
    prev = "0" * 64
    for day, action in enumerate(actions, start=1):
        ev = SimpleNamespace(
            created_at=datetime(2026, 11, day, 10, 0),
            actor_kind="system",
            actor_id=None,
            actor_label="system",
            action=action,
            object_type="none",
            object_id=None,
            data={},
        )
        digest = plain_digest(prev, ev)
        db.session.execute(
            text(
                "INSERT INTO audit_events (created_at, actor_kind, actor_id, actor_label, action, "
                "object_type, object_id, data, prev_hash, hash) VALUES (:created_at, :actor_kind, "
                ":actor_id, :actor_label, :action, :object_type, :object_id, '{}', :prev, :hash)"
            ),
            vars(ev) | {"prev": prev, "hash": digest},
        )
        prev = digest
    db.session.execute(
        text("UPDATE audit_chain_head SET last_hash = :h, length = :n"), {"h": prev, "n": len(actions)}
    )
    db.session.commit()


def test_upgrade_reseals_the_plain_chain_and_downgrade_restores_it(fresh_database, tmp_path):
    app = create_app(_config(fresh_database, tmp_path))
    with app.app_context():
        upgrade(revision="0003")
        _plain_chain(["reference_data.loaded", "report.submitted", "report.accepted"])
        upgrade(revision="0004")
        result = verify_chain()
        assert result.ok and result.checked == 3
        assert [e.seq for e in chain()] == [1, 2, 3] and {e.key_id for e in chain()} == {"dev"}
        record_event("test.after_upgrade", None, SYSTEM)
        db.session.commit()
        assert verify_chain().checked == 4
        db.session.remove()
        downgrade(revision="0003")
        rows = db.session.execute(text("SELECT id, prev_hash, hash FROM audit_events ORDER BY id")).all()
        head = db.session.execute(text("SELECT last_hash, length FROM audit_chain_head")).one()
        assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
        assert tuple(head) == (rows[-1].hash, 4)
        db.session.remove()
        db.engine.dispose()


def test_upgrade_refuses_to_reseal_a_chain_that_is_already_broken(fresh_database, tmp_path):
    app = create_app(_config(fresh_database, tmp_path))
    with app.app_context():
        upgrade(revision="0003")
        _plain_chain(["reference_data.loaded", "report.submitted"])
        first = db.session.execute(text("SELECT min(id) FROM audit_events")).scalar()
        if ON_POSTGRES:
            db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text(f"UPDATE audit_events SET actor_label = 'x' WHERE id = {first}"))
        db.session.commit()
        db.session.remove()
        config = app.extensions["migrate"].migrate.get_config()
        with pytest.raises(RuntimeError, match=f"audit chain broken at event {first}; investigate"):
            alembic_upgrade(config, "0004")  # Flask-Migrate's upgrade() would turn it into an exit
        columns = db.session.execute(text("SELECT * FROM audit_events")).keys()
        assert "seq" not in columns  # refused before changing anything
        db.session.remove()
        db.engine.dispose()
