"""Audit: keyed chain (key ids) and a guarded chain head.

Events get their position (`seq`) and the id of the AUDIT_KEYS key that sealed them; the head gets
a keyed seal. Existing events are checked against their old plain SHA-256 chain and re-sealed with
the current key (the upgrade refuses a chain that is already broken: re-sealing would hide it).
Triggers: the head only moves forward to an existing event, is never deleted, and there is only
one; on PostgreSQL neither audit table can be TRUNCATEd.

SQLite: a batch operation that rebuilds audit_events or audit_chain_head drops their triggers;
any later migration that rebuilds them must re-create the triggers, as this one does.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import hashlib
import hmac
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
EVENTS = sa.table(
    "audit_events",
    *(sa.column(name) for name in ("id", "seq", "actor_kind", "actor_id", "actor_label", "action")),
    *(sa.column(name) for name in ("object_type", "object_id", "key_id", "prev_hash", "hash")),
    sa.column("created_at", sa.DateTime()),
    sa.column("data", sa.JSON()),
)
HEAD = sa.table("audit_chain_head", *(sa.column(n) for n in ("id", "last_hash", "length", "key_id", "mac")))


def upgrade():
    plan = _plan(_read_chain(keyed=False), _legacy_hash, _keyed_sealer())  # refuses before any change
    _events_guard(enable=False)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
        batch_op.create_check_constraint(op.f('ck_audit_chain_head_single_row'), 'id = 1')
    _apply(plan)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('key_id', existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_seq'), ['seq'])
    _events_guard(enable=True)
    _head_guard()


def downgrade():
    plan = _plan(_read_chain(keyed=True), _keyed_checker(), _legacy_sealer)
    _drop_head_guard()
    _events_guard(enable=False)
    _apply(plan)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_seq'), type_='unique')
        batch_op.drop_column('key_id')
        batch_op.drop_column('seq')
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_chain_head_single_row'), type_='check')
        batch_op.drop_column('mac')
        batch_op.drop_column('key_id')
    _events_guard(enable=True)


# ---- re-sealing the events that exist --------------------------------------------------------


def _fields(row):
    return {
        "created_at": row["created_at"].isoformat(timespec="microseconds"),
        **{k: row[k] for k in ("actor_kind", "actor_id", "actor_label", "action", "object_type")},
        "object_id": row["object_id"],
        "data": row["data"],
    }


def _canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _legacy_hash(row):
    """The hash revision 0001 wrote: plain SHA-256 over the predecessor and the fields."""
    return hashlib.sha256(_canonical({"prev": row["prev_hash"], **_fields(row)}).encode()).hexdigest()


def _hmac(key, purpose, text):
    return hmac.new(key, purpose.encode() + b"\x00" + text.encode(), hashlib.sha256).hexdigest()


def _keyed_hash(row, key):
    """portal.audit.hashing.event_hash as of this revision."""
    fields = {"seq": row["seq"], "key_id": row["key_id"], "prev": row["prev_hash"], **_fields(row)}
    return _hmac(key, "audit-event", _canonical(fields))


def _keys():
    from flask import current_app

    from portal.security import audit_keys

    return audit_keys(current_app)


def _keyed_checker():
    keys = _keys()
    return lambda row: _keyed_hash(row, keys.get(row["key_id"]))


def _keyed_sealer():
    keys = {}

    def seal(row, position):
        keys.setdefault("ring", _keys())
        row = dict(row, seq=position, key_id=keys["ring"].current_id)
        return {**row, "hash": _keyed_hash(row, keys["ring"].current)}

    def head(length, last_hash):
        if not length:
            return {"key_id": None, "mac": None}
        ring = keys.setdefault("ring", _keys())
        return {"key_id": ring.current_id, "mac": _hmac(ring.current, "audit-head", f"{length}:{last_hash}")}

    return seal, head, ("seq", "key_id", "prev_hash", "hash")


def _legacy_seal(row, position):
    return {**row, "hash": _legacy_hash(row)}


_legacy_sealer = (_legacy_seal, lambda length, last_hash: {}, ("prev_hash", "hash"))


def _read_chain(keyed):
    """The events (in chain order) and the head, as sealed now; only columns that exist yet."""
    bind = op.get_bind()
    legacy = [c for c in EVENTS.c if c.name not in ("seq", "key_id")]
    rows = bind.execute(sa.select(*(EVENTS.c if keyed else legacy)).order_by(EVENTS.c.id))
    head = bind.execute(sa.select(HEAD.c.last_hash, HEAD.c.length)).first()
    return [dict(r._mapping) for r in rows], head


def _plan(chain, check, sealer):
    """Check every event and the head as sealed now; the new seals, or refuse if it is broken."""
    rows, head = chain
    seal, head_seal, columns = sealer
    updates, old_prev, new_prev = [], GENESIS, GENESIS
    for position, row in enumerate(rows, start=1):
        if row["prev_hash"] != old_prev or check(row) != row["hash"]:
            raise RuntimeError(
                f"audit chain broken at event {row['id']}; investigate (flask audit verify on the "
                "previous release) before migrating: re-sealing would hide the break."
            )
        new = seal(dict(row, prev_hash=new_prev), position)
        updates.append((row["id"], {k: new[k] for k in columns}))
        old_prev, new_prev = row["hash"], new["hash"]
    if head is None or (head.last_hash, head.length) != (old_prev, len(rows)):
        raise RuntimeError("audit chain head does not match the events (truncated?); investigate first.")
    return updates, {"last_hash": new_prev, **head_seal(len(rows), new_prev)}


def _apply(plan):
    updates, head = plan
    bind = op.get_bind()
    for event_id, values in updates:
        bind.execute(sa.update(EVENTS).where(EVENTS.c.id == event_id).values(**values))
    bind.execute(sa.update(HEAD).values(**head))


# ---- triggers ---------------------------------------------------------------------------------


def _postgres():
    return op.get_bind().dialect.name == "postgresql"


def _events_guard(enable):
    """Revision 0001's append-only triggers, off while existing events are re-sealed."""
    if _postgres():
        verb = "ENABLE" if enable else "DISABLE"
        op.execute(f"ALTER TABLE audit_events {verb} TRIGGER audit_events_no_change")
        return
    for verb in ("UPDATE", "DELETE"):
        name = f"audit_events_no_{verb.lower()}"
        if enable:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


# The head may stay as it is (the lock taken before linking) or advance to an event that exists.
KEEP = (
    "NEW.id = OLD.id AND NEW.length = OLD.length AND NEW.last_hash = OLD.last_hash "
    "AND NEW.key_id IS {same} OLD.key_id AND NEW.mac IS {same} OLD.mac"
)
ADVANCE = (
    "NEW.id = OLD.id AND NEW.length > OLD.length AND EXISTS "
    "(SELECT 1 FROM audit_events WHERE seq = NEW.length AND hash = NEW.last_hash)"
)
FIRST = f"NOT EXISTS (SELECT 1 FROM audit_chain_head) AND NEW.length = 0 AND NEW.last_hash = '{GENESIS}'"
MOVE_REFUSED = "audit_chain_head only advances to the newest event"
INSERT_REFUSED = "audit_chain_head has one row, which starts empty"
DELETE_REFUSED = "audit_chain_head cannot be deleted"


def _head_guard():
    if _postgres():
        op.execute(
            f"""
            CREATE FUNCTION audit_chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
                IF {FIRST} THEN RETURN NEW; END IF;
                RAISE EXCEPTION '{INSERT_REFUSED}';
              ELSIF TG_OP = 'UPDATE' THEN
                IF ({KEEP.format(same="NOT DISTINCT FROM")}) OR ({ADVANCE}) THEN RETURN NEW; END IF;
                RAISE EXCEPTION '{MOVE_REFUSED}';
              END IF;
              RAISE EXCEPTION '{DELETE_REFUSED}';
            END $$;
            """
        )
        op.execute(
            "CREATE TRIGGER audit_chain_head_guard BEFORE INSERT OR UPDATE OR DELETE "
            "ON audit_chain_head FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard()"
        )
        op.execute(
            "CREATE FUNCTION audit_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% cannot be truncated', TG_TABLE_NAME; END $$;"
        )
        for table in ("audit_events", "audit_chain_head"):
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate()"
            )
        return
    for name, when, message in (
        ("insert", f"NOT ({FIRST})", INSERT_REFUSED),
        ("update", f"NOT (({KEEP.format(same='')}) OR ({ADVANCE}))", MOVE_REFUSED),
        ("delete", "1", DELETE_REFUSED),
    ):
        op.execute(
            f"CREATE TRIGGER audit_chain_head_guard_{name} BEFORE {name.upper()} ON audit_chain_head "
            f"WHEN {when} BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def _drop_head_guard():
    if _postgres():
        for table in ("audit_events", "audit_chain_head"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_head_guard ON audit_chain_head")
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head_guard()")
        op.execute("DROP FUNCTION IF EXISTS audit_no_truncate()")
        return
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_chain_head_guard_{name}")
