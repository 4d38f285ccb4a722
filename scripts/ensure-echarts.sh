#!/bin/sh
# The public statistics page draws its charts with Apache ECharts, installed here from the npm
# registry (never a CDN) into .cache/echarts and copied to static/vendor/echarts.min.js (both
# gitignored). Nothing to do when it is already there. Without it the page shows its tables only.
set -e
cd "$(dirname "$0")/.."
TARGET=static/vendor/echarts.min.js
if [ -f "$TARGET" ]; then
  exit 0
fi
SOURCE=.cache/echarts/node_modules/echarts/dist/echarts.min.js
if [ ! -f "$SOURCE" ]; then
  if ! command -v npm >/dev/null; then
    echo "warning: npm missing, cannot install echarts; the statistics page shows tables only" >&2
    exit 0
  fi
  echo "installing echarts for the statistics page"
  npm install --silent --no-save --no-audit --no-fund --prefix .cache/echarts echarts@5 >/dev/null
fi
mkdir -p static/vendor
cp "$SOURCE" "$TARGET"
