"""Evidence on disk, outside static/, under random names.

Uploads are first *staged* (so a form that fails validation keeps them); a submission turns staged
files into stored evidence only when its transaction commits; discard_on_failure() removes them
if it fails.
"""

import hashlib
import os
import secrets
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.evidence.sanitise import RejectedFile, clean
from portal.files import private_dir, write_private

STAGING_MAX_AGE = 24 * 3600
_MOVES = "evidence_moves"


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


def _safe_display_name(name):
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    return base[:200] or "file"


def stage_upload(data, original_name):
    """Clean and write an upload to the staging area; raises RejectedFile."""
    if len(data) > max_file_bytes():
        raise RejectedFile("too_large")
    result = clean(data)
    token = secrets.token_hex(16)
    path = staging_path(token)
    private_dir(path.parent)
    write_private(path, result.data)
    return StagedFile(
        token=token,
        original_name=_safe_display_name(original_name),
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


def unsign_staged(value):
    """Staged files from a hidden field; tampered, expired or vanished entries are dropped."""
    if not value:
        return []
    try:
        items = _serializer().loads(value, max_age=STAGING_MAX_AGE)
    except BadSignature:
        return []
    files = [StagedFile(**item) for item in items]
    return [f for f in files if staging_path(f.token).exists()]


def new_storage_name(staged):
    return f"{secrets.token_hex(16)}.{staged.extension}"


def store_on_commit(session, staged, storage_name):
    """Move the staged file into the store after commit; remove it if the transaction fails."""
    session.info.setdefault(_MOVES, []).append((staged.token, storage_name))


@event.listens_for(Session, "after_commit")
def _move_after_commit(session):
    for token, storage_name in session.info.pop(_MOVES, []):
        target = stored_path(storage_name)
        private_dir(target.parent)
        os.replace(staging_path(token), target)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session):
    # The staged files are not removed here: a double submit rolls back while the first
    # request may still be moving the same files. Callers use discard_on_failure().
    session.info.pop(_MOVES, None)


@contextmanager
def discard_on_failure(staged_files):
    """Remove the staged files if the block fails, so a failed submission leaves none behind."""
    try:
        yield
    except BaseException:
        discard_staged(staged_files)
        raise


def discard_staged(files):
    for f in files:
        staging_path(f.token).unlink(missing_ok=True)


def purge_stale_staging(max_age=STAGING_MAX_AGE):
    """Remove staged uploads nobody submitted; returns how many were removed."""
    folder = _root() / "staging"
    if not folder.exists():
        return 0
    cutoff, removed = time.time() - max_age, 0
    for path in folder.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
