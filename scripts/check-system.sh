#!/bin/sh
# What the install step needs from the system besides Python packages; say what is missing.
PYTHON="${1:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "error: Python 3.11 or newer is needed ($PYTHON is $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi
if ! "$PYTHON" -c 'import ctypes.util, sys; sys.exit(ctypes.util.find_library("magic") is None)'; then
  echo "error: the system library libmagic is missing (python-magic types evidence files by content)." >&2
  echo "  Debian/Ubuntu: apt-get install libmagic1    Fedora: dnf install file-libs    macOS: brew install libmagic" >&2
  exit 1
fi
