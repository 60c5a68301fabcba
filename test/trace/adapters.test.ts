// The report's composite candidates are Allocators too: they pass the contract suite.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Heap, Memory, PagePool, Pool, Region, allocOrThrow } from "../../src/index.js";
import { PhaseRegion, PoolBesideHeap } from "../../src/trace/adapters.js";
import { conformance } from "../support/conformance.js";

const poolBesideHeap = () => {
  const heap = Heap.create({ maximum: 32 << 20 });
  return new PoolBesideHeap(Pool.create(heap.pool, { size: 48 }), heap);
};

conformance({ name: "PoolBesideHeap (48 B pool beside the heap)", make: poolBesideHeap, drawSize: 5000, maxAlign: 4096, model: { edges: [24, 25, 47, 48, 49] } });

test("PoolBesideHeap sends the dominant size to the pool and the rest to the heap", () => {
  const a = poolBesideHeap();
  const p = allocOrThrow(a, 40);
  const q = allocOrThrow(a, 100);
  assert.equal(a.pool.owns(p), true);
  assert.equal(a.pool.owns(q), false);
  a.free(p);
  a.free(q);
  a.check();
  assert.equal(a.stats().liveBlocks.current, 0);
});

test("PhaseRegion resets its region when every block is freed", () => {
  const a = new PhaseRegion(Region.create(PagePool.create(Memory.create({ maximum: 16 << 20 }))));
  for (let phase = 0; phase < 3; phase++) {
    const ps = Array.from({ length: 50 }, (_, i) => allocOrThrow(a, 16 + i));
    for (const p of ps) a.free(p);
  }
  assert.equal(a.resets, 3);
  a.check();
  assert.equal(a.stats().liveBlocks.current, 0);
});
