// The heap's calls make no JS garbage once V8 has optimized them: no object, string or boxed number
// per malloc, free or realloc, so a program that uses the heap to escape the GC does not feed it.
// Measured with V8's sampling heap profiler (collected objects included), over a churn of quick-list,
// medium and huge sizes with slack, realloc among them. A 32-bit guard word was a heap number
// whenever V8 did not inline guardOf: 2.7 MB sampled over this churn, against a few KB now.
import assert from "node:assert/strict";
import { Session } from "node:inspector/promises";
import { test } from "node:test";
import { Heap } from "../../src/index.js";

const SIZES = [8, 24, 40, 100, 200, 248, 300, 1000, 5000, 20000];

function churn(h: Heap, live: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const k = (i * 7919) & (live.length - 1);
    if (live[k] !== 0) {
      if ((i & 3) === 0) {
        live[k] = h.realloc(live[k], SIZES[(i >>> 3) % SIZES.length] + (i & 7));
        continue;
      }
      h.free(live[k]);
    }
    live[k] = h.malloc(SIZES[i % SIZES.length] + (i & 7));
  }
}

test("malloc, free and realloc make no JS garbage once optimized", async () => {
  const h = Heap.create({ initial: 64 << 20 });
  const live = new Uint32Array(512);
  churn(h, live, 300_000); // warm: V8's optimizing compiler has run
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.startSampling", { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  churn(h, live, 300_000);
  const { profile } = await session.post("HeapProfiler.stopSampling");
  session.disconnect();
  let bytes = 0;
  const walk = (n: { callFrame: { url: string }; selfSize: number; children: unknown[] }): void => {
    if (n.callFrame.url.includes("/src/")) bytes += n.selfSize;
    for (const c of n.children) walk(c as typeof n);
  };
  walk(profile.head as unknown as Parameters<typeof walk>[0]);
  assert.ok(bytes < 256 * 1024, `${bytes} bytes of JS objects sampled in heapkit's code over 300,000 operations`);
  for (const p of live) if (p !== 0) h.free(p);
  h.check();
});
