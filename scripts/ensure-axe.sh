#!/bin/sh
# The accessibility checks in tests/browser inject axe-core, installed here from the npm registry
# (never a CDN) into .cache/axe (gitignored). Nothing to do when it is already there.
set -e
cd "$(dirname "$0")/.."
AXE=.cache/axe/node_modules/axe-core/axe.min.js
if [ -f "$AXE" ]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "warning: npm missing, cannot install axe-core; the accessibility tests will fail" >&2
  exit 0
fi
echo "installing axe-core for the accessibility tests"
npm install --silent --no-save --no-audit --no-fund --prefix .cache/axe axe-core@4 >/dev/null
