#!/bin/sh
# The benchmark drives gunicorn with wrk from Debian's packages. Install it when missing and we
# are allowed to (as scripts/ensure-browser.sh does for Chromium); exit 1 if it is still missing.
if command -v wrk >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing wrk for the benchmark"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if ! command -v wrk >/dev/null; then
  echo "warning: wrk is missing and cannot be installed here (apt-get install wrk as root)" >&2
  exit 1
fi
