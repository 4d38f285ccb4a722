#!/bin/sh
# The receipt tests decode the printed QR code with zbar (Debian's zbar-tools), as a phone's
# camera would. Install it when missing and we are allowed to; without it those tests skip.
set -e
if command -v zbarimg >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing zbar-tools for the QR code tests"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zbar-tools >/dev/null
else
  echo "warning: zbarimg missing and cannot install it; the QR code tests will skip" >&2
fi
