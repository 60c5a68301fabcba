#!/usr/bin/env bash
# `npm run bench:build`: builds what the benchmark runs besides the compiled TypeScript.
#   build/bench/peers/as-tlsf/tlsf.wasm     AssemblyScript's TLSF (runtime "minimal"), -O3
#   build/bench/native/replay-glibc         the C++ trace replayer over glibc malloc (g++ -O2)
#   build/bench/native/replay-mimalloc      the same over mimalloc (when libmimalloc-dev is there)
# A piece that cannot be built is left out with a note on stderr; the harness then reports its
# subject as skipped. Nothing here is committed: everything goes under build/.
set -u
cd "$(dirname "$0")/.."

bash bench/setup.sh

mkdir -p build/bench/peers/as-tlsf build/bench/native

# as-tlsf. The "minimal" runtime is TLSF + a manually collected GC: heap.alloc/free/realloc go
# straight to TLSF and the collector never runs on its own. ("stub" is a bump allocator, and
# "incremental" would add GC steps to allocations.)
wasm=build/bench/peers/as-tlsf/tlsf.wasm
src=bench/peers/as-tlsf/assembly/index.ts
if [ ! -f "$wasm" ] || [ "$src" -nt "$wasm" ]; then
  node node_modules/assemblyscript/bin/asc.js "$src" -O3 --runtime minimal -o "$wasm" ||
    { echo "bench/build.sh: asc failed: as-tlsf will fail" >&2; rm -f "$wasm"; }
fi

# Native replayers.
cpp=bench/native/replay.cpp
if ! command -v g++ >/dev/null 2>&1; then
  echo "bench/build.sh: g++ not found: native-glibc and native-mimalloc will be skipped" >&2
  exit 0
fi
out=build/bench/native/replay-glibc
if [ ! -f "$out" ] || [ "$cpp" -nt "$out" ]; then
  g++ -O2 -std=c++17 -Wall -Wextra -o "$out" "$cpp" || echo "bench/build.sh: g++ failed for $out" >&2
fi
out=build/bench/native/replay-mimalloc
if [ -f /usr/include/mimalloc.h ] || [ -f /usr/local/include/mimalloc.h ]; then
  if [ ! -f "$out" ] || [ "$cpp" -nt "$out" ]; then
    g++ -O2 -std=c++17 -Wall -Wextra -DREPLAY_MIMALLOC -o "$out" "$cpp" -lmimalloc ||
      echo "bench/build.sh: g++ failed for $out" >&2
  fi
else
  echo "bench/build.sh: mimalloc.h not found: native-mimalloc will be skipped" >&2
fi
exit 0
