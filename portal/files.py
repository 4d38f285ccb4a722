"""Files that hold reporter data are private to the service's user (0600, folders 0700)."""

import os
from pathlib import Path

from sqlalchemy.engine import make_url

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path):
    """Create the folder (and missing parents) as 0700; tighten it if it exists."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):  # mkdir(parents=True) would give the parents the umask's mode
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
    path.chmod(DIR_MODE)
    return path


def write_private(path, data):
    """Write a new file that only the owner can read, whatever the process umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def private_sqlite_file(database_uri):
    """Create the SQLite file 0600 before SQLite does (its journals copy the file's mode)."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    path = Path(url.database)
    if not path.parent.exists():  # never tighten a folder we did not make (e.g. /tmp)
        private_dir(path.parent)
    if path.exists():
        path.chmod(FILE_MODE)
    else:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
