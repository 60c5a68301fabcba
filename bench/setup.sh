#!/usr/bin/env bash
# Installs the system packages the native trace replayer links against. Run by bench/build.sh
# (so by `npm run bench`), never by the tests. Never fails the build: a missing piece only means
# the matching subject is skipped with a note in the results.
#
#   libmimalloc-dev   mimalloc, for the native-mimalloc bar of the "traces" suite
#
# Installs only when the package is missing and we are root (a developer machine or CI runs as
# root; anywhere else, install it by hand or live without the mimalloc column).
set -u

have_mimalloc() { [ -f /usr/include/mimalloc.h ] || [ -f /usr/local/include/mimalloc.h ]; }

if have_mimalloc; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "bench/setup.sh: libmimalloc-dev is missing and we are not root: native-mimalloc will be skipped" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "bench/setup.sh: no apt-get here: native-mimalloc will be skipped" >&2
  exit 0
fi
echo "bench/setup.sh: installing libmimalloc-dev" >&2
# The package lists may be missing or stale on a fresh machine: update once, then retry.
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q libmimalloc-dev >/dev/null 2>&1; then
  apt-get update -q >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q libmimalloc-dev >/dev/null 2>&1 ||
    echo "bench/setup.sh: could not install libmimalloc-dev: native-mimalloc will be skipped" >&2
fi
exit 0
