"""Evidence on disk, outside static/, under random names.

Uploads are first *staged* (so a form that fails validation keeps them); a submission turns staged
files into stored evidence as part of its commit (placed in the store just before it, taken out
again if the transaction rolls back); discard_on_failure() removes the staged files if it fails.
"""

import hashlib
import logging
import os
import secrets
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

from portal.evidence.sanitise import RejectedFile, clean
from portal.files import private_dir, write_private
from portal.validators import display_name

# Staged files are for one sitting at the form: long enough to fix a mistake and send, short
# enough that abandoned uploads do not pile up (the upload quotas count over the same window).
STAGING_MAX_AGE = 2 * 3600
SIGNED_LIST_MAX_AGE = 24 * 3600
# The purge waits a little longer than a staged file is accepted, so a file accepted by a
# submission in progress is never removed under it.
PURGE_GRACE = 10 * 60
# Without a cron, uploads purge the staging area themselves: at most once per interval per
# worker, and only a bounded slice of it each time, so no request pays for a huge folder.
PURGE_INTERVAL = 5 * 60
PURGE_SCAN_LIMIT = 500
_last_purge = {"at": 0.0}
_MOVES = "evidence_moves"
_PLACED = "evidence_placed"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StagedFile:
    token: str
    original_name: str
    mime_type: str
    extension: str
    size_bytes: int
    sha256: str
    metadata_stripped: bool


def max_files_per_submission():
    """How many files one intake or one supplement may carry (the design's "up to 5")."""
    return current_app.config["MAX_EVIDENCE_FILES"]


def max_file_bytes():
    return current_app.config["MAX_FILE_MB"] * 1024 * 1024


def _root():
    return Path(current_app.config["EVIDENCE_DIR"])


def staging_path(token):
    return _root() / "staging" / token


def stored_path(storage_name):
    return _root() / "store" / storage_name[:2] / storage_name


def stage_upload(data, original_name):
    """Clean and write an upload to the staging area; raises RejectedFile."""
    if len(data) > max_file_bytes():
        raise RejectedFile("too_large")
    result = clean(data)
    purge_now_and_then()
    token = secrets.token_hex(16)
    path = staging_path(token)
    private_dir(path.parent)
    write_private(path, result.data)
    return StagedFile(
        token=token,
        original_name=display_name(original_name),
        mime_type=result.mime_type,
        extension=result.extension,
        size_bytes=len(result.data),
        sha256=hashlib.sha256(result.data).hexdigest(),
        metadata_stripped=result.metadata_stripped,
    )


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staged-evidence")


def sign_staged(files):
    """Signed list for a hidden form field, so staged files survive a re-rendered form."""
    return _serializer().dumps([asdict(f) for f in files])


def _still_staged(staged):
    """The file is there and younger than STAGING_MAX_AGE (so the purge cannot take it yet)."""
    try:
        return staging_path(staged.token).stat().st_mtime > time.time() - STAGING_MAX_AGE
    except FileNotFoundError:
        return False


def read_staged(value):
    """(files still staged, files that expired) from a hidden field; a tampered list is empty."""
    if not value:
        return [], []
    try:
        # The files' own age decides what expired; the list may be older (a re-rendered form).
        items = _serializer().loads(value, max_age=SIGNED_LIST_MAX_AGE)
    except BadSignature:
        return [], []
    files = [StagedFile(**item) for item in items]
    alive = [f for f in files if _still_staged(f)]
    return alive, [f for f in files if f not in alive]


def unsign_staged(value):
    """Staged files from a hidden field; tampered, expired or vanished entries are dropped."""
    return read_staged(value)[0]


def new_storage_name(staged):
    return f"{secrets.token_hex(16)}.{staged.extension}"


@dataclass(frozen=True)
class _Queued:
    transaction: object  # the (possibly nested) SessionTransaction it was queued in
    token: str
    evidence: object  # the Evidence row: its storage name, and its report's number for the log


class EvidenceNotStored(OSError):
    """A staged file could not be placed in the store, so the transaction did not commit."""


def store_on_commit(session, staged, evidence):
    """Put the staged file in the store as part of this transaction's commit.

    The file is linked into the store just before the commit (a failure there aborts the commit,
    so no report is saved without its files) and removed from the store if the transaction rolls
    back; after the commit only the staged name is removed, which cannot lose anything.
    """
    if isinstance(session, scoped_session):
        session = session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_MOVES, []).append(_Queued(transaction, staged.token, evidence))


def _place(source, target):
    """Give the staged file its store name too (a hard link: atomic, no copy, same 0600 inode)."""
    private_dir(target.parent)
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:  # a store on another file system, or one without hard links: copy it
        write_private(target, source.read_bytes())


@dataclass(frozen=True)
class _Placed:
    token: str
    storage_name: str
    number: str  # read before the commit: after it the rows are expired and cannot load


def _report_number(evidence):
    report = getattr(evidence, "report", None)
    return getattr(report, "number", None) or "(new report)"


@event.listens_for(Session, "before_commit")
def _place_before_commit(session):
    if session.in_nested_transaction():  # a savepoint released: the outer commit places them
        return
    placed, queued = session.info.setdefault(_PLACED, []), session.info.get(_MOVES, [])
    while queued:  # an item leaves the queue only once placed: a failure leaves it to roll back
        item = queued[0]
        number, name = _report_number(item.evidence), item.evidence.storage_name
        target = stored_path(name)
        try:
            _place(staging_path(item.token), target)
        except OSError as exc:
            log.error(
                "Evidence for report %s could not be stored (staging/%s -> %s): %s; "
                "the report was not saved and the citizen was asked to send it again.",
                number,
                item.token,
                target,
                exc,
            )
            raise EvidenceNotStored(str(exc)) from exc
        placed.append(_Placed(queued.pop(0).token, name, number))


def _remove_staged_copy(path):
    path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _clear_staging_after_commit(session):
    for item in session.info.pop(_PLACED, []):
        try:
            _remove_staged_copy(staging_path(item.token))
        except OSError as exc:  # the evidence is safely stored; only a staged copy is left over
            log.error(
                "Evidence for report %s is stored as %s, but its staged copy staging/%s could "
                "not be removed (%s); purge-staging will remove it.",
                item.number,
                item.storage_name,
                item.token,
                exc,
            )


def _inside(transaction, ended):
    if transaction is None:  # queued before the session began: part of the outermost
        return ended.parent is None
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _undo_after_rollback(session, previous_transaction):
    """Forget only what was queued inside the transaction that ended (a savepoint drops its own
    files, not the outer transaction's); when the whole transaction ends, unplace what was placed."""
    queued = session.info.get(_MOVES)
    if queued:
        session.info[_MOVES] = [q for q in queued if not _inside(q.transaction, previous_transaction)]
    if previous_transaction.parent is None:
        for item in session.info.pop(_PLACED, []):
            stored_path(item.storage_name).unlink(missing_ok=True)


@contextmanager
def discard_on_failure(staged_files, keep_on=()):
    """Remove the staged files if the block fails, so a failed submission leaves none behind.

    Exceptions in keep_on leave them: the caller shows the form again with the files listed.
    """
    try:
        yield
    except keep_on:
        raise
    except BaseException:
        discard_staged(staged_files)
        raise


def discard_staged(files):
    for f in files:
        staging_path(f.token).unlink(missing_ok=True)


def purge_stale_staging(max_age=STAGING_MAX_AGE + PURGE_GRACE, scan_limit=None):
    """Remove staged uploads nobody submitted; returns how many were removed.

    scan_limit bounds how many entries one call looks at (the opportunistic purge)."""
    folder = _root() / "staging"
    if not folder.exists():
        return 0
    cutoff, removed = time.time() - max_age, 0
    with os.scandir(folder) as entries:
        for seen, entry in enumerate(entries):
            if scan_limit is not None and seen >= scan_limit:
                break
            try:
                stale = entry.stat().st_mtime < cutoff
            except FileNotFoundError:  # submitted or purged by another worker meanwhile
                continue
            if stale:
                Path(entry.path).unlink(missing_ok=True)
                removed += 1
    return removed


def purge_now_and_then():
    """The purge without a cron: a bounded slice, at most once per PURGE_INTERVAL per worker."""
    now = time.time()
    if now - _last_purge["at"] < PURGE_INTERVAL:
        return 0
    _last_purge["at"] = now
    return purge_stale_staging(scan_limit=PURGE_SCAN_LIMIT)
