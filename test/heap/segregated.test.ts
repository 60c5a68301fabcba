// The TLSF core through the heap: the mapping's property, and a long seeded soak that would show a
// metadata leak as a footprint that does not come back.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Heap, NULL } from "../../src/index.js";
import { insertIndex, searchIndex } from "../../src/heap/mapping.js";
import { needFor } from "../../src/heap/segregated.js";
import { HUGE_MIN, LIST_COUNT, MAX_CHUNK_BYTES, MIN_BLOCK_BYTES, guardOf } from "../../src/heap/layout.js";

const MiB = 1 << 20;

describe("mapping", () => {
  const size = fc.integer({ min: 2, max: MAX_CHUNK_BYTES / 8 - 1 }).map((n) => n * 8);

  test("a block on a list at or after searchIndex(s) is big enough for s", () => {
    fc.assert(fc.property(size, size, (want, block) => insertIndex(block) < searchIndex(want) || block >= want), { numRuns: 2000 });
  });

  test("lists are exact below 256 bytes and every block size has a list", () => {
    for (let s = 16; s < 256; s += 8) assert.equal(insertIndex(s), s / 8);
    assert.ok(insertIndex(MAX_CHUNK_BYTES - 8) < LIST_COUNT, "the largest block a chunk can hold has a list");
    for (let s = 16; s < 70000; s += 8) assert.ok(searchIndex(s) >= insertIndex(s) && insertIndex(s) >= insertIndex(s - 8));
  });

  test("guard words are V8 small integers (below 2^30), so a guard that leaves a call never becomes a heap number", () => {
    const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
    fc.assert(fc.property(u32, u32, u32, (b, sw, key) => {
      const g = guardOf(b, sw, key);
      return Number.isInteger(g) && g >= 0 && g < 2 ** 30;
    }), { numRuns: 5000 });
  });

  test("needFor: header + payload on the 8-byte grid, at least the minimum block", () => {
    assert.equal(needFor(0), MIN_BLOCK_BYTES);
    assert.equal(needFor(8), 16);
    assert.equal(needFor(9), 24);
    for (let r = 0; r < 2000; r++) assert.ok(needFor(r) - 8 >= r && needFor(r) - 8 - r < 8 + (r === 0 ? 1 : 0) && needFor(r) % 8 === 0);
  });
});

/** mulberry32: a small seeded generator, so a failure replays exactly. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("soak", () => {
  test("a long seeded random run ends with the footprint it started with", () => {
    const rand = rng(20261206);
    const h = Heap.create({ maximum: 256 * MiB });
    const start = h.stats().footprintBytes.current;
    const live: number[] = [];
    const sizes: number[] = [];
    const draw = (): number => {
      const k = rand();
      if (k < 0.6) return Math.floor(rand() * 256);
      if (k < 0.9) return Math.floor(rand() * 8192);
      if (k < 0.995) return Math.floor(rand() * 200_000);
      return HUGE_MIN + Math.floor(rand() * 3 * MiB);
    };
    for (let i = 0; i < 150_000; i++) {
      const k = rand();
      if (live.length === 0 || k < 0.45) {
        const n = draw();
        const p = k < 0.02 ? h.alignedAlloc(n, 1 << (4 + Math.floor(rand() * 9))) : h.malloc(n);
        assert.notEqual(p, NULL);
        h.u8[p] = 0xab;
        if (n > 1) h.u8[p + n - 1] = 0xcd;
        live.push(p);
        sizes.push(n);
      } else if (k < 0.55) {
        const j = Math.floor(rand() * live.length);
        const n = draw();
        const p = h.realloc(live[j], n);
        assert.notEqual(p, NULL);
        if (Math.min(n, sizes[j]) > 0) assert.equal(h.u8[p], 0xab, "realloc lost the first byte");
        h.u8[p] = 0xab;
        if (n > 1) h.u8[p + n - 1] = 0xcd;
        live[j] = p;
        sizes[j] = n;
      } else {
        const j = Math.floor(rand() * live.length);
        if (sizes[j] > 1) assert.ok(h.u8[live[j]] === 0xab && h.u8[live[j] + sizes[j] - 1] === 0xcd, "block damaged");
        h.free(live[j]);
        live[j] = live[live.length - 1];
        sizes[j] = sizes[sizes.length - 1];
        live.pop();
        sizes.pop();
      }
      if (i % 25_000 === 0) h.check();
      if (i % 40_000 === 0) h.maintain(1);
    }
    h.check();
    for (const p of live) h.free(p);
    h.check();
    h.trim();
    h.check();
    const st = h.stats();
    assert.equal(st.liveBlocks.current, 0);
    assert.equal(st.liveBytes.current, 0);
    assert.equal(st.requestedBytes.current, 0);
    assert.equal(st.footprintBytes.current, start, "footprint after free-all and trim differs from the start: leaked metadata?");
  });
});
