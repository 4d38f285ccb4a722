#!/bin/sh
# Browser tests drive Debian's Chromium (never `playwright install`, which downloads and fails
# here). Install it and a CJK font when missing and we are allowed to.
set -e
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wenquanyi"; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing chromium and fonts-wqy-microhei for the browser tests"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
else
  echo "warning: /usr/bin/chromium missing and cannot install it; browser tests will fail" >&2
fi
