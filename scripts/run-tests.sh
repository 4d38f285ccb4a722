#!/bin/bash
# The whole suite on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set. The two passes
# run side by side (each is mostly one busy process, and these machines have two cores); each
# has its own pytest temp folder and Redis database, and its output follows once both have ended.
set -uo pipefail
PYTEST="${1:-.venv/bin/pytest}"
shift || true

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  exec "$PYTEST" -q "$@" tests
fi

logs="$(mktemp -d)"
tmp="${TMPDIR:-/tmp}/portal-tests-$$"
mkdir -p "$tmp"
echo "== SQLite and PostgreSQL ($TEST_DATABASE_URL) side by side; their output follows when both end"
"$PYTEST" -q -p no:cacheprovider --basetemp="$tmp/sqlite" "$@" tests >"$logs/sqlite.log" 2>&1 &
sqlite_pid=$!
TEST_DATABASE=postgresql TEST_REDIS_URL="${TEST_REDIS_URL_PG:-redis://127.0.0.1:6379/14}" \
  "$PYTEST" -q -p no:cacheprovider --basetemp="$tmp/postgresql" "$@" tests >"$logs/postgresql.log" 2>&1
postgresql=$?
wait "$sqlite_pid"
sqlite=$?

echo "== SQLite (exit $sqlite)"
cat "$logs/sqlite.log"
echo "== PostgreSQL (exit $postgresql)"
cat "$logs/postgresql.log"
rm -rf "$logs" "$tmp"
[ "$sqlite" -eq 0 ] && [ "$postgresql" -eq 0 ]
