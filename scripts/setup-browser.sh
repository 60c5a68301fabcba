#!/usr/bin/env bash
# Installs Debian's Chromium for the HTML report test (test/node/html-report.test.ts) when it is
# missing and we may install packages (root). Elsewhere it says what to do and leaves the test to
# report itself skipped with that reason.
set -u
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: chromium is missing and this is not a root Debian machine; the HTML report browser test will be skipped (apt-get install chromium)" >&2
  exit 0
fi
echo "setup-browser: installing Debian's chromium for the HTML report test" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends chromium >/dev/null || echo "setup-browser: apt-get install chromium failed" >&2
exit 0
