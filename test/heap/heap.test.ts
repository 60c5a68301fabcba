import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Heap, Memory, NULL, PagePool, allocOrThrow, type Ptr } from "../../src/index.js";
import { HUGE_MIN, LINEAR_LIMIT, ROOT_BYTES } from "../../src/heap/layout.js";
import { conformance, stillUsable, throwsCode } from "../support/conformance.js";
import { fill, firstDamaged, intact } from "../support/fill.js";
import { sizeArb } from "../support/arbitraries.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const EDGES = [7, 8, 9, 15, 16, 17, 240, 247, 248, 249, 255, 256, 257, 4095, 4096, 4097, HUGE_MIN - 9, HUGE_MIN - 1, HUGE_MIN, HUGE_MIN + 1];

const make = () => Heap.create({ initial: 64 * KiB, maximum: 24 * MiB });

conformance({
  name: "Heap",
  make,
  drawSize: 3000,
  maxAlign: 2 * MiB,
  model: { maxSize: 3 * MiB, edges: EDGES, maxAlign: 64 * KiB },
  runs: 40,
});

// Above 2 GiB: every pointer has bit 31 set, so an offset computed with a signed bitwise operator
// and not brought back with >>> 0 comes out negative and fails.
conformance({
  name: "Heap above 2 GiB",
  make: () => Heap.create({ base: 2 ** 31, initial: 2 ** 31 + MiB, maximum: 2 ** 31 + 64 * MiB }),
  drawSize: 5000,
  maxAlign: 2 * MiB,
  model: { maxSize: 3 * MiB, edges: EDGES, maxAlign: 64 * KiB },
  runs: 15,
});

/** Random C-surface sequences with the heap's own realloc and calloc, checked after every step. */
type Step =
  | { op: "malloc" | "calloc"; size: number }
  | { op: "aligned"; size: number; align: number }
  | { op: "realloc"; pick: number; size: number }
  | { op: "free"; pick: number };

const stepArb = (max: number): fc.Arbitrary<Step> => {
  const size = sizeArb(max, EDGES);
  const pick = fc.nat({ max: 1 << 20 });
  return fc.oneof(
    { weight: 4, arbitrary: size.map((s) => ({ op: "malloc", size: s }) as Step) },
    { weight: 1, arbitrary: size.map((s) => ({ op: "calloc", size: s }) as Step) },
    { weight: 1, arbitrary: fc.record({ size, align: fc.constantFrom(16, 32, 256, 4096, 65536) }).map((r) => ({ op: "aligned", ...r }) as Step) },
    { weight: 2, arbitrary: fc.record({ pick, size }).map((r) => ({ op: "realloc", ...r }) as Step) },
    { weight: 3, arbitrary: pick.map((p) => ({ op: "free", pick: p }) as Step) },
  );
};

export function runSteps(h: Heap, steps: readonly Step[], checkEvery = 1): void {
  const live = new Map<Ptr, { size: number; seed: number }>();
  const order: Ptr[] = [];
  let seed = 0;
  const adopt = (p: Ptr, size: number, align: number) => {
    assert.equal(p % align, 0);
    assert.ok(h.usableSize(p) >= size);
    for (const [q, b] of live) assert.ok(p + Math.max(size, 1) <= q || q + Math.max(b.size, 1) <= p, `overlap ${p}+${size} / ${q}+${b.size}`);
    const b = { size, seed: ++seed };
    fill(h.u8, p, size, b.seed);
    live.set(p, b);
    order.push(p);
  };
  const forget = (p: Ptr) => {
    live.delete(p);
    order.splice(order.indexOf(p), 1);
  };
  let i = 0;
  for (const s of steps) {
    switch (s.op) {
      case "malloc": {
        const p = h.malloc(s.size);
        if (p !== NULL) adopt(p, s.size, 8);
        break;
      }
      case "calloc": {
        const p = h.calloc(1, s.size);
        if (p !== NULL) {
          assert.ok(h.u8.subarray(p, p + s.size).every((x) => x === 0), "calloc memory not zeroed");
          adopt(p, s.size, 8);
        }
        break;
      }
      case "aligned": {
        const p = h.alignedAlloc(s.size, s.align);
        if (p !== NULL) adopt(p, s.size, s.align);
        break;
      }
      case "realloc": {
        if (order.length === 0) break;
        const p = order[s.pick % order.length];
        const b = live.get(p)!;
        const q = h.realloc(p, s.size);
        if (q === NULL) {
          assert.equal(firstDamaged(h.u8, p, b.size, b.seed), -1, "failed realloc damaged the block");
          assert.ok(h.usableSize(p) >= b.size, "failed realloc freed the block");
          break;
        }
        assert.equal(firstDamaged(h.u8, q, Math.min(b.size, s.size), b.seed), -1, "realloc lost the contents");
        forget(p);
        adopt(q, s.size, 8);
        break;
      }
      case "free": {
        if (order.length === 0) break;
        const p = order[s.pick % order.length];
        const b = live.get(p)!;
        assert.equal(firstDamaged(h.u8, p, b.size, b.seed), -1, "block damaged before free");
        h.free(p);
        forget(p);
        break;
      }
    }
    if (++i % checkEvery === 0) h.check();
    assert.equal(h.stats().liveBlocks.current, live.size);
  }
  h.check();
  for (const [p, b] of live) assert.equal(firstDamaged(h.u8, p, b.size, b.seed), -1);
  for (const p of [...live.keys()]) h.free(p);
  h.check();
  assert.equal(h.stats().liveBlocks.current, 0);
  assert.equal(h.stats().requestedBytes.current, 0);
}

describe("Heap: C surface against a model", () => {
  test("malloc / calloc / realloc / free / alignedAlloc over tiny, medium and huge sizes", () => {
    fc.assert(
      fc.property(fc.array(stepArb(3 * MiB), { minLength: 50, maxLength: 200 }), (steps) => runSteps(make(), steps)),
      { numRuns: 40 },
    );
  });

  test("the same, mostly small sizes (long sequences)", () => {
    fc.assert(
      fc.property(fc.array(stepArb(600), { minLength: 200, maxLength: 400 }), (steps) => runSteps(make(), steps)),
      { numRuns: 40 },
    );
  });

  test("every freed size against every requested size below 300 bytes reuses or splits correctly", () => {
    const h = make();
    for (let freed = 0; freed < 300; freed += 3) {
      for (let want = 0; want < 300; want += 5) {
        const a = allocOrThrow(h, 16);
        const p = allocOrThrow(h, freed);
        const b = allocOrThrow(h, 16);
        fill(h.u8, a, 16, 1);
        fill(h.u8, b, 16, 2);
        h.free(p);
        const q = allocOrThrow(h, want);
        fill(h.u8, q, want, 3);
        assert.ok(intact(h.u8, a, 16, 1) && intact(h.u8, b, 16, 2), `freed ${freed}, asked ${want}`);
        h.free(a);
        h.free(q);
        h.free(b);
      }
      h.check();
    }
    assert.equal(h.stats().liveBlocks.current, 0);
  });
});

describe("Heap: realloc", () => {
  test("null acts as malloc; size 0 keeps a minimal live block", () => {
    const h = make();
    const p = h.realloc(NULL, 40);
    assert.notEqual(p, NULL);
    const q = h.realloc(p, 0);
    assert.equal(q, p, "a shrink never moves");
    assert.ok(h.usableSize(q) >= 0);
    h.check();
    h.free(q);
    h.check();
  });

  test("grows in place into a free neighbour and into the top of the heap", () => {
    const h = make();
    const a = allocOrThrow(h, 300);
    const b = allocOrThrow(h, 300);
    const guard = allocOrThrow(h, 200);
    fill(h.u8, a, 300, 5);
    h.free(b);
    assert.equal(h.realloc(a, 600), a, "into the free neighbour");
    assert.ok(intact(h.u8, a, 300, 5));
    h.free(guard);
    assert.equal(h.realloc(a, 300 * KiB), a, "into the top (the chunk grows in place)");
    assert.ok(intact(h.u8, a, 300, 5));
    h.check();
  });

  test("resize answers false when it would have to move, and then changes nothing", () => {
    const h = make();
    const a = allocOrThrow(h, 64);
    const b = allocOrThrow(h, 64);
    const usable = h.usableSize(a);
    assert.equal(h.resize(a, 1000), false);
    assert.equal(h.usableSize(a), usable);
    assert.equal(h.resize(a, 8), true);
    h.check();
    h.free(a);
    h.free(b);
  });

  test("a moving realloc frees the old block (thi.ng bug 1: it leaked)", () => {
    const h = make();
    const a = allocOrThrow(h, 64);
    allocOrThrow(h, 64); // pins a's right side, so a grows by moving
    const before = h.stats().liveBlocks.current;
    const q = h.realloc(a, 4000);
    assert.notEqual(q, a);
    assert.equal(h.stats().liveBlocks.current, before);
    throwsCode(() => h.free(a), "ERR_HEAP_DOUBLE_FREE");
    h.check();
  });

  test("shrinking the topmost block by less than a header keeps the next header intact (thi.ng bug 2)", () => {
    for (let cut = 1; cut < 24; cut++) {
      const h = make();
      const a = allocOrThrow(h, 200);
      fill(h.u8, a, 200, 4);
      const q = h.realloc(a, 200 - cut);
      assert.equal(q, a);
      h.check();
      const b = allocOrThrow(h, 40);
      fill(h.u8, b, 40, 6);
      assert.ok(intact(h.u8, a, 200 - cut, 4));
      h.check();
      h.free(a);
      h.free(b);
      h.check();
    }
  });

  test("a failed realloc returns 0 and leaves the block live and untouched", () => {
    const h = Heap.create({ initial: 64 * KiB, maximum: 4 * MiB });
    const a = allocOrThrow(h, 1000);
    fill(h.u8, a, 1000, 8);
    allocOrThrow(h, 8);
    assert.equal(h.realloc(a, 64 * MiB), NULL);
    assert.ok(intact(h.u8, a, 1000, 8));
    assert.equal(h.usableSize(a) >= 1000, true);
    h.check();
  });
});

describe("Heap: misuse and corruption", () => {
  test("every misuse throws its code and the heap stays valid", () => {
    const h = make();
    const a = allocOrThrow(h, 40);
    const big = allocOrThrow(h, 2 * MiB);
    for (const bad of [a + 8, a - 8, a + 1, 12, -8, 2 ** 32, NaN, 1.5, "x", big + 8, big - 4096]) {
      throwsCode(() => h.free(bad as number), "ERR_HEAP_INVALID_POINTER", `free(${String(bad)})`);
      throwsCode(() => h.realloc(bad as number, 10), "ERR_HEAP_INVALID_POINTER", `realloc(${String(bad)})`);
      throwsCode(() => h.usableSize(bad as number), "ERR_HEAP_INVALID_POINTER");
    }
    h.free(a);
    throwsCode(() => h.free(a), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => h.realloc(a, 8), "ERR_HEAP_DOUBLE_FREE");
    h.free(big);
    throwsCode(() => h.free(big), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => h.calloc(2 ** 20, 2 ** 13), "ERR_HEAP_INVALID_SIZE");
    throwsCode(() => h.calloc(-1, 8), "ERR_HEAP_INVALID_SIZE");
    throwsCode(() => h.alignedAlloc(8, 4 * MiB), "ERR_HEAP_INVALID_ALIGNMENT");
    stillUsable(h);
  });

  test("a double free after the block merged with its neighbours is still a double free", () => {
    const h = make();
    const a = allocOrThrow(h, 40);
    const b = allocOrThrow(h, 40);
    const c = allocOrThrow(h, 40);
    allocOrThrow(h, 40);
    h.free(a);
    h.free(c);
    h.free(b); // merges with both
    for (const p of [a, b, c]) throwsCode(() => h.free(p), "ERR_HEAP_DOUBLE_FREE");
    stillUsable(h);
  });

  test("a one-byte overrun into the next block's header is detected by free and by check()", () => {
    for (const size of [129, 136, 200, 248, 5000]) {
      const h = make();
      const a = allocOrThrow(h, size);
      const b = allocOrThrow(h, 200);
      const usable = h.usableSize(a);
      h.u8[a + usable] ^= 0x5a; // one byte past the end of a's usable bytes
      throwsCode(() => h.check(), "ERR_HEAP_CORRUPTED", `check after an overrun of a ${size}-byte block`);
      throwsCode(() => h.free(b), "ERR_HEAP_CORRUPTED", `free after an overrun of a ${size}-byte block`);
      h.u8[a + usable] ^= 0x5a; // repaired: the heap is whole again, nothing was changed by the throws
      h.check();
      h.free(b);
      h.free(a);
      h.check();
    }
  });

  test("free of a block whose free left neighbour's size (stored twice) disagrees is ERR_HEAP_CORRUPTED, and nothing changes", () => {
    for (const size of [300, 5000]) {
      const h = make();
      const a = allocOrThrow(h, size);
      const b = allocOrThrow(h, size);
      allocOrThrow(h, 300); // keeps b off the chunk's free tail
      h.free(a); // b's left neighbour is free now: b's first header word holds a's size
      h.check();
      h.u32[(b - 8) >>> 2] += 8;
      const snapshot = h.u8.slice();
      throwsCode(() => h.free(b), "ERR_HEAP_CORRUPTED", `free beside a damaged ${size}-byte free block`);
      assert.deepEqual(h.u8, snapshot, "the throw changed nothing");
      h.u32[(b - 8) >>> 2] -= 8;
      h.check();
      h.free(b);
      h.check();
      stillUsable(h);
    }
  });

  test("corrupted tags are reported by check(), which always terminates", () => {
    const h = make();
    const ps = Array.from({ length: 40 }, (_, i) => allocOrThrow(h, 136 + i * 24));
    for (let i = 0; i < ps.length; i += 3) h.free(ps[i]);
    h.check();
    const snapshot = h.u8.slice();
    const corruptions: [string, (u32: Uint32Array) => void][] = [
      ["size word", (u32) => (u32[(ps[1] - 4) >>> 2] += 8)],
      ["free bit", (u32) => (u32[(ps[1] - 4) >>> 2] |= 1)],
      ["free list link", (u32) => (u32[ps[3] >>> 2] = ps[4])],
      ["footer", (u32) => (u32[(ps[4] - 8) >>> 2] += 8)],
      ["bitmap", (u32) => (u32[(h.root >>> 2) + 4] ^= 1 << 5)],
    ];
    for (const [what, damage] of corruptions) {
      h.u8.set(snapshot);
      damage(h.u32);
      throwsCode(() => h.check(), "ERR_HEAP_CORRUPTED", what);
    }
    // Random bytes over the metadata: check() ends, with CorruptionError or not at all.
    for (let round = 0; round < 200; round++) {
      h.u8.set(snapshot);
      const at = h.root + ((round * 7919) % (ROOT_BYTES + 3000));
      h.u8[at] = (round * 31) & 255;
      try {
        h.check();
      } catch (e) {
        assert.equal((e as { code?: string }).code, "ERR_HEAP_CORRUPTED", String(e));
      }
    }
    h.u8.set(snapshot);
    h.check();
  });
});

describe("Heap: quick lists (deferred coalescing)", () => {
  test("a freed small block is cached, uncoalesced, and the next request of its size takes it back", () => {
    const h = make();
    const a = allocOrThrow(h, 40);
    const b = allocOrThrow(h, 40);
    const c = allocOrThrow(h, 40);
    h.free(a);
    h.free(b); // beside a free-looking block: would merge if a had been freed for real
    h.check();
    assert.equal(h.stats().liveBlocks.current, 1);
    assert.equal(h.malloc(40), b, "last in, first out");
    assert.equal(h.malloc(33), a, "the same block size (48 bytes) for 33 ... 40");
    for (const p of [a, b, c]) h.free(p);
    h.check();
  });

  test("a cached block freed, resized or measured again is a double free, and the heap stays valid", () => {
    const h = make();
    const a = allocOrThrow(h, 100);
    allocOrThrow(h, 100);
    h.free(a);
    throwsCode(() => h.free(a), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => h.realloc(a, 50), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => h.resize(a, 50), "ERR_HEAP_DOUBLE_FREE");
    throwsCode(() => h.usableSize(a), "ERR_HEAP_DOUBLE_FREE");
    stillUsable(h);
  });

  test("cached blocks are freed for real before the heap grows, so they never raise the footprint", () => {
    const h = make();
    const ps: number[] = [];
    for (let i = 0; i < 4000; i++) ps.push(allocOrThrow(h, 8 + (i % 30) * 8));
    const peak = h.stats().footprintBytes.current;
    for (const p of ps) h.free(p);
    h.check();
    // Together the freed blocks are one run of about 540 KB: a block of 256 KB fits once they merge.
    const big = allocOrThrow(h, 256 * KiB);
    assert.equal(h.stats().footprintBytes.current, peak, "served from the coalesced cached blocks");
    h.free(big);
    h.check();
  });

  test("trim() frees cached blocks for real before giving memory back", () => {
    const h = make();
    const start = h.stats().footprintBytes.current;
    const ps: number[] = [];
    for (let i = 0; i < 2000; i++) ps.push(allocOrThrow(h, 16 + (i % 200)));
    for (const p of ps) h.free(p);
    h.trim();
    h.check();
    assert.equal(h.stats().footprintBytes.current, start);
  });

  test("after the WebAssembly.Memory grew behind the heap's back, the fast paths see the new buffer", () => {
    const h = make();
    const wasm = h.memory.wasmMemory;
    assert.ok(wasm !== undefined, "the default backing is a WebAssembly.Memory");
    const a = allocOrThrow(h, 40);
    const b = allocOrThrow(h, 40);
    h.free(a); // cached: the next malloc(40) is a fast-path hit
    wasm.grow(1); // as a module's own memory.grow would: the heap's views are now detached
    const c = h.malloc(40);
    assert.equal(c, a, "the cached block, found through fresh views");
    wasm.grow(1);
    h.free(b); // the free fast path, detached views again
    wasm.grow(1);
    h.free(c);
    h.check();
    assert.equal(h.stats().liveBlocks.current, 0);
  });

  test("a write after free into a cached block's link is reported when the list reaches it, never handed out", () => {
    const h = make();
    const a = allocOrThrow(h, 40);
    allocOrThrow(h, 40);
    h.free(a);
    h.u32[a >>> 2] = 0x1234_5678 & ~7; // the use after free: the first payload word is the list link
    assert.equal(h.malloc(40), a, "the damaged block itself is still a cached block");
    throwsCode(() => h.malloc(40), "ERR_HEAP_CORRUPTED");
    throwsCode(() => h.check(), "ERR_HEAP_CORRUPTED");
    const g = make();
    const b = allocOrThrow(g, 40);
    allocOrThrow(g, 40);
    g.free(b);
    g.u32[b >>> 2] = 0x1234_5678 & ~7;
    throwsCode(() => g.trim(), "ERR_HEAP_CORRUPTED"); // trim flushes the lists: the walk stops at the bad link
  });

  test("damage to the quick lists is reported by check()", () => {
    const h = make();
    const ps = Array.from({ length: 12 }, (_, i) => allocOrThrow(h, 24 + (i % 3) * 8));
    for (let i = 0; i < ps.length; i += 2) h.free(ps[i]); // cached: 24, 40 and 32-byte requests
    h.check();
    const snapshot = h.u8.slice();
    const corruptions: [string, (u32: Uint32Array) => void][] = [
      ["a cached block's mark cleared (a used block on a list)", (u32) => (u32[(ps[2] - 4) >>> 2] &= 0x07ff_ffff)],
      ["a list link to a live block", (u32) => (u32[ps[2] >>> 2] = ps[3] - 8)],
      ["a list link back to its own head (a cycle)", (u32) => (u32[ps[6] >>> 2] = ps[6] - 8)],
      ["a list cut short (a cached block on no list)", (u32) => (u32[ps[6] >>> 2] = 0)],
    ];
    for (const [what, damage] of corruptions) {
      h.u8.set(snapshot);
      damage(h.u32);
      throwsCode(() => h.check(), "ERR_HEAP_CORRUPTED", what);
    }
    h.u8.set(snapshot);
    stillUsable(h);
  });
});

describe("Heap: layout and growth", () => {
  test("the root and the first block sit at the start of the page pool's first run", () => {
    const h = make();
    const p = allocOrThrow(h, 136);
    assert.equal(p, h.root + ROOT_BYTES + 16 + 8);
    assert.equal(h.usableSize(p), 136);
    assert.equal(h.usableSize(allocOrThrow(h, LINEAR_LIMIT)), LINEAR_LIMIT);
  });

  test("sizes from HUGE_MIN up are page pool runs, returned on free", () => {
    const h = make();
    const before = h.pool.stats().liveBlocks.current;
    const p = allocOrThrow(h, HUGE_MIN);
    assert.equal(h.pool.stats().liveBlocks.current, before + 1);
    h.free(p);
    assert.equal(h.pool.stats().liveBlocks.current, before);
    h.check();
  });

  test("after everything is freed, trim() brings the footprint back to the start", () => {
    const h = make();
    const start = h.stats().footprintBytes.current;
    const ps: number[] = [];
    for (let i = 0; i < 3000; i++) ps.push(allocOrThrow(h, (i * 997) % 5000));
    ps.push(allocOrThrow(h, 2 * MiB));
    for (let i = 0; i < ps.length; i += 2) h.free(ps[i]);
    for (let i = 1; i < ps.length; i += 2) h.free(ps[i]);
    assert.ok(h.stats().footprintBytes.current > start);
    assert.ok(h.trim() > 0);
    h.check();
    assert.equal(h.stats().footprintBytes.current, start);
  });

  test("maintain() does trim's work within a budget and finishes over calls", () => {
    const h = make();
    const start = h.stats().footprintBytes.current;
    const ps: number[] = [];
    for (let i = 0; i < 2000; i++) ps.push(allocOrThrow(h, 100 + (i % 700)));
    for (const p of ps) h.free(p);
    let done = false;
    for (let i = 0; i < 1000 && !done; i++) done = h.maintain(0.5);
    assert.ok(done);
    h.check();
    assert.equal(h.stats().footprintBytes.current, start);
  });

  test("a heap over an existing memory, attached from a second handle", () => {
    const memory = Memory.create({ maximum: 16 * MiB });
    const h = Heap.create({ memory });
    const p = allocOrThrow(h, 100);
    h.u8[p] = 42;
    const other = Heap.attach(memory);
    assert.equal(other.u8[p], 42);
    other.free(p);
    h.check();
    throwsCode(() => Heap.create({ memory }), "ERR_HEAP_INVALID_STATE");
    throwsCode(() => Heap.attach(Memory.create({ maximum: 4 * MiB })), "ERR_HEAP_BAD_FORMAT");
    const withPool = Memory.create({ maximum: 16 * MiB });
    const pool = PagePool.create(withPool);
    const page = allocOrThrow(pool, 4096);
    const h2 = Heap.create({ memory: withPool });
    const q = allocOrThrow(h2, 5000);
    assert.ok(q < page || q >= page + 4096);
    h2.check();
  });

  test("mallocAs / callocAs give typed arrays over blocks, undefined when out of memory", () => {
    const h = Heap.create({ initial: 64 * KiB, maximum: 4 * MiB });
    const f = h.mallocAs("f64", 10)!;
    assert.ok(f instanceof Float64Array && f.length === 10 && f.byteOffset % 8 === 0);
    f[3] = 1.5;
    assert.equal(h.f64[f.byteOffset / 8 + 3], 1.5);
    const z = h.callocAs("u32", 100)!;
    assert.ok(z.every((x) => x === 0));
    assert.equal(h.mallocAs("u8", 64 * MiB), undefined);
    h.free(f.byteOffset);
    h.free(z.byteOffset);
    h.check();
  });
});
